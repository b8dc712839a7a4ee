"""Booking, moving and changing rooms: the practitioner's hours, the room pick and the no-double-booking guard.

No double booking: on PostgreSQL the exclusion constraints on `Appointment` refuse an overlapping row
whichever server sent it; the insert runs in a savepoint so the refusal becomes `SlotTaken` (with the
nearest free times), never a 500. On SQLite every outer transaction begins IMMEDIATE (see settings), so the
overlap check below and the insert run while this connection holds the database's only write lock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, OperationalError, connections, router, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from clinic import services as clinic_services
from clinic.models import AuditEvent, Patient, Practitioner, Room
from clinic.services import audit_record
from scheduling import availability, dates, notices
from scheduling.models import Appointment, AppointmentType, CarePlanSeries
from scheduling.services.common import SchedulingError, SlotTaken, when_text
from scheduling.services.notify import notify_after_commit, reminder_given_by_confirmation

Status = Appointment.Status

ROOM_CONSTRAINT = "appointment_no_room_overlap"
NO_OVERLAP_CONSTRAINTS = ("appointment_no_practitioner_overlap", ROOM_CONSTRAINT)


def _clash_words(clash: Appointment) -> dict[str, str]:
    """How a refusal names a clashing visit: its patient, its practitioner and its clock times."""
    return {
        "patient": clash.patient.full_name,
        "practitioner": clash.practitioner.display_name,
        "start": dates.clock(clash.start),
        "end": dates.clock(clash.end),
    }


def _overlapping(
    *, practitioner: Practitioner | None, patient: Patient | None, start: dt.datetime, end: dt.datetime, exclude_pk
) -> list[Appointment]:
    """Active visits overlapping [start, end) of the practitioner or of the patient, earliest first, in one query."""
    who = Q(practitioner=practitioner) if practitioner is not None else Q(pk__in=[])
    if patient is not None and patient.pk is not None:
        who |= Q(patient=patient)
    return list(
        Appointment.objects.filter(who, status__in=Appointment.ACTIVE_STATUSES, start__lt=end, end__gt=start)
        .exclude(pk=exclude_pk)
        .select_related("patient", "practitioner")
        .order_by("start")
    )


def _practitioner_clash(practitioner: Practitioner, clashes: list[Appointment]) -> str:
    """The practitioner's own appointment among `clashes`, in the front desk's words ("" when none)."""
    clash = next((a for a in clashes if a.practitioner_id == practitioner.pk), None)
    if clash is None:
        return ""
    return gettext("%(practitioner)s already sees %(patient)s from %(start)s to %(end)s.") % _clash_words(clash)


def _patient_clash(patient: Patient | None, clashes: list[Appointment]) -> str:
    """The patient's own visit among `clashes`, with anyone ("" when none)."""
    clash = next((a for a in clashes if patient is not None and a.patient_id == patient.pk), None)
    if clash is None:
        return ""
    return gettext("%(patient)s already has a visit from %(start)s to %(end)s that day with %(practitioner)s.") % (
        _clash_words(clash)
    )


def practitioner_conflict(
    *, practitioner: Practitioner, start: dt.datetime, end: dt.datetime, exclude_pk: int | None
) -> str:
    """The practitioner's own appointment overlapping [start, end), in the front desk's words ("" when none)."""
    clashes = _overlapping(practitioner=practitioner, patient=None, start=start, end=end, exclude_pk=exclude_pk)
    return _practitioner_clash(practitioner, clashes)


def patient_conflict(*, patient: Patient | None, start: dt.datetime, end: dt.datetime, exclude_pk: int | None) -> str:
    """The patient's own active visit overlapping [start, end), with anyone ("" when none)."""
    if patient is None or patient.pk is None:
        return ""
    clashes = _overlapping(practitioner=None, patient=patient, start=start, end=end, exclude_pk=exclude_pk)
    return _patient_clash(patient, clashes)


def _hours_problem(data, practitioner: Practitioner, start: dt.datetime, end: dt.datetime, day: dt.date) -> str:
    """Why the practitioner cannot see anyone then: time off that day, or outside their hours."""
    time_off = [e for e in data.exceptions.get(practitioner.pk, ()) if e.date == day and e.kind == "time_off"]
    for e in time_off:
        whole_day = e.start_time is None or e.end_time is None
        if whole_day or (
            dt.datetime.combine(day, e.start_time, tzinfo=start.tzinfo) < end
            and start < dt.datetime.combine(day, e.end_time, tzinfo=start.tzinfo)
        ):
            words = {"name": practitioner.display_name, "day": dates.day_short_padded(start)}
            if whole_day:
                return gettext("%(name)s is on time off all day on %(day)s. Choose another day or time.") % words
            words |= {"start": f"{e.start_time:%H:%M}", "end": f"{e.end_time:%H:%M}"}
            return (
                gettext("%(name)s is on time off from %(start)s to %(end)s on %(day)s. Choose another day or time.")
                % words
            )
    return gettext(
        "%(name)s does not work from %(start)s to %(end)s. Pick a time inside their hours (see Find a slot)."
    ) % {"name": practitioner.display_name, "start": dates.day_year_time_padded(start), "end": dates.clock(end)}


def _pick_room(
    *,
    location_id: int,
    start: dt.datetime,
    blocks_until: dt.datetime,
    exclude_pk: int | None,
    skip: Sequence[int] = (),
) -> Room | None:
    """The first room (by name) at the location that is free from `start` to `blocks_until`, not in `skip`."""
    taken = Appointment.objects.filter(
        status__in=Appointment.ACTIVE_STATUSES, start__lt=blocks_until, blocks_until__gt=start
    )
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    return (
        Room.objects.filter(location_id=location_id, active=True)
        .exclude(pk__in=taken.values("room_id"))
        .exclude(pk__in=list(skip))
        .order_by("name")
        .first()
    )


@dataclass(frozen=True)
class _Placement:
    """Where `validate_time` put a session: the room, and the location when the service picked that room (so
    a concurrent booking that takes it first sends this one to the next free room instead of refusing it)."""

    room: Room
    picked_at: int | None


def validate_time(
    *,
    appointment_type: AppointmentType,
    practitioner: Practitioner,
    start: dt.datetime,
    room: Room | None,
    now: dt.datetime,
    exclude_pk: int | None,
    preferred_room: Room | None = None,
    patient: Patient | None = None,
) -> _Placement:
    """Checks shared by booking and moving; returns the room to use (`preferred_room` when the service picks
    and it is free then, wherever else it is used). Raises SchedulingError / SlotTaken.

    A refusal names the most specific conflict first: the practitioner's own appointment, their time off or
    hours, the patient's own overlapping visit, then the rooms. "Just taken" is kept for a real race (see
    `_save_guarded`)."""
    if timezone.is_naive(start):
        raise SchedulingError({"start": [gettext("Give the time with its time zone.")]})
    end = start + appointment_type.duration
    if start < now:
        raise SchedulingError({"start": [gettext("That time is in the past. Choose a time from now on.")]})

    def taken(problem: str) -> SlotTaken:
        return SlotTaken(
            problem,
            alternatives=alternatives_near(appointment_type, practitioner, start, exclude_pk, now, patient=patient),
        )

    blocks_until = end + appointment_type.buffer_after
    zone = availability.clinic_zone()
    local = start.astimezone(zone)
    day = local.date()
    picked = room is None
    # Everything the checks below read, in one statement: the practitioner's hours that day, the overlapping
    # visits of the practitioner or the patient, the rooms free then (no availability load to book one slot),
    # among them the room the desk chose or the preferred one (e.g. a moved visit's own), wherever they are.
    asked = room if not picked else preferred_room
    facts = availability.load_booking_facts(
        practitioner_id=practitioner.pk,
        patient_id=patient.pk if patient is not None else None,
        start=start,
        end=end,
        blocks_until=blocks_until,
        room_id=asked.pk if asked is not None else None,
        exclude_appointment_id=exclude_pk,
        zone=zone,
    )
    # A clash is read again with its patient and practitioner to be named (a refusal only); refused in the order
    # above.
    clashes = (
        _overlapping(practitioner=practitioner, patient=patient, start=start, end=end, exclude_pk=exclude_pk)
        if facts.clash_ids
        else []
    )
    problem = _practitioner_clash(practitioner, clashes)
    if problem:
        raise taken(problem)
    location_id = availability.location_for(facts.hours, practitioner.pk, start, end, zone)
    if location_id is None:
        raise SchedulingError({"start": [_hours_problem(facts.hours, practitioner, local, end, day)]})
    problem = _patient_clash(patient, clashes)
    if problem:
        raise taken(problem)
    free_here = [(room_id, name) for room_id, at, name in facts.free_rooms if at == location_id]
    if (
        picked
        and preferred_room is not None
        and preferred_room.location_id == location_id
        and preferred_room.pk in {room_id for room_id, _name in free_here}
    ):
        room = preferred_room
    elif picked:
        if not free_here:
            raise taken(gettext("No room is free then: every room is booked or being cleaned."))
        # The first free room by name (as `_pick_room`), made from the row read: all of its fields are known.
        room_id, name = free_here[0]
        room = Room.from_db(
            Room.objects.db, ["id", "location_id", "name", "active"], [room_id, location_id, name, True]
        )
    elif room.location_id != location_id:
        raise SchedulingError(
            {
                "room": [
                    gettext("%(room)s is not where %(name)s works at that time.")
                    % {"room": room, "name": practitioner.display_name}
                ]
            }
        )
    elif room.pk not in {room_id for room_id, _name in free_here}:
        # A room the desk chose. One the service chose (or the moved appointment's own) was free a statement
        # ago; checking it again could only see a concurrent booking commit in between and refuse a time
        # another room can serve. The insert settles such a race (see _save_guarded).
        raise taken(gettext("%(room)s is taken then (including cleaning time).") % {"room": room.name})
    return _Placement(room=room, picked_at=location_id if picked else None)


def _no_room_free(appointment_type, practitioner, start, exclude_pk, now) -> SlotTaken:
    """A race lost: the last free room went to a concurrent booking between the pick and the insert."""
    return SlotTaken(
        gettext("That time was just taken: every room is in use then."),
        alternatives=alternatives_near(appointment_type, practitioner, start, exclude_pk, now),
    )


def alternatives_near(
    appointment_type,
    practitioner,
    start,
    exclude_pk,
    now,
    *,
    patient: Patient | None = None,
    avoid_days: Sequence[dt.date] = (),
    count: int = 3,
) -> list[availability.Slot]:
    """The free times nearest `start`; with `patient`, none that overlaps or shares a day with the patient's
    own active visits, and none on `avoid_days` (e.g. the other days of a series)."""
    anywhere = patient is None and not avoid_days
    zone = availability.clinic_zone()
    busy_days = set(avoid_days)
    if patient is not None and patient.pk is not None:
        own = Appointment.objects.filter(patient=patient, status__in=Appointment.ACTIVE_STATUSES, end__gt=now).exclude(
            pk=exclude_pk
        )
        busy_days |= {s.astimezone(zone).date() for s in own.values_list("start", flat=True)}
    nearest = availability.nearest_free(
        appointment_type=appointment_type,
        practitioner_id=practitioner.pk,
        around=start,
        count=count if anywhere else 60,  # more, to keep `count` of them off the busy days
        now=now,
        exclude_appointment_id=exclude_pk,
    )
    if anywhere:
        return nearest
    fitting = [s for s in nearest if s.start.astimezone(zone).date() not in busy_days]
    closest = sorted(fitting, key=lambda s: abs(s.start - start))[:count]
    return sorted(closest, key=lambda s: s.start)


# The rows an appointment points at are the ones the service was given or loaded; its uid is new; its own
# checks and the exclusion constraints are the database's, and `_save_guarded` turns their refusals into
# messages. Validating those again would cost a query each (seven, with two savepoints) for every booking.
_GIVEN = ["patient", "practitioner", "room", "appointment_type", "booked_by", "cancelled_by", "series"]


def _clean(appointment: Appointment) -> None:
    """The field checks a person can fail (lengths, choices), without re-reading what the service holds."""
    appointment.full_clean(exclude=_GIVEN, validate_unique=False, validate_constraints=False)


DEADLOCK = "40P01"  # PostgreSQL's SQLSTATE for a deadlock it broke by refusing one statement


def _save_guarded(
    appointment: Appointment, *, now: dt.datetime, exclude_pk: int | None, repick_at: int | None = None
) -> None:
    """Save inside a savepoint; an exclusion-constraint refusal (a concurrent booking) becomes SlotTaken.

    With `repick_at` (the location, when the service chose the room) a refusal by the room constraint alone is
    not "taken": two requests for different practitioners can pick the same free room at once, and the one that
    loses moves to the next free room there. Each retry runs in a fresh savepoint and skips every room already
    refused, so it ends after at most as many tries as the location has rooms. Only the practitioner's own
    conflict, or no free room left, is "just taken". (SQLite never gets here: its IMMEDIATE transaction holds
    the write lock from the room pick to the insert.)
    """
    refused: list[int] = []
    deadlocks = 0
    # SQLite has no exclusion constraints (and holds the write lock since the checks): nothing to catch there,
    # so no savepoint around the insert; any other refusal rolls the booking back with the caller's transaction.
    guarded = connections[router.db_for_write(Appointment)].vendor == "postgresql"
    while True:
        deadlocked = False
        try:
            with transaction.atomic() if guarded else contextlib.nullcontext():
                appointment.save()
            return
        except OperationalError as exc:
            # Two bookings retrying into each other's rooms at once can each wait on the other's uncommitted
            # row: PostgreSQL breaks the tie by refusing one statement (deadlock, SQLSTATE 40P01). Its savepoint
            # is rolled back, so it simply tries again (a few times at most), room picked afresh.
            if getattr(exc.__cause__, "sqlstate", None) != DEADLOCK:
                raise
            deadlocks += 1
            if repick_at is None or deadlocks > 3:  # a race lost all the same: say so, with the nearest times
                raise SlotTaken(
                    gettext("That time was just taken by another booking."),
                    alternatives=alternatives_near(
                        appointment.appointment_type, appointment.practitioner, appointment.start, exclude_pk, now
                    ),
                ) from exc
            deadlocked = True
        except IntegrityError as exc:
            message = str(exc)
            if not any(name in message for name in NO_OVERLAP_CONSTRAINTS):
                raise
            if repick_at is None or ROOM_CONSTRAINT not in message:
                raise SlotTaken(
                    gettext("That time was just taken by another booking."),
                    alternatives=alternatives_near(
                        appointment.appointment_type, appointment.practitioner, appointment.start, exclude_pk, now
                    ),
                ) from exc
        if not deadlocked:  # the room was refused for good; after a deadlock it may well be free now
            refused.append(appointment.room_id)
        # A new statement: under READ COMMITTED it sees the booking that won the room.
        room = _pick_room(
            location_id=repick_at,
            start=appointment.start,
            blocks_until=appointment.blocks_until,
            exclude_pk=exclude_pk,
            skip=refused,
        )
        if room is None:
            raise _no_room_free(
                appointment.appointment_type, appointment.practitioner, appointment.start, exclude_pk, now
            )
        appointment.room = room


def _in_one_transaction(service):
    """Run `service` in a transaction of its own, or in the caller's when one is open, with no savepoint: its
    refusals (SchedulingError, SlotTaken) come before its first write, or after the insert's own savepoint was
    rolled back, so a caller that catches one and carries on (online booking trying the next practitioner, a
    series naming the visit that failed) has nothing of it to undo, and anything else fails the caller's
    transaction as a whole."""

    @functools.wraps(service)
    def run(*args, **kwargs):
        if transaction.get_connection(router.db_for_write(Appointment)).in_atomic_block:
            return service(*args, **kwargs)
        with transaction.atomic(using=router.db_for_write(Appointment)):
            return service(*args, **kwargs)

    return run


def _place(
    appointment: Appointment, *, start: dt.datetime, room: Room | None, now: dt.datetime, notify: bool, actor, request
) -> Appointment:
    """What booking a new appointment and moving a saved one share: `validate_time` for its type, practitioner and
    patient (a saved one's own row left out, and its room kept when the service picks and it is free then), its
    room and times set, the row saved guarded and audited ("booked ..." or "moved from ... to ...", with the room
    it was saved in), and with `notify` the confirmation or the change recorded for the patient (inside the
    reminder window saved with the reminder given: no UPDATE afterwards). A moved appointment's `sequence` goes
    up and its reminder is cleared, so the new time gets its own (a reminder queued for the old time is skipped)."""
    exclude_pk = appointment.pk
    new = exclude_pk is None
    placement = validate_time(
        appointment_type=appointment.appointment_type,
        practitioner=appointment.practitioner,
        start=start,
        room=room,
        now=now,
        exclude_pk=exclude_pk,
        preferred_room=None if new or room is not None else appointment.room,  # a moved one's, when free then
        patient=appointment.patient,
    )
    if new:
        done = f"booked {appointment.appointment_type.slug} {when_text(start)}"
    else:
        done = f"moved from {when_text(appointment.start)} to {when_text(start)}"
        appointment.sequence += 1
        appointment.reminder_sent_at = None
        appointment.reminder_task_id = ""
    appointment.room = placement.room
    appointment.start = start
    appointment.end = start + appointment.appointment_type.duration
    appointment.blocks_until = appointment.end + appointment.appointment_type.buffer_after
    _clean(appointment)
    if notify:
        reminder_given_by_confirmation(appointment, now=now)
    _save_guarded(appointment, now=now, exclude_pk=exclude_pk, repick_at=placement.picked_at)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE if new else AuditEvent.Action.UPDATE,
        obj=appointment,
        request=request,
        detail=f"{done} with {appointment.practitioner.display_name} in {appointment.room.name}",
    )
    if notify:
        notify_after_commit(appointment, notices.CONFIRMATION if new else notices.RESCHEDULE, now=now)
    return appointment


@_in_one_transaction
def appointment_book(
    *,
    patient: Patient,
    practitioner: Practitioner,
    appointment_type: AppointmentType,
    start: dt.datetime,
    room: Room | None = None,
    actor=None,
    source: str = Appointment.Source.FRONT_DESK,
    frontdesk_notes: str = "",
    series: CarePlanSeries | None = None,
    request=None,
    now: dt.datetime | None = None,
    notify: bool = False,
) -> Appointment:
    """Book a session: inside the practitioner's hours, not in the past, with a free room (picked when not
    given). A taken time raises SlotTaken carrying the nearest free times. `notify` e-mails the patient a
    confirmation and schedules the reminder once the transaction commits."""
    now = now or timezone.now()
    if not appointment_type.active:
        raise SchedulingError({"appointment_type": [gettext("This appointment type is no longer offered.")]})
    if not practitioner.active:
        raise SchedulingError({"practitioner": [gettext("This practitioner is not taking appointments.")]})
    if (
        source == Appointment.Source.ONLINE
        and appointment_type.new_patient_only
        and Appointment.objects.filter(patient=patient, status__in=Appointment.ACTIVE_STATUSES).exists()
    ):
        raise SchedulingError(
            {
                "appointment_type": [
                    gettext("%(type)s is for new patients; choose a follow-up visit instead.")
                    % {"type": appointment_type.local_name}
                ]
            }
        )
    appointment = Appointment(
        patient=patient,
        practitioner=practitioner,
        appointment_type=appointment_type,
        source=source,
        booked_by=actor if getattr(actor, "is_authenticated", False) else None,
        frontdesk_notes=frontdesk_notes,
        series=series,
    )
    return _place(appointment, start=start, room=room, now=now, notify=notify, actor=actor, request=request)


def appointment_book_registering(
    *, patient: Patient | None, new_patient: dict, language: str = "", actor=None, request=None, **booking
):
    """Book for `patient`, or, when it is None, register the new patient from `new_patient` (the fields of
    `clinic.services.patient_create`) and book: one transaction, so the patient is registered only if the
    booking succeeds. `language`, given for a known patient, is stored on their record first, in the same
    transaction: the confirmation is written in it, and a refused booking changes nothing. The other arguments
    are `appointment_book`'s. (A known patient and no language: the booking's own transaction, no savepoint.)"""
    if patient is not None and not language:
        return appointment_book(patient=patient, actor=actor, request=request, **booking)
    with transaction.atomic(using=router.db_for_write(Appointment)):
        if patient is None:
            patient = clinic_services.patient_create(actor=actor, request=request, **new_patient)
        else:
            clinic_services.patient_language_set(patients=[patient], language=language, actor=actor, request=request)
        return appointment_book(patient=patient, actor=actor, request=request, **booking)


@_in_one_transaction
def appointment_move(
    *,
    appointment: Appointment,
    start: dt.datetime,
    practitioner: Practitioner | None = None,
    room: Room | None = None,
    actor=None,
    request=None,
    now: dt.datetime | None = None,
    notify: bool = False,
) -> Appointment:
    """Reschedule a booked appointment (same rules as booking); bumps `sequence` for calendar updates and
    clears the reminder, so the new time gets its own (a reminder queued for the old time is then skipped)."""
    now = now or timezone.now()
    # Locked (its row only), with what the checks and the audit line read, in one query.
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("patient", "practitioner", "room", "appointment_type")
        .get(pk=appointment.pk)
    )
    if appointment.status != Status.BOOKED:
        raise SchedulingError(
            gettext("Only a booked appointment can be moved; this one is %(status)s.")
            % {"status": appointment.get_status_display().lower()}
        )
    appointment.practitioner = practitioner or appointment.practitioner
    return _place(appointment, start=start, room=room, now=now, notify=notify, actor=actor, request=request)


@transaction.atomic
def appointment_change_room(*, appointment: Appointment, room: Room, actor=None, request=None) -> Appointment:
    """Put an active appointment in another room at the same location, if that room is free then."""
    appointment = Appointment.objects.select_for_update().select_related("room").get(pk=appointment.pk)
    if not appointment.is_active or appointment.status == Status.COMPLETED:
        raise SchedulingError(gettext("The room of a finished or cancelled appointment cannot change."))
    if room.location_id != appointment.room.location_id:
        raise SchedulingError({"room": [gettext("Choose a room at the same location.")]})
    if not room.active:
        raise SchedulingError({"room": [gettext("That room is not in use.")]})
    taken = (
        Appointment.objects.filter(
            status__in=Appointment.ACTIVE_STATUSES,
            room=room,
            start__lt=appointment.blocks_until,
            blocks_until__gt=appointment.start,
        )
        .exclude(pk=appointment.pk)
        .exists()
    )
    if taken:
        raise SlotTaken(
            gettext("%(room)s is taken at that time. Choose another room.") % {"room": room.name}, field="room"
        )
    old = appointment.room.name
    appointment.room = room
    _save_guarded(appointment, now=timezone.now(), exclude_pk=appointment.pk)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=appointment,
        request=request,
        detail=f"room {old} -> {room.name}",
    )
    return appointment
