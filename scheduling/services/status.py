"""The appointment's status state machine: check-in (with its paperwork gate), treatment, completion,
no-show and cancellation. Every move is checked against TRANSITIONS and audited."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from clinic.services import update_audited
from intake import selectors as intake_selectors
from scheduling import notices
from scheduling.dates import clock, day_short_padded
from scheduling.models import Appointment
from scheduling.services.common import SchedulingError
from scheduling.services.notify import notify_after_commit

Status = Appointment.Status


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


def check_transition(appointment: Appointment, to: str) -> None:
    if to not in TRANSITIONS[appointment.status]:
        moves = sorted(TRANSITIONS[appointment.status])
        refusal = gettext("An appointment that is %(status)s cannot become %(to)s.") % {
            "status": appointment.get_status_display().lower(),
            "to": Status(to).label.lower(),
        }
        if moves:
            after = gettext("Allowed next: %(moves)s.") % {"moves": ", ".join(Status(s).label.lower() for s in moves)}
        else:
            after = gettext("It is final.")
        raise SchedulingError(f"{refusal} {after}", code="illegal_status_move")


def _transition(appointment: Appointment, to: str, *, actor, request, detail: str = "", **changes) -> Appointment:
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    check_transition(appointment, to)
    old = appointment.status
    return update_audited(
        appointment,
        {"status": to, **changes},
        actor=actor,
        request=request,
        detail=f"status {old} -> {to}" + (f": {detail}" if detail else ""),
        clean=True,
        also=("updated_at",),
    )


@transaction.atomic
def appointment_cancel(
    *, appointment: Appointment, reason: str, actor=None, request=None, notify: bool = False
) -> Appointment:
    """Cancel with a reason and who cancelled; frees the practitioner and the room at once. `notify` e-mails
    the patient (with a METHOD:CANCEL calendar file) after commit."""
    reason = (reason or "").strip()
    if not reason:
        raise SchedulingError({"reason": [gettext("Say why the appointment is cancelled.")]})
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
        notify_after_commit(appointment, notices.CANCELLATION, now=timezone.now())
    return appointment


def check_in_missing(appointment: Appointment) -> list[str]:
    """What intake and consent lack for this patient, in words (empty when ready). For a type that does not
    require signed consent, intake's consent items are left out."""
    readiness = intake_selectors.patient_readiness(appointment.patient)
    missing = list(readiness.missing)
    if not appointment.appointment_type.requires_consent:
        missing = [item for item in missing if "consent" not in item.lower()]
    return missing


def check_in_opens_at(appointment: Appointment) -> dt.datetime:
    """The earliest moment the patient can be checked in: `CLINIC_CHECK_IN_EARLY_MINUTES` before the start."""
    return appointment.start - dt.timedelta(minutes=settings.CLINIC_CHECK_IN_EARLY_MINUTES)


def check_in_too_early(appointment: Appointment, now: dt.datetime) -> str:
    """Why the patient cannot be checked in yet, in words ("" when they can): check-in is for today's
    appointments, from `CLINIC_CHECK_IN_EARLY_MINUTES` before the start."""
    start = timezone.localtime(appointment.start)
    if timezone.localdate(now) != start.date():
        if start.date() < timezone.localdate(now):
            return gettext("This appointment was on %(day)s; check-in is for today's appointments.") % {
                "day": day_short_padded(start)
            }
        return gettext("Check-in is for today's appointments; this one is on %(day)s at %(time)s.") % {
            "day": day_short_padded(start),
            "time": clock(start),
        }
    opens = timezone.localtime(check_in_opens_at(appointment))
    if now < opens:
        return gettext("Check-in opens at %(time)s, %(minutes)s minutes before the start.") % {
            "time": clock(opens),
            "minutes": settings.CLINIC_CHECK_IN_EARLY_MINUTES,
        }
    return ""


@transaction.atomic
def appointment_check_in(
    *, appointment: Appointment, actor=None, override_reason: str = "", request=None, now: dt.datetime | None = None
) -> Appointment:
    """Check a patient in: today's appointments only, from `CLINIC_CHECK_IN_EARLY_MINUTES` before the start.
    When intake or consent is missing the front desk must give a reason to go ahead."""
    now = now or timezone.now()
    too_early = check_in_too_early(appointment, now)
    if too_early and appointment.status == Status.BOOKED:
        raise SchedulingError(too_early, code="check_in_window")
    missing = check_in_missing(appointment)
    override_reason = (override_reason or "").strip()
    if missing and not override_reason:
        raise SchedulingError(
            {
                "override_reason": [
                    gettext("Missing: %(missing)s. Give a reason to check in anyway.") % {"missing": "; ".join(missing)}
                ]
            }
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
        raise SchedulingError(gettext("A patient can be marked as a no-show only once the appointment time has come."))
    return _transition(appointment, Status.NO_SHOW, actor=actor, request=request)


STATUS_ACTIONS = {
    Status.IN_TREATMENT: appointment_start_treatment,
    Status.COMPLETED: appointment_complete,
    Status.NO_SHOW: appointment_mark_no_show,
}
