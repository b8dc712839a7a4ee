"""Consent follows the plan, the diagnosis included (issue 16, item 2; DOMAIN: re-consent when the diagnosis or
the treatment plan changes): the plan states what it treats; a changed diagnosis is a new version that the
patient accepts again before the next treatment note is signed, and the pages say what changed."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clinic.careplans import services
from clinic.notes import services as note_services
from tests.clinic import note_factories as nf
from tests.clinic.careplan_factories import careplan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("week_before")]

PHASES = [{"visits_per_week": 2, "weeks": 4}]


def accepted_plan(patient, practitioner, diagnosis="Mechanical neck pain"):
    return careplan(patient, practitioner, how="online", phases=PHASES, diagnosis=diagnosis)


def test_a_changed_diagnosis_asks_consent_again_before_the_next_note(patient_a, practitioner_a, week_before):
    plan = accepted_plan(patient_a, practitioner_a)
    new = services.careplan_revise(
        plan=plan,
        practitioner=practitioner_a,
        actor=practitioner_a.user,
        phases=PHASES,
        diagnosis="Cervical radiculopathy",
    )
    week_before.move_to(nf.at(0, 8))
    note = nf.draft(patient_a, practitioner_a, start=nf.at(0, 9), chief_complaint="Neck", sot_category="II")
    with pytest.raises(ValidationError, match=r"The diagnosis changed .*Cervical radiculopathy"):
        note_services.note_sign(note=note, actor=practitioner_a.user)
    services.careplan_accept(plan=new, actor=patient_a.user, how="online")
    assert note_services.note_sign(note=note, actor=practitioner_a.user).is_signed


def test_the_same_diagnosis_in_a_changed_plan_is_said_as_a_changed_plan(patient_a, practitioner_a, week_before):
    plan = accepted_plan(patient_a, practitioner_a)
    services.careplan_revise(
        plan=plan, practitioner=practitioner_a, actor=practitioner_a.user, phases=PHASES, diagnosis=plan.diagnosis
    )
    assert services.careplan_consent_problem(patient_a).startswith("The care plan changed (version 2)")


def test_the_practitioner_changes_the_diagnosis_on_the_form_and_the_plan_says_what_changed(
    client_for, patient_a, practitioner_a
):
    plan = accepted_plan(patient_a, practitioner_a)
    client = client_for(practitioner_a.user)
    form = client.get(reverse("clinic:careplan_revise", args=[plan.pk])).content.decode()
    assert 'value="Mechanical neck pain"' in form
    response = client.post(
        reverse("clinic:careplan_revise", args=[plan.pk]),
        {"diagnosis": "Cervical radiculopathy", "phase1_visits_per_week": "2", "phase1_weeks": "4"},
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Cervical radiculopathy" in page and "changed from version 1: Mechanical neck pain" in page
    note_page = client.get(plan.get_absolute_url()).content.decode()
    assert "Mechanical neck pain" in note_page  # version 1 stays readable as it was


def test_a_diagnosis_longer_than_the_field_is_said_next_to_it(client_for, patient_a, practitioner_a):
    response = client_for(practitioner_a.user).post(
        reverse("clinic:careplan_new", args=[patient_a.pk]),
        {"diagnosis": "x" * 301, "phase1_visits_per_week": "2", "phase1_weeks": "4"},
    )
    assert response.status_code == 400
    assert "Ensure this value has at most 300 characters" in response.content.decode()
