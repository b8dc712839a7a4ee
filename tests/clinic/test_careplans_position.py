"""Where the plan shows (issue 16, slice 4): "visit 7 of 12 · re-exam due at visit 12" on My day and the note,
the re-exam visit marked, warnings when visits run past the plan or the re-exam is overdue; constant queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.careplans import selectors, services
from clinic.models import CarePlan
from clinic.notes import services as note_services
from tests.clinic import note_factories as nf
from tests.clinic.careplan_factories import careplan
from tests.clinic.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(settings):
    with nf.clinic_clock(settings, nf.at(-30, 8), tick=True) as traveller:
        yield traveller


def plan_for(patient, practitioner, *, per_week=1, weeks=4, re_exam=3, accept=True):
    return careplan(
        patient,
        practitioner,
        status="accepted" if accept else "proposed",
        phases=[{"visits_per_week": per_week, "weeks": weeks}],
        re_exam_visit=re_exam,
    )


def visits(patient, practitioner, days, status="completed", hour=10):
    return [nf.appointment(patient, practitioner, start=nf.at(d, hour), status=status) for d in days]


def test_visit_numbers_count_from_the_plan_and_skip_cancelled(patient_a, practitioner_a):
    before = visits(patient_a, practitioner_a, [-31])  # before the plan: not counted
    plan_for(patient_a, practitioner_a)
    first, second = visits(patient_a, practitioner_a, [-20, -13])
    visits(patient_a, practitioner_a, [-10], status="cancelled")
    today = nf.appointment(patient_a, practitioner_a, start=nf.at(0, 10), status="booked")
    positions = selectors.plan_positions([*before, first, second, today])
    assert before[0].pk not in positions
    assert [positions[a.pk].number for a in (first, second, today)] == [1, 2, 3]
    assert positions[first.pk].label == "visit 1 of 4 · re-exam due at visit 3"
    assert positions[today.pk].is_re_exam and positions[today.pk].label == "visit 3 of 4 · re-exam visit"


def test_warnings_past_the_plan_and_re_exam_overdue(patient_a, practitioner_a):
    plan_for(patient_a, practitioner_a, weeks=2, re_exam=1)
    appts = visits(patient_a, practitioner_a, [-20, -13, -6])
    position = selectors.plan_positions(appts)[appts[-1].pk]
    assert position.number == 3 and position.past_plan and position.re_exam_overdue
    assert position.warnings == [
        "Visits have run past the plan (2 visits): review or change the plan.",
        "Re-examination overdue (it was due at visit 1).",
    ]


def test_my_day_and_the_note_show_the_position(client_for, patient_a, practitioner_a, frozen):
    plan_for(patient_a, practitioner_a, weeks=12, re_exam=12)
    visits(patient_a, practitioner_a, [-20, -13, -6, -5, -4, -3])
    frozen.move_to(nf.at(0, 7))
    today = nf.appointment(patient_a, practitioner_a, start=nf.at(0, 10), status="booked")
    client = client_for(practitioner_a.user)
    body = client.get(reverse("clinic:practitioner_home")).content.decode()
    assert "visit 7 of 12 · re-exam due at visit 12" in body
    note = note_services.note_start(appointment=today, actor=practitioner_a.user)
    body = client.get(reverse("clinic:note_edit", args=[note.pk])).content.decode()
    assert "visit 7 of 12 · re-exam due at visit 12" in body


def test_the_note_warns_when_the_changed_plan_awaits_consent(client_for, patient_a, practitioner_a, frozen):
    plan = plan_for(patient_a, practitioner_a)
    services.careplan_revise(
        plan=plan, practitioner=practitioner_a, actor=practitioner_a.user, phases=[{"visits_per_week": 2, "weeks": 2}]
    )
    frozen.move_to(nf.at(0, 7))
    note = nf.draft(patient_a, practitioner_a, start=nf.at(0, 10))
    body = client_for(practitioner_a.user).get(reverse("clinic:note_edit", args=[note.pk])).content.decode()
    assert "The care plan changed (version 2)" in body


def _my_day_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("clinic:practitioner_home")).status_code == 200
    return len(ctx)


def test_my_day_queries_stay_constant_with_more_plans(client_for, practitioner_a, frozen):
    def one_more():
        patient = PatientFactory()
        plan_for(patient, practitioner_a)
        visits(patient, practitioner_a, [-20, -13], hour=8 + CarePlan.objects.count())
        return patient

    one_more()
    frozen.move_to(nf.at(0, 7))
    client = client_for(practitioner_a.user)
    for plan in CarePlan.objects.all():  # today's visit of each patient with a plan
        nf.appointment(plan.patient, practitioner_a, start=nf.at(0, 9), status="booked")
    few = _my_day_queries(client)
    frozen.move_to(nf.at(-30, 8))
    extra = [one_more() for _ in range(3)]
    frozen.move_to(nf.at(0, 7))
    for hour, patient in zip((11, 13, 15), extra, strict=True):
        nf.appointment(patient, practitioner_a, start=nf.at(0, hour), status="booked")
    assert _my_day_queries(client) == few
