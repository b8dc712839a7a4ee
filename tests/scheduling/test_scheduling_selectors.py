import pytest

from scheduling import selectors
from scheduling.models import Appointment
from tests.clinic.factories import PatientFactory, RoomFactory
from tests.scheduling.conftest import MONDAY, at
from tests.scheduling.factories import AppointmentFactory


@pytest.fixture
def same_day(location, adjustment, practitioner_a):
    """One patient: a completed visit at 09:00 and a booked one at 15:00 the same day; another patient's first
    visit at 10:00."""
    room = RoomFactory(location=location)
    patient, other = PatientFactory(), PatientFactory()
    kwargs = {"practitioner": practitioner_a, "room": room, "appointment_type": adjustment}
    return {
        "done": AppointmentFactory(patient=patient, start=at(0, 9), status=Appointment.Status.COMPLETED, **kwargs),
        "later": AppointmentFactory(patient=patient, start=at(0, 15), **kwargs),
        "first": AppointmentFactory(patient=other, start=at(0, 10), **kwargs),
    }


def new_flags(appointments):
    flags = selectors.flags_for(appointments)
    return {a.pk: flags[a.pk].new_patient for a in appointments}


def test_new_patient_flag_is_per_appointment_in_the_day_list(same_day, django_assert_max_num_queries):
    appointments = list(selectors.appointments_for_day(MONDAY))
    with django_assert_max_num_queries(3):  # intake's readiness only: "completed before" came with the list
        flags = new_flags(appointments)
    assert flags == {same_day["done"].pk: True, same_day["first"].pk: True, same_day["later"].pk: False}


def test_new_patient_flag_is_the_same_for_rows_loaded_without_the_annotation(same_day):
    plain = list(
        Appointment.objects.filter(pk__in=[a.pk for a in same_day.values()]).select_related("appointment_type")
    )
    assert new_flags(plain) == {same_day["done"].pk: True, same_day["first"].pk: True, same_day["later"].pk: False}
    assert new_flags([same_day["later"]]) == {same_day["later"].pk: False}
