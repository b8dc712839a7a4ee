"""The discharge summary of a completed plan (issue 16, slice 7): baseline against final pain, visits, goals met."""

import pytest
import time_machine
from django.urls import reverse

from clinic.careplans import services
from tests.clinic import note_factories as nf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(settings):
    settings.TIME_ZONE = "America/New_York"
    with time_machine.travel(nf.at(-30, 8), tick=True) as traveller:
        yield traveller


def test_completing_a_plan_gives_a_one_page_summary(client_for, patient_a, practitioner_a, front_desk, frozen):
    plan = services.careplan_propose(
        patient=patient_a,
        practitioner=practitioner_a,
        actor=practitioner_a.user,
        phases=[{"visits_per_week": 1, "weeks": 3}],
        goals=[{"kind": "pain_at_most", "target": 2}, {"kind": "text", "text": "Back to running"}],
    )
    services.careplan_accept(plan=plan, actor=patient_a.user, how="online")
    services.careplan_set_status(plan=plan, actor=practitioner_a.user, status="active")
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
