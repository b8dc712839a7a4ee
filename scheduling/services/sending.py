"""Sending a notice or a reminder, run by the task worker (scheduling/tasks.py).

Each send looks at the appointment as it is when it runs: a notice for a time that has since moved or been
cancelled is skipped, and a reminder is claimed on the row so it goes out at most once per appointment time.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from clinic.models import AuditEvent
from clinic.services import audit_record
from scheduling import notices, selectors
from scheduling.models import Appointment

Status = Appointment.Status


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
