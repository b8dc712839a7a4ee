"""The booking's checks read in one statement (issue 14): each answer that statement gives is the one the separate
reads gave (the room pick, a room the desk chose, extra hours at another location, a move over its own time)."""

import pytest

from scheduling import services
from scheduling.models import AvailabilityException
from scheduling.services import SchedulingError, SlotTaken
from tests.clinic.factories import LocationFactory, RoomFactory
from tests.scheduling.conftest import MONDAY, at, book
from tests.scheduling.factories import AppointmentFactory, exception_row

pytestmark = pytest.mark.django_db


def test_the_first_free_room_by_name_is_picked_and_kept_whole(clinic, patient_a, patient_b, practitioner_a):
    rooms = clinic["rooms"]
    AppointmentFactory(room=rooms[0], appointment_type=clinic["adjustment"], start=at(0, 8, 45))  # held to 09:20
    appointment = book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    assert appointment.room == rooms[1]
    assert appointment.room.name == "Room 2" and appointment.room.location_id == rooms[1].location_id
    appointment.room.refresh_from_db()  # the room made from the row read is the room in the database
    assert appointment.room.active and appointment.room.name == "Room 2"
    later = book(patient_b, practitioner_a, clinic["adjustment"], at(0, 10))
    assert later.room == rooms[0]


def test_a_room_the_desk_chose_is_refused_while_it_is_being_cleaned(clinic, patient_a, patient_b, practitioner_a):
    rooms = clinic["rooms"]
    AppointmentFactory(
        room=rooms[0], appointment_type=clinic["adjustment"], start=at(0, 8, 30), end=at(0, 8, 55)
    )  # blocks the room until 09:00 with its buffer
    AppointmentFactory(room=rooms[1], appointment_type=clinic["adjustment"], start=at(0, 8, 30))
    with pytest.raises(SlotTaken) as exc:
        book(patient_a, practitioner_a, clinic["adjustment"], at(0, 8, 45), room=rooms[0])
    assert exc.value.text == "Room 1 is taken then (including cleaning time)."
    chosen = book(patient_b, practitioner_a, clinic["adjustment"], at(0, 9, 5), room=rooms[0])
    assert chosen.room == rooms[0]


def test_a_room_at_another_location_is_named_as_such(clinic, patient_a, practitioner_a):
    elsewhere = RoomFactory(location=LocationFactory(name="Annex"), name="Room A")
    with pytest.raises(SchedulingError) as exc:
        book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9), room=elsewhere)
    assert "is not where Dr. Ada Adams works at that time" in exc.value.message_dict["room"][0]


def test_extra_hours_at_another_location_book_a_room_there(clinic, patient_a, practitioner_a):
    annex = LocationFactory(name="Annex")
    room_b, room_a = RoomFactory(location=annex, name="Room B"), RoomFactory(location=annex, name="Room A")
    RoomFactory(location=annex, name="Room 0", active=False)
    exception_row(practitioner_a, AvailabilityException.Kind.EXTRA_HOURS, MONDAY, (18, 20), location=annex)
    appointment = book(patient_a, practitioner_a, clinic["adjustment"], at(0, 18, 30))
    assert appointment.room == room_a  # by name, the inactive room left out
    assert room_b.pk != appointment.room.pk


def test_time_off_part_of_the_day_is_named_with_its_times(clinic, patient_a, practitioner_a):
    exception_row(practitioner_a, AvailabilityException.Kind.TIME_OFF, MONDAY, (9, 11))
    with pytest.raises(SchedulingError) as exc:
        book(patient_a, practitioner_a, clinic["adjustment"], at(0, 10))
    assert "is on time off from 09:00 to 11:00 on Mon 01 Jun" in exc.value.message_dict["start"][0]
    assert book(patient_a, practitioner_a, clinic["adjustment"], at(0, 11)).start == at(0, 11)


def test_a_move_over_its_own_old_time_is_no_clash_and_keeps_its_room(clinic, patient_a, practitioner_a):
    appointment = book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    moved = services.appointment_move(appointment=appointment, start=at(0, 9, 15))
    assert moved.start == at(0, 9, 15)
    assert moved.room == appointment.room


def test_outside_the_hours_is_named_before_the_patients_own_visit(clinic, patient_a, practitioner_a, practitioner_b):
    book(patient_a, practitioner_b, clinic["adjustment"], at(0, 11, 30))  # practitioner B sees her 11:30-12:00
    with pytest.raises(SchedulingError) as exc:
        book(patient_a, practitioner_a, clinic["adjustment"], at(0, 11, 45))  # into A's lunch, and her own visit
    assert "does not work from" in exc.value.message_dict["start"][0]
