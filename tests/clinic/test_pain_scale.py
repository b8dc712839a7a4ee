"""The pain rating's meaningful change is data the clinic may change (issue 16, item 5: "defaults in DOMAIN.md,
editable as data"): the migration seeds 2 points, the admin edits the one row (never adds a second or deletes
it), and the chart's pain line, the care plan's trend and the outcomes report all follow the edited value."""

import pytest
from django.urls import reverse

from clinic.models import PainScale
from clinic.notes import selectors as notes_selectors
from reports import selectors as report_selectors
from tests.clinic import note_factories as nf
from tests.clinic.test_careplans_chart import plan_for
from tests.reports.test_outcomes_report import JUNE, june  # noqa: F401  (the hand-counted June data)


def test_the_migration_seeds_the_domain_default_of_two_points(db):
    assert list(PainScale.objects.values_list("meaningful_change", flat=True)) == [2]
    assert notes_selectors.pain_meaningful_change() == 2.0


def test_with_no_row_the_default_still_applies(db):
    PainScale.objects.all().delete()
    assert notes_selectors.pain_meaningful_change() == 2.0


def _admin_change(client, value):
    row = PainScale.objects.get()
    return client.post(
        reverse("admin:clinic_painscale_change", args=[row.pk]),
        {"meaningful_change": value, "source_note": "Clinic decision, 2026"},
    )


def test_the_clinic_admin_edits_the_value_with_a_message_next_to_a_wrong_one(client_for, clinic_admin):
    client = client_for(clinic_admin)
    response = _admin_change(client, "0")
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 0.5." in response.content.decode()
    response = _admin_change(client, "11")
    assert "Ensure this value is less than or equal to 10." in response.content.decode()
    response = _admin_change(client, "abc")
    assert "Enter a number." in response.content.decode()
    assert PainScale.objects.get().meaningful_change == 2
    assert _admin_change(client, "3").status_code == 302
    assert PainScale.objects.get().meaningful_change == 3
    assert notes_selectors.pain_meaningful_change() == 3.0


def test_the_admin_neither_adds_a_second_row_nor_deletes_the_one(client_for, clinic_admin):
    client = client_for(clinic_admin)
    row = PainScale.objects.get()
    assert client.get(reverse("admin:clinic_painscale_add")).status_code == 403
    assert client.get(reverse("admin:clinic_painscale_delete", args=[row.pk])).status_code == 403
    changelist = client.get(reverse("admin:clinic_painscale_changelist")).content.decode()
    assert "Pain 0-10: meaningful change 2 points" in changelist
    assert reverse("admin:clinic_painscale_add") not in changelist


def test_the_chart_draws_the_pain_line_at_the_clinics_value(patient_a, practitioner_a, client_for):
    nf.signed(patient_a, practitioner_a, start=nf.at(-21, 9), pain_today=8)
    nf.signed(patient_a, practitioner_a, start=nf.at(-5, 9), pain_today=5)
    client = client_for(practitioner_a.user)
    url = reverse("clinic:patient_chart", args=[patient_a.pk])
    text = client.get(url).content.decode()
    assert "Pain: 2 points better than first" in text
    assert "Meaningful change for Pain: 2 points below the first value (8 on" in text
    PainScale.objects.update(meaningful_change=3.5)
    text = client.get(url).content.decode()
    assert "Pain: 3.5 points better than first" in text
    assert "Meaningful change for Pain: 3.5 points below the first value (8 on" in text
    assert "Pain: 2 points better than first" not in text


def test_the_outcomes_report_counts_improvement_by_the_clinics_value(june):  # noqa: F811
    # Alice's pain went 7 -> 4 (3 points): improved at 2 or 3 points, not at 3.5.
    def pain_row():
        return next(r for r in report_selectors.outcomes(JUNE).rows if r.label == "Pain")

    assert (pain_row().measured, pain_row().improved) == (2, 1)
    assert pain_row().threshold == "2 points of 10"
    PainScale.objects.update(meaningful_change=3)
    assert pain_row().improved == 1
    PainScale.objects.update(meaningful_change=3.5)
    assert (pain_row().measured, pain_row().improved) == (2, 0)
    assert pain_row().threshold == "3.5 points of 10"


@pytest.mark.parametrize("value, shown", [(2, "2"), (1.5, "1.5")])
def test_the_care_plan_trend_says_the_clinics_value(value, shown, patient_a, practitioner_a, client_for):
    PainScale.objects.update(meaningful_change=value)
    plan = plan_for(patient_a, practitioner_a)
    nf.signed(patient_a, practitioner_a, start=nf.at(-21, 9), pain_today=7)
    text = client_for(practitioner_a.user).get(plan.get_absolute_url()).content.decode()
    assert f"a change of {shown} points is meaningful" in text
