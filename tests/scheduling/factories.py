import datetime as dt

import factory

from scheduling.models import Appointment, AppointmentType, WorkingHours
from tests.clinic.factories import PatientFactory, PractitionerFactory, RoomFactory


class AppointmentTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AppointmentType
        django_get_or_create = ["slug"]

    name = "SOT adjustment"
    slug = factory.Sequence(lambda n: f"type-{n}")
    duration = dt.timedelta(minutes=30)
    buffer_after = dt.timedelta(minutes=0)


class WorkingHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingHours

    practitioner = factory.SubFactory(PractitionerFactory)
    location = factory.SubFactory("tests.clinic.factories.LocationFactory")
    weekday = 0
    start_time = dt.time(8, 0)
    end_time = dt.time(12, 0)


def weekday_hours(practitioners, location, *spans: tuple[int, int]) -> None:
    """Each practitioner works at `location` Monday to Friday, in each span of hours (08:00-17:00 when none)."""
    for practitioner in practitioners:
        for weekday in range(5):
            for start_hour, end_hour in spans or ((8, 17),):
                WorkingHoursFactory(
                    practitioner=practitioner,
                    location=location,
                    weekday=weekday,
                    start_time=dt.time(start_hour),
                    end_time=dt.time(end_hour),
                )


def new_patient_exam_type() -> AppointmentType:
    """The clinic's 60-minute new-patient exam, for new patients only."""
    return AppointmentTypeFactory(
        name="SOT new-patient exam",
        slug="sot-new-patient-exam",
        duration=dt.timedelta(minutes=60),
        new_patient_only=True,
    )


class AppointmentFactory(factory.django.DjangoModelFactory):
    """Writes the row directly (no service checks): for building calendars in tests."""

    class Meta:
        model = Appointment

    patient = factory.SubFactory(PatientFactory)
    practitioner = factory.SubFactory(PractitionerFactory)
    room = factory.SubFactory(RoomFactory)
    appointment_type = factory.SubFactory(AppointmentTypeFactory)
    start = factory.LazyFunction(lambda: dt.datetime(2026, 6, 1, 14, 0, tzinfo=dt.UTC))
    end = factory.LazyAttribute(lambda o: o.start + o.appointment_type.duration)
    blocks_until = factory.LazyAttribute(lambda o: o.end + o.appointment_type.buffer_after)
