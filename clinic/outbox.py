"""The outbox: every e-mail the clinic promises a patient is a row, sent at least once and claimed before it is.

A service that decides a notice (a booking, a cancellation, a waitlist offer, an intake invitation) records an
`OutgoingNotice` in its own transaction, so the promise and the change commit or roll back together. The send
(`notice_deliver`, run by the `send_notice` task or right away by the service) first claims the row with a
conditional UPDATE (queued -> sending, committed before the mail server is called): a second worker, or the
same task queued twice, matches no row and sends nothing. If the worker dies between the claim and the mail
server's answer, the row stays "sending"; `notices_requeue_stale` (run by the worker every minute and by the
`send_pending_notices` command) hands such rows, and rows queued but never picked up, to the worker again
after CLINIC_NOTICE_RETRY_MINUTES. The only duplicate left is a worker dying after the server accepted the
message and before the row says so: the mail server's answer is the last thing we can know.

The core imports neither intake nor scheduling. A notice whose message is fixed when it is decided (the
invitation, the waitlist offer) carries its subject and body and is sent here; the others (an appointment's
confirmation, new time, cancellation, reminder) are rendered at send time by the sender an app names for the
kind in its `<app>.notice_senders` module (`SENDERS = {kind: sender}`), so a notice for a time since moved is skipped.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import smtplib
from collections.abc import Callable

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import DEFAULT_DB_ALIAS, router, transaction
from django.db.models import F
from django.utils import timezone, translation
from django_tasks import task

from clinic.apphooks import app_module
from clinic.models import OutgoingNotice, Patient

logger = logging.getLogger(__name__)

Kind = OutgoingNotice.Kind
State = OutgoingNotice.State
Sender = Callable[[OutgoingNotice], str]
SENT = "sent"


def retry_after() -> dt.timedelta:
    return dt.timedelta(minutes=settings.CLINIC_NOTICE_RETRY_MINUTES)


@functools.cache
def senders() -> dict[str, Sender]:
    """Kind -> the function that renders and sends it, gathered from every app's optional `notice_senders` module."""
    found: dict[str, Sender] = {}
    for config in apps.get_app_configs():
        module = app_module(config, "notice_senders")
        if module is not None:
            found.update(module.SENDERS)
    return found


def notice_record(
    *,
    kind: str,
    patient: Patient,
    recipient: str,
    context: dict | None = None,
    subject: str = "",
    body: str = "",
    now: dt.datetime | None = None,
) -> OutgoingNotice:
    """Write the notice in the caller's transaction; the caller sends it (`notice_deliver`) or queues it."""
    if not subject and kind not in senders():
        raise ValueError(f"No sender for notices of kind {kind!r} and no message given.")
    notice = OutgoingNotice(
        kind=kind,
        patient=patient,
        recipient=recipient,
        context=context or {},
        subject=subject[:200],
        body=body,
        queued_at=now or timezone.now(),
    )
    # An address the mail server refuses fails that notice (recorded), never the booking that promised it.
    notice.full_clean(exclude=["recipient", "patient"])  # the patient is the row the caller holds
    notice.save()
    return notice


def queues_in_transaction(queued_task) -> bool:
    """Whether `queued_task`'s backend keeps its queue in the clinic's own database (django-tasks-db, as
    deployed): enqueued inside the caller's transaction, the task row commits or rolls back with the change and
    the worker cannot see it before, so it needs neither `on_commit` nor a transaction of its own."""
    try:
        from django_tasks_db import DatabaseBackend
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - installed with the project
        return False
    return isinstance(queued_task.get_backend(), DatabaseBackend) and router.db_for_write(DBTaskResult) == (
        DEFAULT_DB_ALIAS
    )


def enqueue_with_transaction(queued_task, *args, then: Callable | None = None) -> None:
    """Queue `queued_task(*args)` with the caller's transaction: in it when the queue is in the same database,
    otherwise (an immediate or remote backend, which would run or send it at once) once it commits. `then` is
    called with the task's result (e.g. to remember its id), in the same place."""

    def enqueue():
        result = queued_task.enqueue(*args)
        if then is not None:
            then(result)

    if queues_in_transaction(queued_task):
        enqueue()
    else:
        transaction.on_commit(enqueue)


def notice_queue(**fields) -> OutgoingNotice:
    """Write the notice now (in the caller's transaction) and hand it to the worker with that transaction (see
    `enqueue_with_transaction`)."""
    notice = notice_record(**fields)
    enqueue_with_transaction(send_notice, notice.pk)
    return notice


def _is_permanent(exc: Exception) -> bool:
    """The mail server refused the message for good (5xx): sending it again would be refused again."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def _send_fixed_message(notice: OutgoingNotice) -> str:
    EmailMessage(subject=notice.subject, body=notice.body, to=[notice.recipient]).send()
    return SENT


def notice_deliver(notice_id: int, *, now: dt.datetime | None = None) -> str:
    """Claim the notice and send it; returns "sent", why it was not needed, "failed", or "skipped" when the
    row was not waiting (already sent, or being sent by another worker)."""
    now = now or timezone.now()
    claimed = OutgoingNotice.objects.filter(pk=notice_id, state=State.QUEUED).update(
        state=State.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return "skipped"
    notice = OutgoingNotice.objects.select_related("patient").get(pk=notice_id)
    send = _send_fixed_message if notice.subject else senders()[notice.kind]
    try:
        # In the patient's language, whenever it is sent (a reminder days later included); a child's notice in the
        # language stored on the child's record, which the guardian's switch sets too.
        with transaction.atomic(), translation.override(notice.patient.language or settings.LANGUAGE_CODE):
            outcome = send(notice)
    except Exception as exc:
        give_up = _is_permanent(exc) or notice.attempts >= settings.CLINIC_NOTICE_MAX_ATTEMPTS
        OutgoingNotice.objects.filter(pk=notice_id).update(
            state=State.FAILED if give_up else State.QUEUED,
            queued_at=timezone.now(),
            last_error=f"{type(exc).__name__}: {exc}"[:1000],
        )
        logger.warning(
            "Notice %s (%s) attempt %s failed%s: %s: %s",
            notice_id,
            notice.kind,
            notice.attempts,
            ", giving up" if give_up else "; the sweep retries it",
            type(exc).__name__,
            exc,
        )
        return "failed"
    if outcome == SENT:
        OutgoingNotice.objects.filter(pk=notice_id).update(state=State.SENT, sent_at=timezone.now())
    else:
        OutgoingNotice.objects.filter(pk=notice_id).update(state=State.SKIPPED, outcome=outcome[:100])
    return outcome


@task()
def send_notice(notice_id: int) -> str:
    """Send one recorded notice (claimed on its row, so running it twice sends it once)."""
    return notice_deliver(notice_id)


def notices_requeue_stale(*, now: dt.datetime | None = None) -> int:
    """Hand back to the worker every notice left unsent for CLINIC_NOTICE_RETRY_MINUTES: claimed but never
    answered (the worker died mid-send), or queued but never picked up (its task was lost, or the last try
    failed). Returns how many were queued again; safe to run often and from several places at once."""
    now = now or timezone.now()
    cutoff = now - retry_after()
    # The claim is released only after EMAIL_TIMEOUT has long passed, so the first worker cannot still be
    # waiting for the mail server's answer.
    OutgoingNotice.objects.filter(state=State.SENDING, claimed_at__lt=cutoff).update(
        state=State.QUEUED, queued_at=cutoff
    )
    count = 0
    for pk in OutgoingNotice.objects.filter(state=State.QUEUED, queued_at__lte=cutoff).values_list("pk", flat=True):
        # Only the sweep that moves queued_at forward enqueues it: two sweeps at once queue it once.
        if OutgoingNotice.objects.filter(pk=pk, state=State.QUEUED, queued_at__lte=cutoff).update(queued_at=now):
            send_notice.enqueue(pk)
            count += 1
    if count:
        logger.warning("%s notice(s) not sent after %s: queued again", count, retry_after())
    return count
