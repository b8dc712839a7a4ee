"""Booking one appointment, its rooms and buffers, races for one slot, and moving it."""

import datetime as dt
from functools import partial
from unittest import mock

import pytest
from django.db import IntegrityError, close_old_connections, transaction

from clinic.models import AuditEvent
from scheduling import availability, services
from scheduling.models import Appointment
from scheduling.services import SchedulingError, SlotTaken, booking
from tests.clinic.factories import PatientFactory
from tests.concurrency import at_once
from tests.conftest import requires_postgres
from tests.scheduling.conftest import at, book
from tests.scheduling.factories import AppointmentFactory

Status = Appointment.Status

# --- Booking -----------------------------------------------------------------------------------


def test_book_picks_a_free_room_and_holds_it_for_the_buffer(clinic, patient_a, practitioner_a, front_desk):
    appt = book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9), actor=front_desk)
    assert appt.room == clinic["rooms"][0]
    assert appt.end - appt.start == dt.timedelta(minutes=30)
    assert appt.blocks_until - appt.end == dt.timedelta(minutes=5)
    assert appt.status == Status.BOOKED and appt.booked_by == front_desk and appt.sequence == 0
    event = AuditEvent.objects.get(object_type="scheduling.Appointment", object_id=str(appt.pk))
    assert event.action == "create" and event.patient == patient_a


def test_book_in_the_past_is_refused_on_the_start_field(clinic, patient_a, practitioner_a):
    with pytest.raises(SchedulingError) as exc:
        book(patient_a, practitioner_a, clinic["adjustment"], at(0, 6))
    assert "in the past" in exc.value.message_dict["start"][0]


def test_book_outside_hours_is_refused(clinic, patient_a, practitioner_a):
    with pytest.raises(SchedulingError) as exc:
        book(patient_a, practitioner_a, clinic["adjustment"], at(0, 11, 45))  # runs into lunch
    assert "does not work" in exc.value.message_dict["start"][0]
    with pytest.raises(SchedulingError):
        book(patient_a, practitioner_a, clinic["adjustment"], at(5, 9))  # Saturday


def test_second_booking_for_the_same_practitioner_gets_slot_taken_with_nearest_times(
    clinic, patient_a, patient_b, practitioner_a
):
    book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    with pytest.raises(SlotTaken) as exc:
        book(patient_b, practitioner_a, clinic["adjustment"], at(0, 9, 15))
    assert "Dr. Ada Adams already sees Alice Arnold from 09:00 to 09:30" in exc.value.text
    alternatives = [s.start for s in exc.value.alternatives]
    assert len(alternatives) == 3
    assert at(0, 9, 30) in alternatives and at(0, 8, 30) in alternatives
    assert Appointment.objects.count() == 1


def test_room_buffer_sends_the_next_booking_to_the_other_room(
    clinic, patient_a, patient_b, practitioner_a, practitioner_b
):
    first = book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    second = book(patient_b, practitioner_b, clinic["adjustment"], at(0, 9, 30))  # room 1 is being cleaned
    assert first.room != second.room


def test_every_room_taken_means_slot_taken(clinic, patient_a, patient_b, practitioner_a, practitioner_b):
    third = PatientFactory()
    from tests.clinic.factories import PractitionerFactory
    from tests.scheduling.factories import WorkingHoursFactory

    practitioner_c = PractitionerFactory()
    WorkingHoursFactory(practitioner=practitioner_c, location=clinic["rooms"][0].location, weekday=0)
    book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    book(patient_b, practitioner_b, clinic["adjustment"], at(0, 9))
    with pytest.raises(SlotTaken) as exc:
        book(third, practitioner_c, clinic["adjustment"], at(0, 9))
    assert "every room" in exc.value.text


def test_given_room_must_be_free(clinic, patient_a, patient_b, practitioner_a, practitioner_b):
    room = clinic["rooms"][0]
    book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9), room=room)
    with pytest.raises(SlotTaken) as exc:
        book(patient_b, practitioner_b, clinic["adjustment"], at(0, 9, 30), room=room)
    assert "Room 1 is taken" in exc.value.text


def test_cancelled_time_can_be_booked_again(clinic, patient_a, patient_b, practitioner_a, front_desk):
    appt = book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    services.appointment_cancel(appointment=appt, reason="Patient is ill", actor=front_desk)
    again = book(patient_b, practitioner_a, clinic["adjustment"], at(0, 9))
    assert again.status == Status.BOOKED


@requires_postgres
def test_database_refuses_overlap_even_when_the_service_is_bypassed(clinic, patient_a, patient_b, practitioner_a):
    AppointmentFactory(patient=patient_a, practitioner=practitioner_a, room=clinic["rooms"][0], start=at(0, 9))
    with pytest.raises(IntegrityError, match="appointment_no_practitioner_overlap"), transaction.atomic():
        AppointmentFactory(patient=patient_b, practitioner=practitioner_a, room=clinic["rooms"][1], start=at(0, 9, 15))
    with pytest.raises(IntegrityError, match="appointment_no_room_overlap"), transaction.atomic():
        AppointmentFactory(patient=patient_b, room=clinic["rooms"][0], start=at(0, 9, 15))
    # Cancelled rows do not hold the time.
    AppointmentFactory(
        patient=patient_b, practitioner=practitioner_a, room=clinic["rooms"][0], start=at(0, 9), status="cancelled"
    )


@requires_postgres
def test_constraint_refusal_inside_the_service_becomes_slot_taken(clinic, patient_a, patient_b, practitioner_a):
    book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    # Simulate a race: the Python check saw nothing, the database refuses.
    with mock.patch.object(booking, "_practitioner_clash", return_value=""), pytest.raises(SlotTaken) as exc:
        book(patient_b, practitioner_a, clinic["adjustment"], at(0, 9))
    assert "just taken by another booking" in exc.value.text
    assert exc.value.alternatives


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_bookings_of_one_slot_exactly_one_wins(rooms, hours, adjustment, practitioner_a):
    import time_machine

    from tests.scheduling.conftest import NOW

    patients = [PatientFactory() for _ in range(24)]
    with time_machine.travel(NOW, tick=False):
        outcomes = at_once(*[partial(book, p, practitioner_a, adjustment, at(0, 10), now=NOW) for p in patients])
    close_old_connections()
    results = [
        "taken" if isinstance(o, SlotTaken) else f"error: {o!r}" if isinstance(o, Exception) else "ok" for o in outcomes
    ]
    assert sorted(results) == ["ok"] + ["taken"] * (len(patients) - 1), results
    assert Appointment.objects.filter(start=at(0, 10)).count() == 1


def facts_seeing_free(room):
    """The booking's checks as read before another booking of `room` committed: `room` still looks free."""
    real = availability.load_booking_facts

    def stale(**kwargs):
        facts = real(**kwargs)
        facts.free_rooms.insert(0, (room.pk, room.location_id, room.name))
        return facts

    return stale


@requires_postgres
def test_room_taken_by_a_concurrent_booking_moves_this_one_to_the_next_free_room(
    clinic, patient_a, patient_b, practitioner_a, practitioner_b, front_desk
):
    rooms = clinic["rooms"]
    book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))  # Room 1
    real_pick = booking._pick_room
    calls = []

    def recorded(**kwargs):
        calls.append(kwargs)
        return real_pick(**kwargs)

    with (
        mock.patch.object(availability, "load_booking_facts", side_effect=facts_seeing_free(rooms[0])),
        mock.patch.object(booking, "_pick_room", side_effect=recorded),
    ):
        second = book(patient_b, practitioner_b, clinic["adjustment"], at(0, 9), actor=front_desk)
    assert second.room == rooms[1]
    assert [c["skip"] for c in calls] == [[rooms[0].pk]]
    event = AuditEvent.objects.get(object_type="scheduling.Appointment", object_id=str(second.pk))
    assert event.detail.endswith("in Room 2")


@requires_postgres
def test_room_race_with_no_other_room_free_is_slot_taken(clinic, patient_a, patient_b, practitioner_a, practitioner_b):
    rooms = clinic["rooms"]
    book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))  # Room 1
    AppointmentFactory(room=rooms[1], appointment_type=clinic["adjustment"], start=at(0, 9))
    with (
        mock.patch.object(availability, "load_booking_facts", side_effect=facts_seeing_free(rooms[0])),
        pytest.raises(SlotTaken) as exc,
    ):
        book(patient_b, practitioner_b, clinic["adjustment"], at(0, 9))
    assert "every room is in use" in exc.value.text
    assert Appointment.objects.filter(start=at(0, 9)).count() == 2


@requires_postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("extra", [0, 1], ids=["one_per_room", "one_too_many"])
def test_concurrent_bookings_of_different_practitioners_fill_every_room(location, adjustment, extra):
    """N rooms: N front-desk requests at once for N different practitioners at the same time all succeed (each
    in its own room); with N + 1 requests exactly one is refused, because no room is left."""
    import time_machine

    from tests.clinic.factories import PractitionerFactory, RoomFactory
    from tests.scheduling.conftest import NOW
    from tests.scheduling.factories import WorkingHoursFactory

    rooms = [RoomFactory(location=location, name=f"Room {n}") for n in range(1, 5)]
    practitioners = [PractitionerFactory() for _ in range(len(rooms) + extra)]
    for practitioner in practitioners:
        WorkingHoursFactory(practitioner=practitioner, location=location, weekday=0)
    patients = [PatientFactory() for _ in practitioners]
    with time_machine.travel(NOW, tick=False):
        outcomes = at_once(
            *[
                partial(book, patient, practitioner, adjustment, at(0, 10), now=NOW)
                for patient, practitioner in zip(patients, practitioners, strict=True)
            ]
        )
    close_old_connections()
    results = [
        f"taken: {o.text}" if isinstance(o, SlotTaken) else f"error: {o!r}" if isinstance(o, Exception) else "ok"
        for o in outcomes
    ]
    # A loser either lost the race at the insert ("just taken") or checked after the winners had committed, and
    # was told plainly that no room is free: both are true; neither is booked.
    lost = {
        "taken: That time was just taken: every room is in use then.",
        "taken: No room is free then: every room is booked or being cleaned.",
    }
    assert results.count("ok") == len(rooms), results
    assert len(results) == len(rooms) + extra and all(r in lost for r in results if r != "ok"), results
    booked = Appointment.objects.filter(start=at(0, 10))
    assert sorted(booked.values_list("room__name", flat=True)) == [room.name for room in rooms]


# --- Moving and rooms --------------------------------------------------------------------------


def test_move_frees_the_old_time_and_bumps_the_sequence(clinic, patient_a, patient_b, practitioner_a):
    appt = book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    moved = services.appointment_move(appointment=appt, start=at(0, 10))
    assert moved.start == at(0, 10) and moved.sequence == 1
    book(patient_b, practitioner_a, clinic["adjustment"], at(0, 9))


def test_move_by_a_quarter_hour_overlapping_itself_is_allowed(clinic, patient_a, practitioner_a):
    appt = book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    assert services.appointment_move(appointment=appt, start=at(0, 9, 15)).start == at(0, 9, 15)


def test_move_onto_a_taken_time_is_refused(clinic, patient_a, patient_b, practitioner_a):
    book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    other = book(patient_b, practitioner_a, clinic["adjustment"], at(0, 10))
    with pytest.raises(SlotTaken):
        services.appointment_move(appointment=other, start=at(0, 9))
    other.refresh_from_db()
    assert other.start == at(0, 10) and other.sequence == 0


def test_move_to_another_practitioner(clinic, patient_a, practitioner_a, practitioner_b):
    appt = book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    moved = services.appointment_move(appointment=appt, start=at(1, 14), practitioner=practitioner_b)
    assert moved.practitioner == practitioner_b


def test_cancelled_appointment_cannot_be_moved(clinic, patient_a, practitioner_a):
    appt = book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    services.appointment_cancel(appointment=appt, reason="x")
    with pytest.raises(SchedulingError, match="Only a booked appointment"):
        services.appointment_move(appointment=appt, start=at(0, 10))


def test_change_room(clinic, patient_a, patient_b, practitioner_a, practitioner_b):
    room1, room2 = clinic["rooms"]
    appt = book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9), room=room1)
    assert services.appointment_change_room(appointment=appt, room=room2).room == room2
    book(patient_b, practitioner_b, clinic["adjustment"], at(0, 9), room=room1)
    with pytest.raises(SlotTaken):
        services.appointment_change_room(appointment=appt, room=room1)


def test_move_keeps_the_room_when_it_is_free(clinic, patient_a, patient_b, practitioner_a, practitioner_b):
    room1, room2 = clinic["rooms"]
    appt = book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9), room=room2)
    assert services.appointment_move(appointment=appt, start=at(0, 10)).room == room2
    book(patient_b, practitioner_b, clinic["adjustment"], at(0, 11), room=room2)
    assert services.appointment_move(appointment=appt, start=at(0, 11)).room == room1


def test_move_to_a_practitioner_at_another_location_takes_a_room_there(clinic, patient_a, practitioner_a):
    from tests.clinic.factories import LocationFactory, PractitionerFactory, RoomFactory
    from tests.scheduling.factories import WorkingHoursFactory

    elsewhere = LocationFactory(name="Hill Road")
    far_room = RoomFactory(location=elsewhere, name="Hill 1")
    other = PractitionerFactory()
    WorkingHoursFactory(practitioner=other, location=elsewhere, weekday=0, start_time=dt.time(8), end_time=dt.time(12))
    appt = book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    assert services.appointment_move(appointment=appt, start=at(0, 10), practitioner=other).room == far_room


def test_the_notice_tasks_commit_or_roll_back_with_the_booking(settings, clinic, patient_a, practitioner_a):
    """With the database queue (as deployed) the notice's and the reminder's tasks are rows of the booking's own
    transaction: a booking rolled back leaves neither them nor the notice."""
    from django_tasks_db.models import DBTaskResult

    from clinic.models import OutgoingNotice

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        book(patient_a, practitioner_a, clinic["adjustment"], at(2, 9), notify=True)
        assert DBTaskResult.objects.count() == 2 and OutgoingNotice.objects.count() == 1
        raise Undo
    assert (DBTaskResult.objects.count(), OutgoingNotice.objects.count(), Appointment.objects.count()) == (0, 0, 0)
    kept = book(patient_a, practitioner_a, clinic["adjustment"], at(2, 9), notify=True)
    assert DBTaskResult.objects.get(pk=kept.reminder_task_id).task_path.endswith("send_reminder")
