"""Background work through Django's Tasks API (django-tasks; the database backend runs them in `db_worker`).

Tasks take ids, not objects, and look at the appointment as it is when they run: a notice or reminder
for a time that has since moved or been cancelled is skipped (see `scheduling.services.sending`). A booking's
notices are sent by the outbox's task (`clinic.outbox.send_notice`) from the row recorded with the booking.
"""

from __future__ import annotations

from django_tasks import task

from scheduling.services import sending, waitlist


@task()
def send_appointment_notice(appointment_id: int, kind: str, sequence: int) -> str:
    """Confirmation, reschedule or cancellation e-mail for one appointment. Only tasks queued before the
    outbox existed still call it; new notices go through `clinic.outbox.send_notice`."""
    return sending.notice_send(appointment_id=appointment_id, kind=kind, sequence=sequence)


@task()
def send_reminder(appointment_id: int, sequence: int) -> str:
    """The reminder e-mail; decided at most once per appointment time (claimed on the row), sent by the outbox."""
    return sending.reminder_send(appointment_id=appointment_id, sequence=sequence)


@task()
def offer_freed_time(appointment_id: int) -> int:
    """E-mail every matching waitlist entry that a cancelled appointment's time is free; returns how many."""
    return waitlist.waitlist_offer_freed(appointment_id=appointment_id)
