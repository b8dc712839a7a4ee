"""The task worker to run in production and under `make run`: django-tasks-db's `db_worker` that survives a
database outage and sweeps the outbox.

`db_worker` exits on the first OperationalError (PostgreSQL restarted, the network blipped), and a task it
was running when killed stays "running" for ever. This worker instead logs the outage, waits (1, 2, 4, ...
up to 30 seconds), reconnects and carries on; and every `--sweep-seconds` it hands back to the queue every
notice the outbox has not seen sent (clinic/outbox.py), so a notice lost with a killed worker is sent by the
next one. Same options as `db_worker`, plus `--sweep-seconds`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import time

from django.core.management.base import CommandError
from django.db import DatabaseError, InterfaceError, OperationalError, close_old_connections, connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from clinic import outbox
from clinic.management.base import TranslatedHelp

logger = logging.getLogger(__name__)

DATABASE_DOWN = (OperationalError, InterfaceError)
FIRST_DELAY_SECONDS = 1.0
MAX_DELAY_SECONDS = 30.0
LOCKED = object()  # SQLite was busy: no answer about the queue this time


def backoff_delay(failures: int) -> float:
    """Seconds to wait after the n-th failure in a row: 1, 2, 4, 8, 16, then 30 each time."""
    return min(MAX_DELAY_SECONDS, FIRST_DELAY_SECONDS * 2 ** (failures - 1))


def reset_connections() -> None:
    """Drop every connection after a failure, so the next query opens a fresh one."""
    for connection in connections.all(initialized_only=True):
        with contextlib.suppress(DatabaseError):
            connection.close()


class Worker(db_worker.Worker):
    def __init__(self, *, sweep_seconds: float, sleep=time.sleep, **options):
        super().__init__(**options)
        self.sweep_seconds = sweep_seconds
        self.sleep = sleep
        self.failures = 0
        self.next_sweep = 0.0

    def run(self) -> None:
        logger.info("Starting worker worker_id=%s queues=%s", self.worker_id, ",".join(self.queue_names))
        if self.startup_delay and self.interval:
            self.sleep(random.random())  # several workers started at once spread out
        while self.running:
            try:
                task_result = self.step()
            except DATABASE_DOWN as exc:
                self.failures += 1
                delay = backoff_delay(self.failures)
                logger.warning(
                    "Database unavailable (%s: %s); attempt %d failed, trying again in %.0f s",
                    type(exc).__name__,
                    exc,
                    self.failures,
                    delay,
                )
                reset_connections()
                self.sleep(delay)
                continue
            if self.failures:
                logger.warning("Database reachable again after %d failed attempt(s)", self.failures)
                self.failures = 0
            if task_result is LOCKED:
                continue
            if self.batch and task_result is None:
                logger.info("No more tasks to run for worker_id=%s - exiting.", self.worker_id)
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                return
            if self.running and task_result is None:
                self.sleep(self.interval)

    def step(self):
        """One turn: the outbox sweep when due, then claim and run one task. Returns the task, None when the
        queue is empty, or LOCKED. A lost database raises (from here, or from run_task recording a result)."""
        close_old_connections()
        if time.monotonic() >= self.next_sweep:
            outbox.notices_requeue_stale()
            self.next_sweep = time.monotonic() + self.sweep_seconds
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        try:
            with exclusive_transaction(tasks.db):
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)  # so no other worker runs it
        except OperationalError as exc:
            if is_locked_database_exception(exc):
                return LOCKED
            raise
        if task_result is not None:
            self.run_task(task_result)
        return task_result


class Command(TranslatedHelp, db_worker.Command):
    help_text = gettext_lazy(
        "Run the task worker: db_worker that waits out a database outage and re-sends lost notices."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--sweep-seconds",
            type=db_worker.valid_interval,
            default=60,
            help=_("How often to hand unsent notices back to the queue (default: %(default)r)"),
        )

    def handle(self, *, verbosity, queue_name, exclude_queues, reload, sweep_seconds, **options) -> None:
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded_queue_names = exclude_queues.split(",") if exclude_queues else []
        if excluded_queue_names and "*" not in queue_names:
            raise CommandError(_("--exclude-queues can only be used with --queue-name=*"))
        worker = Worker(
            queue_names=queue_names,
            excluded_queue_names=excluded_queue_names,
            sweep_seconds=sweep_seconds,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
        )
        if reload and not options["batch"]:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
