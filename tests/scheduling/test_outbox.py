"""The outbox: every notice is a row written with the change, claimed before it is sent, and sent again by the
sweep when a worker died mid-send; the task worker waits out a database outage."""

import datetime as dt
import os
import signal
import smtplib
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import OperationalError, connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django_tasks_db.models import DBTaskResult

from clinic import family, outbox
from clinic.management.commands import task_worker
from clinic.models import GuardianLink, OutgoingNotice
from clinic.records import services as records_services
from intake import services as intake_services
from scheduling import services
from tests.clinic.factories import PatientFactory
from tests.scheduling.conftest import IMMEDIATE, at, book_series

DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
ROOT = Path(__file__).resolve().parents[2]
State = OutgoingNotice.State


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = DATABASE


@pytest.fixture
def run_worker(monkeypatch):
    """Run our `task_worker` until the queue is empty, inside the test's transaction (its connection
    housekeeping would close the test connection, so it is skipped here)."""
    monkeypatch.setattr(task_worker, "close_old_connections", lambda: None)

    def run(worker_id="test-worker"):
        call_command("task_worker", batch=True, interval=0, startup_delay=False, worker_id=worker_id, verbosity=0)

    return run


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    """`with commits():` runs, at the end of the block, what the services queued for after commit (the
    test's own transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def book(patient, practitioner, appointment_type, start, *, notify=True):
    return services.appointment_book(
        patient=patient, practitioner=practitioner, appointment_type=appointment_type, start=start, notify=notify
    )


def sent_counts():
    return Counter((m.to[0], m.subject) for m in mail.outbox)


# --- Recorded with the change ---------------------------------------------------------------------


def test_a_booking_records_its_confirmation_in_the_same_transaction(database_tasks, clinic, patient_a, practitioner_a):
    with transaction.atomic():
        appointment = book(patient_a, practitioner_a, clinic["adjustment"], at(3, 9))
        notice = OutgoingNotice.objects.get()  # there before the booking commits
        assert (notice.kind, notice.state, notice.recipient) == ("confirmation", State.QUEUED, patient_a.email)
        assert notice.context == {"appointment": appointment.pk, "sequence": 0}
        assert notice.patient == patient_a
        transaction.set_rollback(True)  # the booking fails after all: no promise is left behind
    assert not OutgoingNotice.objects.exists()


def careplan_notices(practitioner, front_desk):
    from clinic.careplans import outcomes, recalls
    from clinic.careplans import services as careplan_services
    from clinic.models import CarePlan, PlanQuestionnaire

    patient = PatientFactory()
    plan = careplan_services.careplan_propose(
        patient=patient, practitioner=practitioner, actor=practitioner.user, phases=[{"visits_per_week": 1, "weeks": 4}]
    )
    careplan_services.careplan_accept(plan=plan, actor=practitioner.user, how="in_person")
    CarePlan.objects.filter(pk=plan.pk).update(accepted_at=at(-70, 9), created_at=at(-70, 9))
    row = PlanQuestionnaire.objects.create(
        plan=plan, patient=patient, questionnaire_code="ndi", visit_number=1, due_at=at(3, 9)
    )
    outcomes.questionnaire_send(row=row)
    recalls.recall_nudge(patient=patient, actor=front_desk)


def test_every_kind_of_notice_is_recorded(
    commits, database_tasks, run_worker, clinic, patient_a, patient_b, practitioner_a, front_desk
):
    with commits():
        appointment = book(patient_a, practitioner_a, clinic["adjustment"], at(3, 9))
        appointment = services.appointment_move(appointment=appointment, start=at(3, 10), notify=True)
        services.reminder_send(appointment_id=appointment.pk, sequence=appointment.sequence, now=at(2, 11))
        entry = services.waitlist_add(
            patient=patient_b,
            appointment_type=clinic["adjustment"],
            earliest_date=at(0, 0).date(),
            latest_date=at(4, 0).date(),
        )
        appointment = services.appointment_cancel(appointment=appointment, reason="Patient called", notify=True)
        services.waitlist_offer(entry=entry, appointment=appointment, actor=front_desk)
        intake_services.invitation_send(patient=patient_b, email="bruno@example.org", actor=front_desk)
        # A child on a parent's account turns 18: the parent is told (clinic.family).
        child = PatientFactory(date_of_birth=dt.date(2000, 1, 1), email="")
        GuardianLink.objects.create(guardian=front_desk, dependant=child, relationship="mother")
        family.dependants_detach_adults()
        # A records request released (clinic.records): the patient is told it is ready.
        released = records_services.record_request_create(patient=patient_b, actor=patient_b.user)
        records_services.record_request_release(record_request=released, actor=front_desk)
        book_series(patient_b, practitioner_a, clinic["adjustment"], [at(4, 9)], notify=True)
        # An intake answer that cannot wait (a possible cauda equina): the clinic is told at once.
        intake_services.urgent_alert_raise(
            submission=intake_services.intake_start(patient=patient_a),
            answers={"saddle_bladder": "yes"},
        )
        # Care plans (clinic.careplans): the plan's questionnaire before a visit, and the desk's recall e-mail.
        careplan_notices(practitioner_a, front_desk)
    kinds = sorted(OutgoingNotice.objects.values_list("kind", flat=True))
    assert kinds == sorted(OutgoingNotice.Kind.values)
    run_worker()
    assert set(OutgoingNotice.objects.values_list("state", flat=True)) <= {State.SENT, State.SKIPPED}
    # The confirmation and the new time were for a time since cancelled: the worker skips them.
    skipped = dict(OutgoingNotice.objects.filter(state=State.SKIPPED).values_list("kind", "outcome"))
    assert skipped == {"confirmation": "superseded", "reschedule": "superseded"}
    # With the series' confirmation, the parent's notice that their child now has their own record, and the
    # records-ready notice, the urgent intake answer sent to the clinic, the plan's questionnaire and the recall.
    assert OutgoingNotice.objects.filter(state=State.SENT).count() == 10
    assert len(mail.outbox) == 10


def test_a_notice_whose_task_runs_twice_is_sent_once(
    commits, database_tasks, run_worker, clinic, patient_a, practitioner_a
):
    with commits():
        book(patient_a, practitioner_a, clinic["adjustment"], at(3, 9))
    notice = OutgoingNotice.objects.get()
    outbox.send_notice.enqueue(notice.pk)  # as a sweep would, while the first task still waits
    run_worker("one")
    run_worker("two")
    assert len(mail.outbox) == 1
    notice.refresh_from_db()
    assert (notice.state, notice.attempts) == (State.SENT, 1) and notice.sent_at is not None


# --- A worker killed between claim and send -------------------------------------------------------


def test_a_notice_left_claimed_by_a_dead_worker_is_sent_once_after_the_sweep(
    commits, database_tasks, run_worker, clinic, patient_a, practitioner_a
):
    with commits():
        book(patient_a, practitioner_a, clinic["adjustment"], at(3, 9))
    notice = OutgoingNotice.objects.get()
    # A worker claimed it and died before the mail server answered: the row says "sending".
    OutgoingNotice.objects.filter(pk=notice.pk).update(state=State.SENDING, claimed_at=at(0, 7), attempts=1)
    DBTaskResult.objects.update(status="RUNNING")  # and its task is left running, never picked up again
    run_worker()
    assert mail.outbox == []
    with time_machine.travel(at(0, 7, 4), tick=False):
        assert outbox.notices_requeue_stale() == 0  # a slow send is not taken from the worker doing it
    with time_machine.travel(at(0, 7, 6), tick=False):
        run_worker()  # the worker's own sweep hands it back, then it sends it
        run_worker()
        assert outbox.notices_requeue_stale() == 0
    assert len(mail.outbox) == 1
    notice.refresh_from_db()
    assert (notice.state, notice.attempts) == (State.SENT, 2)


def test_ten_confirmations_with_a_worker_dying_mid_send_are_each_sent_once(
    commits, database_tasks, run_worker, clinic, patient_a, practitioner_a, monkeypatch
):
    with commits():
        for i in range(10):
            book(
                patient_a, practitioner_a, clinic["adjustment"], at(1 + i // 5, 9) + dt.timedelta(minutes=30 * (i % 5))
            )
    real_send = mail.backends.locmem.EmailBackend.send_messages
    calls = []

    def dies_on_the_fifth(self, messages):
        calls.append(1)
        if len(calls) == 5:
            raise SystemExit("killed")  # not an Exception: nothing below records the send as failed
        return real_send(self, messages)

    monkeypatch.setattr(mail.backends.locmem.EmailBackend, "send_messages", dies_on_the_fifth)
    run_worker()
    assert len(mail.outbox) == 9
    assert OutgoingNotice.objects.filter(state=State.SENDING).count() == 1
    with time_machine.travel(at(0, 7, 6), tick=False):
        run_worker()
    assert len(mail.outbox) == 10
    assert set(sent_counts().values()) == {1}
    assert set(OutgoingNotice.objects.values_list("state", flat=True)) == {State.SENT}


def _worker_env(tmp_path, **extra):
    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        url = (
            f"postgres://{settings_dict['USER']}:{settings_dict['PASSWORD'] or ''}@{settings_dict['HOST']}:"
            f"{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"
        )
    else:
        url = f"sqlite:///{settings_dict['NAME']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
        "DATABASE_URL": url,
        "EMAIL_BACKEND": "tests.scheduling.mail_log.EmailBackend",
        "MAIL_LOG": str(tmp_path / "mail.log"),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "PYTHONPATH": str(ROOT),
    }
    env.update(extra)
    return env


def _worker(env, *args):
    command = [sys.executable, "manage.py", "task_worker", "--no-startup-delay", "--interval", "0.2", "--no-reload"]
    return subprocess.Popen([*command, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


@pytest.mark.skipif(
    connection.vendor == "sqlite" and not os.environ.get("SQLITE_TEST_NAME"),
    reason="a worker in another process needs a database it can open: PostgreSQL, or SQLITE_TEST_NAME=<file>",
)
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_killed_mid_send_then_restarted_sends_each_of_ten_confirmations_once(
    tmp_path, settings, frozen, rooms, hours, adjustment, patient_a, practitioner_a
):
    settings.TASKS = DATABASE
    for i in range(10):
        book(patient_a, practitioner_a, adjustment, at(1 + i // 5, 9) + dt.timedelta(minutes=30 * (i % 5)))
    assert DBTaskResult.objects.filter(task_path="clinic.outbox.send_notice").count() == 10
    log = tmp_path / "mail.log"
    worker = _worker(_worker_env(tmp_path, MAIL_HANG_AFTER="4"))
    deadline = time.monotonic() + 60
    while not Path(str(log) + ".hanging").exists():
        assert worker.poll() is None, worker.stdout.read().decode()
        assert time.monotonic() < deadline, "the worker never reached the fifth e-mail"
        time.sleep(0.1)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    worker.stdout.close()
    assert len(log.read_text().splitlines()) == 4
    assert OutgoingNotice.objects.filter(state=State.SENDING).count() == 1
    assert DBTaskResult.objects.filter(status="RUNNING").count() == 1  # never picked up again by db_worker
    # Ten minutes later the restarted worker's sweep finds the claim without an answer.
    OutgoingNotice.objects.filter(state=State.SENDING).update(
        claimed_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
    )
    restarted = _worker(_worker_env(tmp_path), "--batch")
    output, _ = restarted.communicate(timeout=120)
    assert restarted.returncode == 0, output.decode()
    lines = log.read_text().splitlines()
    assert len(lines) == 10 and set(Counter(lines).values()) == {1}
    assert set(OutgoingNotice.objects.values_list("state", flat=True)) == {State.SENT}


# --- Failures of the mail server ------------------------------------------------------------------


def test_a_permanent_refusal_is_not_retried(settings, clinic, patient_a, practitioner_a, monkeypatch):
    settings.TASKS = IMMEDIATE

    def refused(self, messages):
        raise smtplib.SMTPRecipientsRefused({patient_a.email: (550, b"No such mailbox")})

    monkeypatch.setattr(mail.backends.locmem.EmailBackend, "send_messages", refused)
    services.reminder_send(
        appointment_id=book(patient_a, practitioner_a, clinic["adjustment"], at(1, 9), notify=False).pk, sequence=0
    )
    notice = OutgoingNotice.objects.get(kind="reminder")
    assert notice.state == State.FAILED and "No such mailbox" in notice.last_error
    with time_machine.travel(at(0, 8), tick=False):
        assert outbox.notices_requeue_stale() == 0


def test_after_the_last_attempt_a_notice_is_marked_failed(settings, clinic, patient_a, practitioner_a, monkeypatch):
    settings.TASKS = IMMEDIATE
    settings.CLINIC_NOTICE_MAX_ATTEMPTS = 2

    def down(self, messages):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(mail.backends.locmem.EmailBackend, "send_messages", down)
    services.reminder_send(
        appointment_id=book(patient_a, practitioner_a, clinic["adjustment"], at(1, 9), notify=False).pk, sequence=0
    )
    notice = OutgoingNotice.objects.get(kind="reminder")
    assert (notice.state, notice.attempts) == (State.QUEUED, 1)
    with time_machine.travel(at(0, 8), tick=False):
        assert outbox.notices_requeue_stale() == 1
    notice.refresh_from_db()
    assert (notice.state, notice.attempts) == (State.FAILED, 2)


def test_send_pending_notices_command_hands_back_unsent_notices(
    database_tasks, clinic, patient_a, practitioner_a, capsys
):
    book(patient_a, practitioner_a, clinic["adjustment"], at(3, 9))
    DBTaskResult.objects.all().delete()  # the queued task was lost
    with time_machine.travel(at(0, 7, 6), tick=False):
        call_command("send_pending_notices")
    assert "1 unsent notice(s) queued again." in capsys.readouterr().out
    assert DBTaskResult.objects.get().task_path == "clinic.outbox.send_notice"


# --- The worker and a database outage -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # real commits: a failed query inside the test's transaction would spoil it
def test_the_worker_waits_out_a_database_outage_with_growing_delays(
    database_tasks, clinic, patient_a, practitioner_a, monkeypatch, caplog
):
    book(patient_a, practitioner_a, clinic["adjustment"], at(3, 9))
    real_cursor = BaseDatabaseWrapper.cursor
    failures = {"left": 6}

    def flaky_cursor(self, *args, **kwargs):
        if failures["left"]:
            failures["left"] -= 1
            raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")
        return real_cursor(self, *args, **kwargs)

    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", flaky_cursor)
    delays = []
    worker = task_worker.Worker(
        queue_names=["default"],
        excluded_queue_names=[],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="outage",
        sweep_seconds=60,
        sleep=delays.append,
    )
    with caplog.at_level("WARNING", logger="clinic.management.commands.task_worker"):
        worker.run()
    assert delays == [1, 2, 4, 8, 16, 30]
    assert len(mail.outbox) == 1  # and then it carried on
    messages = [r.getMessage() for r in caplog.records]
    assert "attempt 3 failed, trying again in 4 s" in messages[2] and "Connection refused" in messages[2]
    assert messages[-1] == "Database reachable again after 6 failed attempt(s)"
    assert worker.failures == 0


def test_backoff_delays_double_up_to_thirty_seconds():
    assert [task_worker.backoff_delay(n) for n in range(1, 9)] == [1, 2, 4, 8, 16, 30, 30, 30]
