"""A small clinic for scheduling tests: one location with two rooms, two practitioners working
Monday-Friday 08:00-12:00 and 13:00-18:00, the clock frozen on Monday 1 June 2026 at 07:00 (New York)."""

import datetime as dt
import zoneinfo

import pytest
import time_machine

from scheduling import services
from scheduling.models import Appointment
from tests.clinic.factories import LocationFactory, RoomFactory
from tests.scheduling.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    new_patient_exam_type,
    weekday_hours,
)

NY = zoneinfo.ZoneInfo("America/New_York")
MONDAY = dt.date(2026, 6, 1)
NOW = dt.datetime(2026, 6, 1, 7, 0, tzinfo=NY)


def at(day_offset: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(MONDAY + dt.timedelta(days=day_offset), dt.time(hour, minute), tzinfo=NY)


def book(patient, practitioner, appointment_type, start, **kwargs):
    """Book through the front desk's service, as the scheduling tests do."""
    return services.appointment_book(
        patient=patient, practitioner=practitioner, appointment_type=appointment_type, start=start, **kwargs
    )


@pytest.fixture(autouse=True)
def _clinic_zone(settings):
    settings.TIME_ZONE = "America/New_York"


# Tasks run as they are queued (the e-mails of a booking, its reminder when due at once).
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def immediate(settings):
    """Run tasks as they are queued; a module whose every test needs it names it in `pytestmark`."""
    settings.TASKS = IMMEDIATE


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def location(db):
    return LocationFactory(name="Harbour Street")


@pytest.fixture
def rooms(location):
    return [RoomFactory(location=location, name="Room 1"), RoomFactory(location=location, name="Room 2")]


@pytest.fixture
def adjustment(db):
    return AppointmentTypeFactory(name="SOT adjustment", slug="sot-adjustment", buffer_after=dt.timedelta(minutes=5))


@pytest.fixture
def exam(db):
    return new_patient_exam_type()


@pytest.fixture
def hours(location, practitioner_a, practitioner_b):
    weekday_hours((practitioner_a, practitioner_b), location, (8, 12), (13, 18))


@pytest.fixture
def clinic(frozen, rooms, hours, adjustment, exam):
    """Everything above at once."""
    return {"rooms": rooms, "adjustment": adjustment, "exam": exam}


@pytest.fixture
def returning(patient_a, practitioner_a, rooms, clinic):
    """Patient A has had a visit, so books follow-ups."""
    AppointmentFactory(
        patient=patient_a,
        practitioner=practitioner_a,
        room=rooms[0],
        appointment_type=clinic["exam"],
        start=at(-7, 9),
        status=Appointment.Status.COMPLETED,
    )
    return patient_a


def booking_form(clinic, patient, practitioner, start: str) -> dict:
    """What the desk's booking page posts for an adjustment of `patient` with `practitioner` at `start` (as typed)."""
    return {
        "patient": patient.pk,
        "appointment_type": clinic["adjustment"].pk,
        "practitioner": practitioner.pk,
        "start": start,
    }


def series_form(clinic, patient, practitioner, **fields) -> dict:
    """What the series page posts for adjustments with `practitioner` at 09:00, and `fields` (dates, weeks...)."""
    return {
        "patient": patient.pk,
        "appointment_type": clinic["adjustment"].pk,
        "practitioner": practitioner.pk,
        "time_of_day": "09:00",
        **fields,
    }
