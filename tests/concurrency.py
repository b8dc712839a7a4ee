"""Running calls at the same moment, for the tests of what the database keeps right under a race (PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection


def at_once(*calls: Callable[[], object], timeout: float = 60) -> list:
    """Run each call in its own thread (its own database connection), all released together; answer what each
    returned, or the exception it raised (a TimeoutError for one still running after `timeout` seconds), in the
    order of the calls."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [TimeoutError("still running")] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=30)
            outcomes[index] = call()
        except Exception as exc:  # answered to the test, which asserts on it
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return outcomes
