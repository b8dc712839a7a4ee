"""Where the plan shows (issue 16, item 4), beyond My day and the note: the calendar's block (day and week) and
the front desk's appointment page say "visit 7 of 12 · re-exam due at visit 12", warn past the plan or with the
re-exam overdue, the re-exam visit's note is marked as one; the day view's queries do not grow with plans."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

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


def plan_for(patient, practitioner, *, weeks=12, re_exam=12):
    return careplan(patient, practitioner, phases=[{"visits_per_week": 1, "weeks": weeks}], re_exam_visit=re_exam)


def held(patient, practitioner, days, hour=10):
    return [nf.appointment(patient, practitioner, start=nf.at(d, hour)) for d in days]


def block_of(body: str, patient) -> str:
    """The calendar block of the patient's appointment (one `a.cal-block`)."""
    match = re.search(
        r'<a class="cal-block[^>]*>(?:(?!</a>).)*' + re.escape(patient.full_name) + r"(?:(?!</a>).)*</a>", body
    )
    assert match, f"no block for {patient.full_name}"
    return match.group(0)


@pytest.fixture
def seventh_visit_today(patient_a, practitioner_a, frozen):
    plan_for(patient_a, practitioner_a)
    held(patient_a, practitioner_a, [-20, -13, -6, -5, -4, -3])
    frozen.move_to(nf.at(0, 7))
    return nf.appointment(patient_a, practitioner_a, start=nf.at(0, 10), status="booked")


def test_the_day_and_week_calendar_blocks_say_visit_n_of_m(client_for, front_desk, patient_a, practitioner_a,
                                                           seventh_visit_today):  # fmt: skip
    client = client_for(front_desk)
    day = client.get(reverse("scheduling:frontdesk_home"), {"date": nf.TODAY.isoformat()}).content.decode()
    assert "<em> · visit 7 of 12 · re-exam due at visit 12</em>" in block_of(day, patient_a)
    week = client.get(
        reverse("scheduling:week_view"), {"practitioner": practitioner_a.pk, "date": nf.TODAY.isoformat()}
    ).content.decode()
    assert "visit 7 of 12 · re-exam due at visit 12" in block_of(week, patient_a)


def test_a_patient_without_a_plan_has_no_plan_line_on_the_block(client_for, front_desk, patient_b, practitioner_a,
                                                                frozen):  # fmt: skip
    frozen.move_to(nf.at(0, 7))
    nf.appointment(patient_b, practitioner_a, start=nf.at(0, 11), status="booked")
    day = client_for(front_desk).get(reverse("scheduling:frontdesk_home"), {"date": nf.TODAY.isoformat()})
    assert "<em>" not in block_of(day.content.decode(), patient_b)


def test_the_block_warns_past_the_plan_and_with_the_re_exam_overdue(client_for, front_desk, patient_a, practitioner_a,
                                                                    frozen):  # fmt: skip
    plan_for(patient_a, practitioner_a, weeks=2, re_exam=1)
    held(patient_a, practitioner_a, [-20, -13])
    frozen.move_to(nf.at(0, 7))
    appointment = nf.appointment(patient_a, practitioner_a, start=nf.at(0, 10), status="booked")
    client = client_for(front_desk)
    day = client.get(reverse("scheduling:frontdesk_home"), {"date": nf.TODAY.isoformat()}).content.decode()
    assert "visit 3 of 2 · past the plan · re-exam overdue" in block_of(day, patient_a)
    page = client.get(reverse("scheduling:appointment_detail", args=[appointment.pk])).content.decode()
    assert "Visits have run past the plan (2 visits): review or change the plan." in page
    assert "Re-examination overdue (it was due at visit 1)." in page


def test_the_desks_appointment_page_says_visit_n_of_m(client_for, front_desk, seventh_visit_today):
    page = client_for(front_desk).get(reverse("scheduling:appointment_detail", args=[seventh_visit_today.pk]))
    assert "Care plan: visit 7 of 12 · re-exam due at visit 12" in page.content.decode()


def test_the_note_of_the_re_exam_visit_is_marked_as_one(client_for, patient_a, practitioner_a, frozen):
    plan_for(patient_a, practitioner_a, re_exam=3)
    held(patient_a, practitioner_a, [-20, -13])
    frozen.move_to(nf.at(0, 7))
    appointment = nf.appointment(patient_a, practitioner_a, start=nf.at(0, 10), status="booked")
    note = note_services.note_start(appointment=appointment, actor=practitioner_a.user)
    client = client_for(practitioner_a.user)
    for name in ("clinic:note_edit", "clinic:note_detail"):
        body = client.get(reverse(name, args=[note.pk])).content.decode()
        assert "Care plan: visit 3 of 12 · re-exam visit" in body, name
        assert "text-bg-primary" in body[body.index("careplan-position") :][:400], name


def _day_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("scheduling:frontdesk_home"), {"date": nf.TODAY.isoformat()}).status_code == 200
    return len(ctx)


def test_the_day_view_reads_in_the_same_number_of_queries_with_one_plan_or_many(
    client_for, front_desk, practitioner_a, frozen
):
    frozen.move_to(nf.at(0, 7))

    def patient_on_plan(hour):
        patient = PatientFactory()
        plan = plan_for(patient, practitioner_a)
        CarePlan.objects.filter(pk=plan.pk).update(created_at=nf.at(-30, 8))
        held(patient, practitioner_a, [-20, -13], hour=hour)
        nf.appointment(patient, practitioner_a, start=nf.at(0, hour), status="booked")
        return patient

    client = client_for(front_desk)
    first = patient_on_plan(8)
    one = _day_queries(client)
    more = [patient_on_plan(hour) for hour in (9, 11, 13, 15)]
    body = client.get(reverse("scheduling:frontdesk_home"), {"date": nf.TODAY.isoformat()}).content.decode()
    assert all("visit 3 of 12" in block_of(body, p) for p in [first, *more])
    assert _day_queries(client) == one
