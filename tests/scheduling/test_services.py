import datetime as dt
import threading
from unittest import mock

import pytest
from django.core import mail
from django.db import IntegrityError, close_old_connections, connection, transaction

from clinic.models import AuditEvent
from intake.selectors import Readiness
from scheduling import services
from scheduling.models import Appointment
from scheduling.services import SchedulingError, SlotTaken, booking, status
from tests.clinic.factories import PatientFactory
from tests.conftest import requires_postgres
from tests.scheduling.conftest import at
from tests.scheduling.factories import AppointmentFactory

Status = Appointment.Status


@pytest.fixture(autouse=True)
def _check_in_any_time_today(settings):
    """These tests are about paperwork, statuses and audit rows; the check-in window (today, from
    CLINIC_CHECK_IN_EARLY_MINUTES before the start) has its own tests in test_check_in_window.py."""
    settings.CLINIC_CHECK_IN_EARLY_MINUTES = 24 * 60


def book(patient, practitioner, appointment_type, start, **kwargs):
    return services.appointment_book(
        patient=patient, practitioner=practitioner, appointment_type=appointment_type, start=start, **kwargs
    )


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
    with mock.patch.object(booking, "practitioner_conflict", return_value=""), pytest.raises(SlotTaken) as exc:
        book(patient_b, practitioner_a, clinic["adjustment"], at(0, 9))
    assert "just taken by another booking" in exc.value.text
    assert exc.value.alternatives


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_bookings_of_one_slot_exactly_one_wins(rooms, hours, adjustment, practitioner_a):
    import time_machine

    from tests.scheduling.conftest import NOW

    patients = [PatientFactory() for _ in range(24)]
    barrier = threading.Barrier(len(patients))
    results: list[str] = []
    lock = threading.Lock()

    def attempt(patient):
        try:
            barrier.wait(timeout=30)
            book(patient, practitioner_a, adjustment, at(0, 10), now=NOW)
            outcome = "ok"
        except SlotTaken:
            outcome = "taken"
        except Exception as exc:  # anything else is a failure of the test
            outcome = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    with time_machine.travel(NOW, tick=False):
        threads = [threading.Thread(target=attempt, args=(p,)) for p in patients]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    close_old_connections()
    assert sorted(results) == ["ok"] + ["taken"] * (len(patients) - 1), results
    assert Appointment.objects.filter(start=at(0, 10)).count() == 1


@requires_postgres
def test_room_taken_by_a_concurrent_booking_moves_this_one_to_the_next_free_room(
    clinic, patient_a, patient_b, practitioner_a, practitioner_b, front_desk
):
    rooms = clinic["rooms"]
    book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))  # Room 1
    real_pick = booking._pick_room
    calls = []

    def stale_then_real(**kwargs):
        # The first pick ran before the other booking committed, so it still saw Room 1 free.
        calls.append(kwargs)
        return rooms[0] if len(calls) == 1 else real_pick(**kwargs)

    with mock.patch.object(booking, "_pick_room", side_effect=stale_then_real):
        second = book(patient_b, practitioner_b, clinic["adjustment"], at(0, 9), actor=front_desk)
    assert second.room == rooms[1]
    assert calls[1]["skip"] == [rooms[0].pk]
    event = AuditEvent.objects.get(object_type="scheduling.Appointment", object_id=str(second.pk))
    assert event.detail.endswith("in Room 2")


@requires_postgres
def test_room_race_with_no_other_room_free_is_slot_taken(clinic, patient_a, patient_b, practitioner_a, practitioner_b):
    rooms = clinic["rooms"]
    book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))  # Room 1
    AppointmentFactory(room=rooms[1], appointment_type=clinic["adjustment"], start=at(0, 9))
    with mock.patch.object(booking, "_pick_room", side_effect=[rooms[0], None]), pytest.raises(SlotTaken) as exc:
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
    barrier = threading.Barrier(len(practitioners))
    results: list[str] = []
    lock = threading.Lock()

    def attempt(patient, practitioner):
        try:
            barrier.wait(timeout=30)
            book(patient, practitioner, adjustment, at(0, 10), now=NOW)
            outcome = "ok"
        except SlotTaken as exc:
            outcome = f"taken: {exc.text}"
        except Exception as exc:  # anything else is a failure of the test
            outcome = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    with time_machine.travel(NOW, tick=False):
        threads = [threading.Thread(target=attempt, args=pair) for pair in zip(patients, practitioners, strict=True)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    close_old_connections()
    assert (
        sorted(results) == ["ok"] * len(rooms) + ["taken: That time was just taken: every room is in use then."] * extra
    )
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


# --- Status state machine ----------------------------------------------------------------------


def test_cancel_needs_a_reason_and_records_who(clinic, patient_a, practitioner_a, front_desk):
    appt = book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    with pytest.raises(SchedulingError) as exc:
        services.appointment_cancel(appointment=appt, reason="  ", actor=front_desk)
    assert "reason" in exc.value.message_dict
    appt = services.appointment_cancel(appointment=appt, reason="Car broke down", actor=front_desk)
    assert appt.status == Status.CANCELLED and appt.cancelled_by == front_desk and appt.cancelled_at
    assert appt.cancellation_reason == "Car broke down"


def test_check_in_with_missing_paperwork_needs_a_reason(clinic, patient_a, practitioner_a, front_desk):
    appt = book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    missing = Readiness(missing=("Intake form not started", "No signed consent"))
    with mock.patch("intake.selectors.patient_readiness", return_value=missing):
        with pytest.raises(SchedulingError) as exc:
            services.appointment_check_in(appointment=appt, actor=front_desk)
        assert "Intake form not started" in exc.value.message_dict["override_reason"][0]
        appt = services.appointment_check_in(appointment=appt, actor=front_desk, override_reason="Will sign now")
    assert appt.status == Status.CHECKED_IN and appt.check_in_override_reason == "Will sign now"
    event = AuditEvent.objects.filter(object_id=str(appt.pk)).first()
    assert "Will sign now" in event.detail and "No signed consent" in event.detail


def test_check_in_when_ready_needs_no_reason(clinic, patient_a, practitioner_a):
    appt = book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    ready = Readiness(intake_status="submitted", consent_status="current", missing=())
    with mock.patch("intake.selectors.patient_readiness", return_value=ready):
        appt = services.appointment_check_in(appointment=appt, override_reason="ignored")
    assert appt.status == Status.CHECKED_IN and appt.check_in_override_reason == ""


def test_full_visit_path(clinic, patient_a, practitioner_a):
    appt = book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    appt = services.appointment_check_in(appointment=appt, override_reason="ok")
    appt = services.appointment_start_treatment(appointment=appt)
    appt = services.appointment_complete(appointment=appt)
    assert appt.status == Status.COMPLETED


@pytest.mark.parametrize(
    ("start_status", "target", "allowed"),
    [
        (s, t, t in services.TRANSITIONS[s])
        for s in Status.values
        for t in (Status.CHECKED_IN, Status.IN_TREATMENT, Status.COMPLETED, Status.CANCELLED, Status.NO_SHOW)
    ],
)
def test_state_machine_allows_only_the_table(db, start_status, target, allowed):
    appt = Appointment(status=start_status)
    if allowed:
        status.check_transition(appt, target)
    else:
        with pytest.raises(SchedulingError, match="cannot become"):
            status.check_transition(appt, target)


def test_illegal_move_is_refused_with_a_clear_message(clinic, patient_a, practitioner_a):
    appt = book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    with pytest.raises(SchedulingError) as exc:
        services.appointment_complete(appointment=appt)
    assert exc.value.messages[0] == (
        "An appointment that is booked cannot become completed. Allowed next: cancelled, checked in, no-show."
    )
    services.appointment_cancel(appointment=appt, reason="x")
    with pytest.raises(SchedulingError, match="It is final"):
        services.appointment_check_in(appointment=appt, override_reason="x")


def test_no_show_only_once_the_time_has_come(clinic, patient_a, practitioner_a, frozen):
    appt = book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    with pytest.raises(SchedulingError, match="no-show only once"):
        services.appointment_mark_no_show(appointment=appt)
    frozen.move_to(at(0, 9, 20))
    assert services.appointment_mark_no_show(appointment=appt).status == Status.NO_SHOW


# --- Series ------------------------------------------------------------------------------------


def test_series_plan_lists_every_conflict_with_alternatives(clinic, patient_a, patient_b, practitioner_a):
    book(patient_b, practitioner_a, clinic["adjustment"], at(7, 9))  # second Monday taken
    starts = services.series_occurrences(first_date=at(0, 0).date(), weeks=3, weekdays=[0, 3], time_of_day=dt.time(9))
    assert len(starts) == 6
    plan = services.series_plan(practitioner=practitioner_a, appointment_type=clinic["adjustment"], starts=starts)
    conflicts = [o for o in plan if not o.ok]
    assert [o.start for o in conflicts] == [at(7, 9)]
    assert conflicts[0].alternatives and "already sees" in conflicts[0].problem


def test_series_book_books_all_or_nothing(clinic, patient_a, patient_b, practitioner_a):
    starts = [at(0, 9), at(3, 9), at(7, 9)]
    kwargs = dict(
        patient=patient_a,
        practitioner=practitioner_a,
        appointment_type=clinic["adjustment"],
        first_date=at(0, 0).date(),
        weeks=2,
        weekdays=[0, 3],
        time_of_day=dt.time(9),
    )
    series = services.series_book(starts=starts, **kwargs)
    assert series.appointments.count() == 3
    book(patient_b, practitioner_a, clinic["adjustment"], at(8, 9))
    with pytest.raises(SchedulingError, match="Nothing in the series was booked"):
        services.series_book(starts=[at(8, 8), at(8, 9)], **{**kwargs, "patient": patient_b})
    assert Appointment.objects.filter(patient=patient_b).count() == 1


# --- Waitlist ----------------------------------------------------------------------------------


def test_waitlist_matches_a_cancelled_time_and_offers_it_by_email(
    clinic, patient_a, patient_b, practitioner_a, practitioner_b, front_desk
):
    from scheduling import selectors

    appt = book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    wants = services.waitlist_add(
        patient=patient_b,
        appointment_type=clinic["adjustment"],
        practitioners=[practitioner_a],
        earliest_date=at(0, 0).date(),
        latest_date=at(2, 0).date(),
        time_from=dt.time(8),
        time_to=dt.time(12),
    )
    services.waitlist_add(  # wrong practitioner
        patient=PatientFactory(),
        appointment_type=clinic["adjustment"],
        practitioners=[practitioner_b],
        earliest_date=at(0, 0).date(),
        latest_date=at(2, 0).date(),
    )
    services.waitlist_add(  # afternoons only
        patient=PatientFactory(),
        appointment_type=clinic["adjustment"],
        earliest_date=at(0, 0).date(),
        latest_date=at(2, 0).date(),
        time_from=dt.time(13),
        time_to=dt.time(18),
    )
    anyone = services.waitlist_add(
        patient=PatientFactory(),
        appointment_type=clinic["adjustment"],
        earliest_date=at(0, 0).date(),
        latest_date=at(0, 0).date(),
    )
    appt = services.appointment_cancel(appointment=appt, reason="Away")
    assert list(selectors.waitlist_matches(appt)) == [wants, anyone]
    services.waitlist_offer(entry=wants, appointment=appt, actor=front_desk)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [patient_b.email]
    assert "09:00" in mail.outbox[0].body and practitioner_a.display_name in mail.outbox[0].body
    wants.refresh_from_db()
    assert wants.offered_at is not None


def test_waitlist_dates_out_of_order_are_refused(clinic, patient_a):
    with pytest.raises(SchedulingError):
        services.waitlist_add(
            patient=patient_a,
            appointment_type=clinic["adjustment"],
            earliest_date=at(3, 0).date(),
            latest_date=at(0, 0).date(),
        )


def test_check_in_for_a_type_without_consent_ignores_consent_items(clinic, patient_a, practitioner_a):
    clinic["adjustment"].requires_consent = False
    clinic["adjustment"].save()
    appt = book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    missing = Readiness(missing=("No signed consent",))
    with mock.patch("intake.selectors.patient_readiness", return_value=missing):
        assert services.check_in_missing(appt) == []
        assert services.appointment_check_in(appointment=appt).status == Status.CHECKED_IN


def test_online_new_patient_exam_is_refused_for_a_returning_patient(clinic, patient_a, practitioner_a):
    book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    with pytest.raises(SchedulingError) as exc:
        book(patient_a, practitioner_a, clinic["exam"], at(1, 9), source=Appointment.Source.ONLINE)
    assert "for new patients" in exc.value.message_dict["appointment_type"][0]
    # The front desk may still book it (e.g. a patient returning after years).
    assert book(patient_a, practitioner_a, clinic["exam"], at(1, 9)).appointment_type == clinic["exam"]


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
