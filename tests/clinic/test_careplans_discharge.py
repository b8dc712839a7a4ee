"""The discharge summary of a completed plan (issue 16, slice 7): baseline against final pain, visits, goals met;
constant queries whatever the number of visits and results."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.careplans import services
from tests.clinic import note_factories as nf
from tests.clinic.careplan_factories import careplan
from tests.intake import factories as intake_factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(settings):
    with nf.clinic_clock(settings, nf.at(-30, 8), tick=True) as traveller:
        yield traveller


def test_completing_a_plan_gives_a_one_page_summary(client_for, patient_a, practitioner_a, front_desk, frozen):
    plan = careplan(
        patient_a,
        practitioner_a,
        status="active",
        how="online",
        phases=[{"visits_per_week": 1, "weeks": 3}],
        goals=[{"kind": "pain_at_most", "target": 2}, {"kind": "text", "text": "Back to running"}],
    )
    frozen.move_to(nf.at(0, 12))
    for day, pain in ((-20, 7), (-13, 4), (-6, 2)):
        nf.signed(patient_a, practitioner_a, start=nf.at(day, 10), pain_today=pain)
    client = client_for(practitioner_a.user)
    url = reverse("clinic:careplan_discharge", args=[plan.pk])
    assert client.get(url)["Location"] == plan.get_absolute_url()  # not completed yet
    services.careplan_set_status(plan=plan, actor=practitioner_a.user, status="completed")
    assert url in client.get(plan.get_absolute_url()).content.decode()
    response = client.get(url)
    body = response.content.decode()
    assert response.context["summary"]["pain"] == (7.0, 2.0)
    assert "3 attended of 3 planned" in body
    assert "Pain at or below 2/10: <strong>met</strong>" in body
    assert "Back to running: judged by the practitioner" in body
    assert client_for(front_desk).get(url).status_code == 403


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_the_summary_and_the_plan_page_read_in_the_same_queries_with_few_visits_or_many(
    client_for, patient_a, practitioner_a, frozen
):
    intake_factories.load_questionnaires()
    plan = services.careplan_propose(
        patient=patient_a,
        practitioner=practitioner_a,
        actor=practitioner_a.user,
        phases=[{"visits_per_week": 2, "weeks": 6}],
        goals=[{"kind": "questionnaire_below", "target": 20}],
        questionnaire_code="ndi",
        questionnaire_every_visits=2,
    )
    services.careplan_accept(plan=plan, actor=patient_a.user, how="online")
    services.careplan_set_status(plan=plan, actor=practitioner_a.user, status="active")
    frozen.move_to(nf.at(0, 12))
    nf.signed(patient_a, practitioner_a, start=nf.at(-29, 10), pain_today=7)
    plan.questionnaires.create(
        patient=patient_a, questionnaire_code="ndi", visit_number=1, due_at=nf.at(-29, 10),
        answered_at=nf.at(-29, 8), percent=40, items_answered=10,
    )  # fmt: skip
    plan = services.careplan_set_status(plan=plan, actor=practitioner_a.user, status="completed")
    client = client_for(practitioner_a.user)
    discharge_url = reverse("clinic:careplan_discharge", args=[plan.pk])
    few = _queries(client, discharge_url), _queries(client, plan.get_absolute_url())
    for day in range(-27, -2, 2):  # a dozen more visits, notes, missed visits and results
        nf.signed(patient_a, practitioner_a, start=nf.at(day, 10), pain_today=abs(day) % 10)
        nf.appointment(patient_a, practitioner_a, start=nf.at(day + 1, 15), status="no_show")
        plan.questionnaires.create(
            patient=patient_a, questionnaire_code="ndi", visit_number=50 + day, due_at=nf.at(day, 10),
            answered_at=nf.at(day, 8), percent=40 + day, items_answered=10,
        )  # fmt: skip
    assert (_queries(client, discharge_url), _queries(client, plan.get_absolute_url())) == few
    summary = client.get(discharge_url).context["summary"]
    assert summary["score"] == (40.0, 37.0) and summary["missed"] == 13
