"""Deciding to tell the patient: record the notice with the change, queue it and its reminder once it commits.

The notice is an outbox row (clinic/outbox.py) written in the caller's transaction; the worker sends it
through the outbox's `send_notice` task, which calls `scheduling.services.sending`. The reminder task
(scheduling/tasks.py) records its own notice when it is due. This module only queues, so the sending side
never imports it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clinic import outbox
from clinic.family import notice_address
from scheduling import notices, selectors, tasks
from scheduling.models import Appointment
from scheduling.services.sending import reminder_send


def _reminder_due_from(start: dt.datetime) -> dt.datetime:
    return start - dt.timedelta(hours=settings.CLINIC_REMINDER_HOURS)


def notify_after_commit(appointment: Appointment, kind: str, *, now: dt.datetime) -> None:
    """Record the e-mail for `kind` in the outbox now (sent by the worker after commit), and for a new time
    queue its reminder after commit (run at the reminder time when the task backend can defer;
    `send_due_reminders` catches any the queue does not hold). Booked inside the reminder window, the
    confirmation is the reminder: none is sent later. A patient without an e-mail address gets none."""
    pk, sequence = appointment.pk, appointment.sequence
    recipient, _guardian = notice_address(appointment.patient)  # a child's go to their guardian
    if recipient:
        outbox.notice_queue(
            kind=kind,
            patient=appointment.patient,
            recipient=recipient,
            context={"appointment": pk, "sequence": sequence},
            now=now,
        )
    if kind not in (notices.CONFIRMATION, notices.RESCHEDULE):
        return
    reminder_after_commit(appointment, now=now)


def series_notify_after_commit(series, appointments: list[Appointment], *, now: dt.datetime) -> None:
    """A booked care-plan series: one confirmation listing every visit (recorded in the outbox now, in the
    booking's transaction), and each visit's own reminder."""
    if series.patient.email:
        outbox.notice_queue(
            kind=notices.SERIES_CONFIRMATION,
            patient=series.patient,
            recipient=series.patient.email,
            context={"series": series.pk},
            now=now,
        )
    for appointment in appointments:
        reminder_after_commit(appointment, now=now)


def reminder_given_by_confirmation(appointment: Appointment, *, now: dt.datetime) -> bool:
    """Inside the reminder window the confirmation is the reminder: mark it given on the instance, before it is
    saved (no UPDATE afterwards). True when it was marked."""
    if _reminder_due_from(appointment.start) > now:
        return False
    appointment.reminder_sent_at = now
    return True


def reminder_after_commit(appointment: Appointment, *, now: dt.datetime) -> None:
    """Queue the reminder of a new time with the transaction (in it with the database queue, else once it
    commits; see `outbox.enqueue_with_transaction`). Inside the reminder window the confirmation is the
    reminder: none is sent later (already marked when the caller saved it so, see
    `reminder_given_by_confirmation`)."""
    pk, sequence = appointment.pk, appointment.sequence
    due = _reminder_due_from(appointment.start)
    if due <= now:
        if appointment.reminder_sent_at is None:
            Appointment.objects.filter(pk=pk, sequence=sequence).update(reminder_sent_at=now)
        return
    if not tasks.send_reminder.get_backend().supports_defer:
        return
    reminder = tasks.send_reminder.using(run_after=due)

    def remember(result):
        task_id = str(result.id)[:64]
        if Appointment.objects.filter(pk=pk, sequence=sequence).update(reminder_task_id=task_id):
            appointment.reminder_task_id = task_id

    outbox.enqueue_with_transaction(reminder, pk, sequence, then=remember)


def reminders_enqueue_due(*, now: dt.datetime | None = None, inline: bool = False) -> int:
    """Queue (or with `inline`, send here) the reminder of every booked appointment now inside the reminder
    window that has none yet. Safe to run often: the claim in `reminder_send` makes repeats harmless."""
    now = now or timezone.now()
    count = 0
    for pk, sequence in selectors.reminders_due(now=now, hours=settings.CLINIC_REMINDER_HOURS):
        if inline:
            reminder_send(appointment_id=pk, sequence=sequence, now=now)
        else:
            tasks.send_reminder.enqueue(pk, sequence)
        count += 1
    return count


def queue_waitlist_offer(appointment: Appointment) -> None:
    """After commit: offer a cancelled appointment's time to the matching waitlist entries (in the worker)."""
    pk = appointment.pk
    transaction.on_commit(lambda: tasks.offer_freed_time.enqueue(pk))
