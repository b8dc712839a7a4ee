"""Writes for scheduling: booking, moving, the status state machine, series, waitlist.

No double booking: on PostgreSQL the exclusion constraints on `Appointment` refuse an overlapping row
whichever server sent it; the insert runs in a savepoint so the refusal becomes `SlotTaken` (with the
nearest free times), never a 500. On SQLite every outer transaction begins IMMEDIATE (see settings), so the
overlap check below and the insert run while this connection holds the database's only write lock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from clinic.models import AuditEvent, Patient, Practitioner, Room
from clinic.services import audit_record
from intake import selectors as intake_selectors
from scheduling import availability, notices, selectors
from scheduling.models import Appointment, AppointmentType, CarePlanSeries, WaitlistEntry

Status = Appointment.Status

ROOM_CONSTRAINT = "appointment_no_room_overlap"
NO_OVERLAP_CONSTRAINTS = ("appointment_no_practitioner_overlap", ROOM_CONSTRAINT)


class SchedulingError(ValidationError):
    """A booking rule refused the request; the message says what to do instead."""


class SlotTaken(SchedulingError):
    """That time was just taken (by another booking or a concurrent request); `alternatives` are free times."""

    def __init__(self, message: str, *, alternatives: Sequence[availability.Slot] = (), field: str = "start"):
        super().__init__({field: [message]}, code="slot_taken")
        self.alternatives = list(alternatives)
        self.text = message


def error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# The state machine: the only allowed status moves. Everything else is refused.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.BOOKED: frozenset({Status.CHECKED_IN, Status.CANCELLED, Status.NO_SHOW}),
    Status.CHECKED_IN: frozenset({Status.IN_TREATMENT, Status.COMPLETED, Status.CANCELLED}),
    Status.IN_TREATMENT: frozenset({Status.COMPLETED}),
    Status.COMPLETED: frozenset(),
    Status.CANCELLED: frozenset(),
    Status.NO_SHOW: frozenset(),
}


def allowed_moves(appointment: Appointment) -> frozenset[str]:
    return TRANSITIONS[appointment.status]


def _check_transition(appointment: Appointment, to: str) -> None:
    if to not in TRANSITIONS[appointment.status]:
        raise SchedulingError(
            f"An appointment that is {appointment.get_status_display().lower()} cannot become "
            f"{Status(to).label.lower()}."
            + (
                f" Allowed next: {', '.join(Status(s).label.lower() for s in sorted(TRANSITIONS[appointment.status]))}."
                if TRANSITIONS[appointment.status]
                else " It is final."
            ),
            code="illegal_status_move",
        )


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%a %d %b %Y %H:%M")


def _conflicts(
    *,
    practitioner: Practitioner,
    room: Room | None,
    start: dt.datetime,
    end: dt.datetime,
    blocks_until: dt.datetime,
    exclude_pk: int | None,
) -> list[str]:
    """What overlaps the proposed appointment, in words (empty when it is free). `room=None` checks the
    practitioner only (a room the service just picked as free)."""
    active = Appointment.objects.filter(status__in=Appointment.ACTIVE_STATUSES)
    if exclude_pk is not None:
        active = active.exclude(pk=exclude_pk)
    problems = []
    if active.filter(practitioner=practitioner, start__lt=end, end__gt=start).exists():
        problems.append(f"{practitioner.display_name} already has an appointment then")
    if room is not None and active.filter(room=room, start__lt=blocks_until, blocks_until__gt=start).exists():
        problems.append(f"{room.name} is taken then (including cleaning time)")
    return problems


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
    """Where `_validate_time` put a session: the room, and the location when the service picked that room (so
    a concurrent booking that takes it first sends this one to the next free room instead of refusing it)."""

    room: Room
    picked_at: int | None


def _validate_time(
    *,
    appointment_type: AppointmentType,
    practitioner: Practitioner,
    start: dt.datetime,
    room: Room | None,
    now: dt.datetime,
    exclude_pk: int | None,
    preferred_room: Room | None = None,
) -> _Placement:
    """Checks shared by booking and moving; returns the room to use. Raises SchedulingError / SlotTaken."""
    if timezone.is_naive(start):
        raise SchedulingError({"start": ["Give the time with its time zone."]})
    end = start + appointment_type.duration
    if start < now:
        raise SchedulingError({"start": ["That time is in the past. Choose a time from now on."]})
    zone = availability.clinic_zone()
    day = start.astimezone(zone).date()
    data = availability.load_schedule(practitioner_ids=[practitioner.pk], first_day=day, last_day=day, zone=zone)
    location_id = availability.location_for(data, practitioner.pk, start, end, zone)
    if location_id is None:
        raise SchedulingError(
            {
                "start": [
                    f"{practitioner.display_name} does not work from {_local(start)} to "
                    f"{timezone.localtime(end):%H:%M}. Pick a time inside their hours (see Find a slot)."
                ]
            }
        )
    blocks_until = end + appointment_type.buffer_after
    picked = room is None
    if picked and preferred_room is not None and preferred_room.location_id == location_id:
        room = preferred_room
    elif picked:
        room = _pick_room(location_id=location_id, start=start, blocks_until=blocks_until, exclude_pk=exclude_pk)
        if room is None:
            raise _no_room_free(appointment_type, practitioner, start, exclude_pk, now)
    elif room.location_id != location_id:
        raise SchedulingError({"room": [f"{room} is not where {practitioner.display_name} works at that time."]})
    # A room the service chose (or the moved appointment's own) was free a statement ago; checking it again
    # could only see a concurrent booking commit in between and refuse a time another room can serve.
    # The insert settles such a race (see _save_guarded).
    problems = _conflicts(
        practitioner=practitioner,
        room=None if picked else room,
        start=start,
        end=end,
        blocks_until=blocks_until,
        exclude_pk=exclude_pk,
    )
    if problems:
        raise SlotTaken(
            "That time was just taken: " + "; ".join(problems) + ".",
            alternatives=_alternatives(appointment_type, practitioner, start, exclude_pk, now),
        )
    return _Placement(room=room, picked_at=location_id if picked else None)


def _no_room_free(appointment_type, practitioner, start, exclude_pk, now) -> SlotTaken:
    return SlotTaken(
        "That time was just taken: every room is in use then.",
        alternatives=_alternatives(appointment_type, practitioner, start, exclude_pk, now),
    )


def _alternatives(appointment_type, practitioner, start, exclude_pk, now) -> list[availability.Slot]:
    return availability.nearest_free(
        appointment_type=appointment_type,
        practitioner_id=practitioner.pk,
        around=start,
        now=now,
        exclude_appointment_id=exclude_pk,
    )


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
    while True:
        try:
            with transaction.atomic():
                appointment.save()
            return
        except IntegrityError as exc:
            message = str(exc)
            if not any(name in message for name in NO_OVERLAP_CONSTRAINTS):
                raise
            if repick_at is None or ROOM_CONSTRAINT not in message:
                raise SlotTaken(
                    "That time was just taken by another booking.",
                    alternatives=_alternatives(
                        appointment.appointment_type, appointment.practitioner, appointment.start, exclude_pk, now
                    ),
                ) from exc
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


@transaction.atomic
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
        raise SchedulingError({"appointment_type": ["This appointment type is no longer offered."]})
    if not practitioner.active:
        raise SchedulingError({"practitioner": ["This practitioner is not taking appointments."]})
    if (
        source == Appointment.Source.ONLINE
        and appointment_type.new_patient_only
        and Appointment.objects.filter(patient=patient, status__in=Appointment.ACTIVE_STATUSES).exists()
    ):
        raise SchedulingError(
            {"appointment_type": [f"{appointment_type.name} is for new patients; choose a follow-up visit instead."]}
        )
    placement = _validate_time(
        appointment_type=appointment_type, practitioner=practitioner, start=start, room=room, now=now, exclude_pk=None
    )
    end = start + appointment_type.duration
    appointment = Appointment(
        patient=patient,
        practitioner=practitioner,
        room=placement.room,
        appointment_type=appointment_type,
        start=start,
        end=end,
        blocks_until=end + appointment_type.buffer_after,
        source=source,
        booked_by=actor if getattr(actor, "is_authenticated", False) else None,
        frontdesk_notes=frontdesk_notes,
        series=series,
    )
    appointment.full_clean()
    _save_guarded(appointment, now=now, exclude_pk=None, repick_at=placement.picked_at)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=appointment,
        request=request,
        detail=f"booked {appointment_type.slug} {_local(start)} with {practitioner.display_name} "
        f"in {appointment.room.name}",
    )
    if notify:
        _notify(appointment, notices.CONFIRMATION, now=now)
    return appointment


def _current_room_if_free(appointment: Appointment, start: dt.datetime) -> Room | None:
    """Keep the patient in the same room when it is free at the new time (fewer surprises for the desk)."""
    end = start + appointment.appointment_type.duration
    taken = (
        Appointment.objects.filter(
            status__in=Appointment.ACTIVE_STATUSES,
            room_id=appointment.room_id,
            start__lt=end + appointment.appointment_type.buffer_after,
            blocks_until__gt=start,
        )
        .exclude(pk=appointment.pk)
        .exists()
    )
    return None if taken else appointment.room


@transaction.atomic
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
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.status != Status.BOOKED:
        raise SchedulingError(
            f"Only a booked appointment can be moved; this one is {appointment.get_status_display().lower()}."
        )
    practitioner = practitioner or appointment.practitioner
    old = _local(appointment.start)
    placement = _validate_time(
        appointment_type=appointment.appointment_type,
        practitioner=practitioner,
        start=start,
        room=room,
        now=now,
        exclude_pk=appointment.pk,
        preferred_room=_current_room_if_free(appointment, start) if room is None else None,
    )
    appointment.practitioner = practitioner
    appointment.room = placement.room
    appointment.start = start
    appointment.end = start + appointment.appointment_type.duration
    appointment.blocks_until = appointment.end + appointment.appointment_type.buffer_after
    appointment.sequence += 1
    appointment.reminder_sent_at = None
    appointment.reminder_task_id = ""
    appointment.full_clean()
    _save_guarded(appointment, now=now, exclude_pk=appointment.pk, repick_at=placement.picked_at)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=appointment,
        request=request,
        detail=f"moved from {old} to {_local(start)} with {practitioner.display_name} in {appointment.room.name}",
    )
    if notify:
        _notify(appointment, notices.RESCHEDULE, now=now)
    return appointment


@transaction.atomic
def appointment_change_room(*, appointment: Appointment, room: Room, actor=None, request=None) -> Appointment:
    """Put an active appointment in another room at the same location, if that room is free then."""
    appointment = Appointment.objects.select_for_update().select_related("room").get(pk=appointment.pk)
    if not appointment.is_active or appointment.status == Status.COMPLETED:
        raise SchedulingError("The room of a finished or cancelled appointment cannot change.")
    if room.location_id != appointment.room.location_id:
        raise SchedulingError({"room": ["Choose a room at the same location."]})
    if not room.active:
        raise SchedulingError({"room": ["That room is not in use."]})
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
        raise SlotTaken(f"{room.name} is taken at that time. Choose another room.", field="room")
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


def _transition(appointment: Appointment, to: str, *, actor, request, detail: str = "", **changes) -> Appointment:
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    _check_transition(appointment, to)
    old = appointment.status
    appointment.status = to
    for name, value in changes.items():
        setattr(appointment, name, value)
    appointment.full_clean()
    appointment.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=appointment,
        request=request,
        detail=f"status {old} -> {to}" + (f": {detail}" if detail else ""),
    )
    return appointment


@transaction.atomic
def appointment_cancel(
    *, appointment: Appointment, reason: str, actor=None, request=None, notify: bool = False
) -> Appointment:
    """Cancel with a reason and who cancelled; frees the practitioner and the room at once. `notify` e-mails
    the patient (with a METHOD:CANCEL calendar file) after commit."""
    reason = (reason or "").strip()
    if not reason:
        raise SchedulingError({"reason": ["Say why the appointment is cancelled."]})
    appointment = _transition(
        appointment,
        Status.CANCELLED,
        actor=actor,
        request=request,
        detail=reason,
        cancellation_reason=reason[:300],
        cancelled_by=actor if getattr(actor, "is_authenticated", False) else None,
        cancelled_at=timezone.now(),
    )
    if notify:
        _notify(appointment, notices.CANCELLATION, now=timezone.now())
    return appointment


def check_in_missing(appointment: Appointment) -> list[str]:
    """What intake and consent lack for this patient, in words (empty when ready). For a type that does not
    require signed consent, intake's consent items are left out."""
    readiness = intake_selectors.patient_readiness(appointment.patient)
    missing = list(readiness.missing)
    if not appointment.appointment_type.requires_consent:
        missing = [item for item in missing if "consent" not in item.lower()]
    return missing


@transaction.atomic
def appointment_check_in(
    *, appointment: Appointment, actor=None, override_reason: str = "", request=None
) -> Appointment:
    """Check a patient in. When intake or consent is missing the front desk must give a reason to go ahead."""
    missing = check_in_missing(appointment)
    override_reason = (override_reason or "").strip()
    if missing and not override_reason:
        raise SchedulingError(
            {"override_reason": ["Missing: " + "; ".join(missing) + ". Give a reason to check in anyway."]}
        )
    return _transition(
        appointment,
        Status.CHECKED_IN,
        actor=actor,
        request=request,
        detail=f"override ({'; '.join(missing)}): {override_reason}" if missing else "",
        checked_in_at=timezone.now(),
        check_in_override_reason=override_reason[:300] if missing else "",
    )


@transaction.atomic
def appointment_start_treatment(*, appointment: Appointment, actor=None, request=None) -> Appointment:
    return _transition(appointment, Status.IN_TREATMENT, actor=actor, request=request)


@transaction.atomic
def appointment_complete(*, appointment: Appointment, actor=None, request=None) -> Appointment:
    return _transition(appointment, Status.COMPLETED, actor=actor, request=request)


@transaction.atomic
def appointment_mark_no_show(
    *, appointment: Appointment, actor=None, request=None, now: dt.datetime | None = None
) -> Appointment:
    """A booked patient did not come. Only once the appointment has started."""
    now = now or timezone.now()
    if appointment.start > now:
        raise SchedulingError("A patient can be marked as a no-show only once the appointment time has come.")
    return _transition(appointment, Status.NO_SHOW, actor=actor, request=request)


STATUS_ACTIONS = {
    Status.IN_TREATMENT: appointment_start_treatment,
    Status.COMPLETED: appointment_complete,
    Status.NO_SHOW: appointment_mark_no_show,
}


# --- Care-plan series -------------------------------------------------------------------------


@dataclass
class Occurrence:
    """One wanted time of a series: free, or taken with the nearest free alternatives."""

    start: dt.datetime
    problem: str = ""
    alternatives: list[availability.Slot] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problem


def series_occurrences(
    *, first_date: dt.date, weeks: int, weekdays: Sequence[int], time_of_day: dt.time
) -> list[dt.datetime]:
    zone = availability.clinic_zone()
    monday = first_date - dt.timedelta(days=first_date.weekday())
    starts = []
    for week in range(weeks):
        for weekday in sorted(set(weekdays)):
            day = monday + dt.timedelta(weeks=week, days=weekday)
            if day >= first_date:
                starts.append(dt.datetime.combine(day, time_of_day, tzinfo=zone))
    return starts


def series_plan(
    *,
    practitioner: Practitioner,
    appointment_type: AppointmentType,
    starts: Sequence[dt.datetime],
    now: dt.datetime | None = None,
) -> list[Occurrence]:
    """Check every wanted start of a series; each that cannot be booked is listed with alternatives."""
    now = now or timezone.now()
    plan = []
    for start in starts:
        try:
            _validate_time(
                appointment_type=appointment_type,
                practitioner=practitioner,
                start=start,
                room=None,
                now=now,
                exclude_pk=None,
            )
        except SchedulingError as exc:
            plan.append(
                Occurrence(start, error_text(exc), _alternatives(appointment_type, practitioner, start, None, now))
            )
        else:
            plan.append(Occurrence(start))
    return plan


@transaction.atomic
def series_book(
    *,
    patient: Patient,
    practitioner: Practitioner,
    appointment_type: AppointmentType,
    first_date: dt.date,
    weeks: int,
    weekdays: Sequence[int],
    time_of_day: dt.time,
    starts: Sequence[dt.datetime],
    notes: str = "",
    actor=None,
    request=None,
    now: dt.datetime | None = None,
) -> CarePlanSeries:
    """Book every start of a care plan in one transaction: all of them or none (a taken time raises SlotTaken
    naming it, so the front desk chooses again; nothing is skipped silently)."""
    if not starts:
        raise SchedulingError("A series needs at least one appointment.")
    series = CarePlanSeries(
        patient=patient,
        practitioner=practitioner,
        appointment_type=appointment_type,
        first_date=first_date,
        weeks=weeks,
        weekdays=",".join(str(d) for d in sorted(set(weekdays))),
        time_of_day=time_of_day,
        notes=notes,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    series.full_clean()
    series.save()
    for start in sorted(starts):
        try:
            appointment_book(
                patient=patient,
                practitioner=practitioner,
                appointment_type=appointment_type,
                start=start,
                actor=actor,
                series=series,
                request=request,
                now=now,
            )
        except SchedulingError as exc:
            raise SchedulingError(f"{_local(start)}: {error_text(exc)} Nothing in the series was booked.") from exc
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=series,
        patient=patient,
        request=request,
        detail=f"series of {len(starts)} {appointment_type.slug}",
    )
    return series


# --- Waitlist ---------------------------------------------------------------------------------


@transaction.atomic
def waitlist_add(
    *,
    patient: Patient,
    appointment_type: AppointmentType,
    practitioners: Sequence[Practitioner] = (),
    earliest_date: dt.date,
    latest_date: dt.date,
    time_from: dt.time = dt.time(7, 0),
    time_to: dt.time = dt.time(20, 0),
    notes: str = "",
    actor=None,
    request=None,
) -> WaitlistEntry:
    """Put a patient on the waitlist for a type, with the practitioners, dates and times of day acceptable."""
    entry = WaitlistEntry(
        patient=patient,
        appointment_type=appointment_type,
        earliest_date=earliest_date,
        latest_date=latest_date,
        time_from=time_from,
        time_to=time_to,
        notes=notes,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    try:
        entry.full_clean()
    except ValidationError as exc:
        raise SchedulingError(
            exc.message_dict if hasattr(exc, "error_dict") else {"latest_date": exc.messages}
        ) from exc
    entry.save()
    entry.practitioners.set(practitioners)
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=entry, request=request, detail="waitlist")
    return entry


@transaction.atomic
def waitlist_offer(*, entry: WaitlistEntry, appointment: Appointment, actor=None, request=None) -> WaitlistEntry:
    """E-mail the patient that a matching time became free (first to call the clinic gets it)."""
    if appointment.status != Status.CANCELLED:
        raise SchedulingError("Only the time of a cancelled appointment can be offered.")
    if not entry.patient.email:
        raise SchedulingError("This patient has no e-mail address on file; call them instead.")
    start = timezone.localtime(appointment.start)
    body = render_to_string(
        "scheduling/email/waitlist_offer.txt",
        {
            "patient": entry.patient,
            "appointment_type": appointment.appointment_type,
            "practitioner": appointment.practitioner,
            "start": start,
            "clinic_name": settings.CLINIC_NAME,
            "clinic_phone": settings.CLINIC_PHONE,
        },
    )
    send_mail(
        subject=f"{settings.CLINIC_NAME}: a time is free on {start:%a %d %b at %H:%M}",
        message=body,
        from_email=None,
        recipient_list=[entry.patient.email],
    )
    entry.offered_at = timezone.now()
    entry.save(update_fields=["offered_at"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=entry,
        request=request,
        detail=f"offered {_local(appointment.start)} by e-mail",
    )
    return entry


@transaction.atomic
def waitlist_remove(*, entry: WaitlistEntry, actor=None, request=None) -> WaitlistEntry:
    entry.active = False
    entry.save(update_fields=["active"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=entry, request=request, detail="left waitlist")
    return entry


# --- Notices and reminders (sent by scheduling/tasks.py) ---------------------------------------


def _reminder_due_from(start: dt.datetime) -> dt.datetime:
    return start - dt.timedelta(hours=settings.CLINIC_REMINDER_HOURS)


def _notify(appointment: Appointment, kind: str, *, now: dt.datetime) -> None:
    """After commit: queue the e-mail for `kind`, and for a new time queue its reminder (run at the reminder
    time when the task backend can defer; `send_due_reminders` catches any the queue does not hold).
    Booked inside the reminder window, the confirmation is the reminder: none is sent later."""
    from scheduling import tasks

    pk, sequence = appointment.pk, appointment.sequence
    transaction.on_commit(lambda: tasks.send_appointment_notice.enqueue(pk, kind, sequence))
    if kind not in (notices.CONFIRMATION, notices.RESCHEDULE):
        return
    due = _reminder_due_from(appointment.start)
    if due <= now:
        Appointment.objects.filter(pk=pk, sequence=sequence).update(reminder_sent_at=now)
        return

    def queue_reminder():
        if not tasks.send_reminder.get_backend().supports_defer:
            return
        result = tasks.send_reminder.using(run_after=due).enqueue(pk, sequence)
        Appointment.objects.filter(pk=pk, sequence=sequence).update(reminder_task_id=str(result.id)[:64])

    transaction.on_commit(queue_reminder)


def notice_send(*, appointment_id: int, kind: str, sequence: int) -> str:
    """Send one notice if it still describes the appointment (a later reschedule sends its own)."""
    try:
        appointment = selectors.appointment_detail(appointment_id)
    except Appointment.DoesNotExist:
        return "gone"
    if not appointment.patient.email:
        return "no e-mail address"
    if kind == notices.CANCELLATION:
        if appointment.status != Status.CANCELLED:
            return "not cancelled"
    elif appointment.status != Status.BOOKED or appointment.sequence != sequence:
        return "superseded"
    notices.notice_message(appointment, kind).send()
    audit_record(action=AuditEvent.Action.UPDATE, obj=appointment, detail=f"e-mailed {kind}")
    return "sent"


def reminder_send(*, appointment_id: int, sequence: int, now: dt.datetime | None = None) -> str:
    """Send the reminder at most once per appointment time.

    The row is claimed with a conditional UPDATE (still booked, same `sequence`, not yet reminded, not yet
    started) inside the transaction that sends the e-mail: a second worker's UPDATE waits for the first to
    commit and then matches no row; if sending fails, the claim rolls back and a later run retries.
    """
    now = now or timezone.now()
    with transaction.atomic():
        claimed = Appointment.objects.filter(
            pk=appointment_id,
            status=Status.BOOKED,
            sequence=sequence,
            reminder_sent_at__isnull=True,
            start__gt=now,
        ).update(reminder_sent_at=now)
        if not claimed:
            return "skipped"
        appointment = selectors.appointment_detail(appointment_id)
        if not appointment.patient.email:
            return "no e-mail address"
        notices.notice_message(appointment, notices.REMINDER).send()
        audit_record(action=AuditEvent.Action.UPDATE, obj=appointment, detail="e-mailed reminder")
    return "sent"


def reminders_enqueue_due(*, now: dt.datetime | None = None, inline: bool = False) -> int:
    """Queue (or with `inline`, send here) the reminder of every booked appointment now inside the reminder
    window that has none yet. Safe to run often: the claim in `reminder_send` makes repeats harmless."""
    from scheduling import tasks

    now = now or timezone.now()
    count = 0
    for pk, sequence in selectors.reminders_due(now=now, hours=settings.CLINIC_REMINDER_HOURS):
        if inline:
            reminder_send(appointment_id=pk, sequence=sequence, now=now)
        else:
            tasks.send_reminder.enqueue(pk, sequence)
        count += 1
    return count


def waitlist_offer_freed(*, appointment_id: int) -> int:
    """Offer a cancelled appointment's time to every matching waitlist entry with an e-mail address."""
    appointment = selectors.appointment_detail(appointment_id)
    offered = 0
    for entry in selectors.waitlist_matches(appointment):
        if not entry.patient.email:
            continue
        try:
            waitlist_offer(entry=entry, appointment=appointment)
        except SchedulingError:
            continue
        offered += 1
    return offered


# --- What a patient does online (the same services, plus the online rules) ---------------------


def _online_error(field: str, message: str) -> SchedulingError:
    return SchedulingError({field: [message]}, code="online_rule")


def online_types_for(patient: Patient | None) -> list[AppointmentType]:
    """Types a patient may book online: a returning patient cannot pick new-patient-only types; a new patient
    (or someone not signed in) is offered the new-patient types when there are any."""
    types = list(AppointmentType.objects.filter(active=True, bookable_online=True).order_by("name"))
    new_types = [t for t in types if t.new_patient_only]
    if patient is not None and selectors.patient_has_history(patient):
        return [t for t in types if not t.new_patient_only]
    return new_types or types


def _check_online_time(start: dt.datetime, now: dt.datetime) -> None:
    """The rules the online offer applies beyond the practitioner's hours: grid, notice, horizon."""
    if timezone.is_naive(start):
        raise _online_error("start", "Choose one of the free times shown.")
    zone = availability.clinic_zone()
    local = start.astimezone(zone)
    # The offer's grid counts minutes from local midnight (see availability.free_slots).
    if (local.hour * 60 + local.minute) % settings.SCHEDULING_GRID_MINUTES or local.second or local.microsecond:
        raise _online_error("start", "That time is not offered online. Choose one of the free times shown.")
    notice = dt.timedelta(minutes=settings.SCHEDULING_MIN_NOTICE_MINUTES)
    if start < now + notice:
        raise _online_error(
            "start",
            f"Online booking closes {settings.SCHEDULING_MIN_NOTICE_MINUTES // 60} hours ahead. "
            f"Choose a later time or call {settings.CLINIC_PHONE}.",
        )
    horizon = dt.timedelta(days=settings.SCHEDULING_HORIZON_DAYS)
    last = availability.day_bounds((now + horizon).astimezone(zone).date(), zone)[1]
    if start >= last:
        raise _online_error("start", f"Times are offered up to {settings.SCHEDULING_HORIZON_DAYS} days ahead.")


def _online_alternatives(appointment_type, practitioner_id, start, now, exclude_pk=None) -> list[availability.Slot]:
    earliest = now + dt.timedelta(minutes=settings.SCHEDULING_MIN_NOTICE_MINUTES)
    slots = availability.nearest_free(
        appointment_type=appointment_type,
        practitioner_id=practitioner_id,
        around=start,
        count=6,
        now=earliest,
        exclude_appointment_id=exclude_pk,
    )
    return slots[:4]


def _email_verified(user) -> bool:
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, verified=True).exists()


@transaction.atomic
def appointment_book_online(
    *,
    user,
    patient: Patient,
    appointment_type: AppointmentType,
    practitioner: Practitioner | None,
    start: dt.datetime,
    request=None,
    now: dt.datetime | None = None,
) -> Appointment:
    """A patient books for themselves: a type offered online to them, a time the online offer shows (grid,
    notice, horizon, hours, free), at most BOOKING_UNVERIFIED_MAX future bookings while their e-mail address is
    unverified. `practitioner=None` is "first available": whoever is free at that time. Confirms by e-mail."""
    now = now or timezone.now()
    if patient.user_id != getattr(user, "pk", None):
        raise _online_error("patient", "You can book only for yourself online; call the clinic for someone else.")
    if appointment_type not in online_types_for(patient):
        raise _online_error(
            "appointment_type",
            f"{appointment_type.name} cannot be booked online by you. Choose one of the types shown, "
            f"or call {settings.CLINIC_PHONE}.",
        )
    _check_online_time(start, now)
    if not _email_verified(user):
        held = Appointment.objects.filter(
            patient=patient, source=Appointment.Source.ONLINE, status=Status.BOOKED, start__gt=now
        ).count()
        if held >= settings.BOOKING_UNVERIFIED_MAX:
            raise _online_error(
                "start",
                f"An account with an unverified e-mail address can hold {settings.BOOKING_UNVERIFIED_MAX} "
                f"online bookings. Verify {user.email} (the link is in our e-mail) or call {settings.CLINIC_PHONE}.",
            )
    if practitioner is not None:
        candidates = [practitioner]
    else:
        day = timezone.localtime(start).date()
        free = availability.find_slots(
            appointment_type=appointment_type, practitioner_ids=None, first_day=day, days=1, now=now
        )
        ids = [s.practitioner_id for s in free if s.start == start]
        candidates = sorted(Practitioner.objects.filter(pk__in=ids), key=lambda p: ids.index(p.pk))
        if not candidates:
            raise SlotTaken(
                "That time was just taken.", alternatives=_online_alternatives(appointment_type, None, start, now)
            )
    for index, candidate in enumerate(candidates):
        try:
            return appointment_book(
                patient=patient,
                practitioner=candidate,
                appointment_type=appointment_type,
                start=start,
                actor=user,
                source=Appointment.Source.ONLINE,
                request=request,
                now=now,
                notify=True,
            )
        except SlotTaken:
            if index + 1 < len(candidates):
                continue
            raise SlotTaken(
                "That time was just taken.",
                alternatives=_online_alternatives(
                    appointment_type, practitioner.pk if practitioner else None, start, now
                ),
            ) from None
    raise AssertionError("unreachable")


def _check_policy(appointment: Appointment, now: dt.datetime, what: str) -> None:
    if appointment.status != Status.BOOKED:
        raise SchedulingError(f"This appointment is {appointment.get_status_display().lower()}; it cannot be {what}.")
    if not appointment.can_change_online(now):
        raise SchedulingError(
            f"Appointments can be {what} online up to {settings.CLINIC_CANCELLATION_HOURS} hours before. "
            f"Please call the clinic at {settings.CLINIC_PHONE}.",
            code="policy_window",
        )


@transaction.atomic
def appointment_cancel_online(
    *, appointment: Appointment, user, reason: str = "", request=None, now: dt.datetime | None = None
) -> Appointment:
    """The patient cancels before the policy window; the time is free at once and offered to the waitlist."""
    from scheduling import tasks

    now = now or timezone.now()
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    _check_policy(appointment, now, "cancelled")
    appointment = appointment_cancel(
        appointment=appointment,
        reason=(reason or "").strip() or "Cancelled online by the patient.",
        actor=user,
        request=request,
        notify=True,
    )
    pk = appointment.pk
    transaction.on_commit(lambda: tasks.offer_freed_time.enqueue(pk))
    return appointment


@transaction.atomic
def appointment_move_online(
    *, appointment: Appointment, user, start: dt.datetime, request=None, now: dt.datetime | None = None
) -> Appointment:
    """The patient moves their appointment (same practitioner) to a time the online offer shows, before the
    policy window; the calendar event keeps its UID and its SEQUENCE goes up."""
    now = now or timezone.now()
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    _check_policy(appointment, now, "rescheduled")
    _check_online_time(start, now)
    try:
        return appointment_move(appointment=appointment, start=start, actor=user, request=request, now=now, notify=True)
    except SlotTaken:
        raise SlotTaken(
            "That time was just taken.",
            alternatives=_online_alternatives(
                appointment.appointment_type, appointment.practitioner_id, start, now, exclude_pk=appointment.pk
            ),
        ) from None
