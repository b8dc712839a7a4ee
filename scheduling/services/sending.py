"""Sending a notice or a reminder, run by the task worker (scheduling/tasks.py and the outbox's `send_notice`).

Each send looks at the appointment as it is when it runs: a notice for a time that has since moved or been
cancelled is skipped, and a reminder is claimed on the appointment so it is decided once per appointment
time. Every notice is an `OutgoingNotice` row (clinic/outbox.py), which makes sure it is sent once.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from clinic import outbox
from clinic.family import notice_address
from clinic.models import AuditEvent, OutgoingNotice
from clinic.services import audit_record
from scheduling import notices, selectors
from scheduling.models import Appointment

Status = Appointment.Status


def notice_send(*, appointment_id: int, kind: str, sequence: int, recipient: str = "") -> str:
    """Send one notice if it still describes the appointment (a later reschedule sends its own), to
    `recipient` (the address it was promised to) or else the patient's address now."""
    try:
        appointment = selectors.appointment_detail(appointment_id)
    except Appointment.DoesNotExist:
        return "gone"
    recipient = recipient or notice_address(appointment.patient)[0]
    if not recipient:
        return "no e-mail address"
    if kind == notices.CANCELLATION:
        if appointment.status != Status.CANCELLED:
            return "not cancelled"
    elif appointment.status != Status.BOOKED or appointment.sequence != sequence:
        return "superseded"
    elif kind == notices.REMINDER and appointment.start <= timezone.now():
        return "already started"
    message = notices.notice_message(appointment, kind)
    message.to = [recipient]
    message.send()
    audit_record(action=AuditEvent.Action.UPDATE, obj=appointment, detail=f"e-mailed {kind}")
    return "sent"


def appointment_notice_deliver(notice: OutgoingNotice) -> str:
    """The outbox's sender for an appointment's confirmation, new time, cancellation and reminder."""
    return notice_send(
        appointment_id=notice.context["appointment"],
        kind=notice.kind,
        sequence=notice.context["sequence"],
        recipient=notice.recipient,
    )


def series_notice_deliver(notice: OutgoingNotice) -> str:
    """The outbox's sender for a care-plan series' confirmation: the visits still booked, as they are now (one
    moved or cancelled since is left out of the list; its own notice told the patient)."""
    series = selectors.series_detail(notice.context["series"])
    if series is None:
        return "gone"
    appointments = [a for a in selectors.appointments_for_series(series) if a.status == Status.BOOKED]
    if not appointments:
        return "nothing booked"
    message = notices.series_message(series, appointments)
    message.to = [notice.recipient]
    message.send()
    audit_record(
        action=AuditEvent.Action.UPDATE,
        obj=series,
        patient=series.patient,
        detail=f"e-mailed series confirmation ({len(appointments)} visits)",
    )
    return "sent"


def reminder_send(*, appointment_id: int, sequence: int, now: dt.datetime | None = None) -> str:
    """Decide the reminder at most once per appointment time, record it in the outbox and send it.

    The appointment is claimed with a conditional UPDATE (still booked, same `sequence`, not yet reminded,
    not yet started) in the transaction that records the notice: a second worker's UPDATE waits for the
    first to commit and then matches no row. The send then claims the notice; if the mail server fails or
    the worker dies, the outbox's sweep sends it later.
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
        recipient, _guardian = notice_address(appointment.patient)  # a child's go to their guardian
        if not recipient:
            return "no e-mail address"
        notice = outbox.notice_record(
            kind=notices.REMINDER,
            patient=appointment.patient,
            recipient=recipient,
            context={"appointment": appointment.pk, "sequence": sequence},
            now=now,
        )
    return outbox.notice_deliver(notice.pk)
