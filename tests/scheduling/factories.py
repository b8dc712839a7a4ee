import datetime as dt

import factory

from scheduling import services
from scheduling.models import Appointment, AppointmentType, AvailabilityException, WorkingHours
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


def fixed_visit(patient, practitioner, appointment_type, start, minutes=30, **extra) -> Appointment:
    """An appointment row of `minutes` from `start` that holds its room no longer (no buffer after it)."""
    end = start + dt.timedelta(minutes=minutes)
    fields = {"appointment_type": appointment_type, "start": start, "end": end, "blocks_until": end, **extra}
    return AppointmentFactory(patient=patient, practitioner=practitioner, **fields)


def _hours(hours: tuple[int, int] | None) -> dict:
    return {} if hours is None else {"start_time": dt.time(hours[0]), "end_time": dt.time(hours[1])}


def time_block(practitioner, kind, day, actor, hours=None, **extra):
    """Block `day` (weekly for `weeks`, in `extra`) through the calendar's service: from `hours[0]` to `hours[1]`
    o'clock, or the whole day when `hours` is None. Answers the service's result."""
    fields = {"practitioner": practitioner, "kind": kind, "first_date": day, "actor": actor}
    return services.time_block_add(**fields, **_hours(hours), **extra)


def exception_row(practitioner, kind, day, hours, **extra) -> AvailabilityException:
    """An availability exception written directly (no service checks), from `hours[0]` to `hours[1]` o'clock."""
    fields = {"practitioner": practitioner, "date": day, "kind": kind, **_hours(hours)}
    return AvailabilityException.objects.create(**fields, **extra)
