"""A small clinic for scheduling tests: one location with two rooms, two practitioners working
Monday-Friday 08:00-12:00 and 13:00-18:00, the clock frozen on Monday 1 June 2026 at 07:00 (New York)."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from scheduling import services
from scheduling.forms import slot_value
from scheduling.models import Appointment
from tests.clinic.factories import LocationFactory, RoomFactory
from tests.scheduling.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    new_patient_exam_type,
    weekday_hours,
)
from tests.smtp import smtp_server  # noqa: F401  (the fixture, for the modules that send through it)

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


def book_series(patient, practitioner, appointment_type, starts, *, weeks=1, **kwargs):
    """Book `starts` as one series through the service: from the first start's date, on the starts' weekdays, at
    the first start's time, unless `kwargs` say otherwise (with the service's other arguments: notify...)."""
    plan = {"first_date": starts[0].date(), "weekdays": sorted({s.weekday() for s in starts})}
    plan = {**plan, "time_of_day": starts[0].time(), "weeks": weeks, **kwargs}
    return services.series_book(
        patient=patient, practitioner=practitioner, appointment_type=appointment_type, starts=starts, **plan
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
def commits(django_capture_on_commit_callbacks):
    """`with commits():` runs, at the end of the block, what the code queued for after commit (the e-mails), as a
    real request's commit would (the test's own transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


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


def waitlist_form(clinic, patient, practitioner, **fields) -> dict:
    """What the desk's waitlist page posts for an adjustment of `patient` with `practitioner`, any morning from
    Monday 1 to Friday 5 June, and `fields`."""
    return {
        "patient": patient.pk,
        "appointment_type": clinic["adjustment"].pk,
        "practitioners": [practitioner.pk],
        "earliest_date": "2026-06-01",
        "latest_date": "2026-06-05",
        "time_from": "08:00",
        "time_to": "12:00",
        **fields,
    }


def book_hold(client, appointment_type, start, practitioner, mode=None, **headers):
    """Hold `start` with `practitioner` as the online booking's time step posts it (`mode="any"`: the patient
    asked for the first free practitioner); `headers` go with the request (a browser's language...)."""
    slot = slot_value(start, practitioner.pk)
    form = {"type": appointment_type.slug, "practitioner": mode or practitioner.pk, "slot": slot}
    return client.post(reverse("scheduling:book_hold"), form, **headers)


def about_you(first_name, last_name, date_of_birth, phone, **overrides) -> dict:
    """What the online booking's about-you step posts for a new patient; `overrides` by their posted names."""
    typed = {"first_name": first_name, "last_name": last_name, "date_of_birth": date_of_birth, "phone": phone}
    return {**{f"about-{name}": value for name, value in typed.items()}, **overrides}
