"""Stopping a server a check started (prod_check_stack.py, benchmarks/clinic_day.py): each is started in a session of
its own (`start_new_session=True`), so the signal reaches the whole group: gunicorn's master and its workers."""

from __future__ import annotations

import os
import signal
import subprocess


def stop_group(process: subprocess.Popen, *, grace: float) -> None:
    """SIGTERM to the process's group, `grace` seconds to finish what it is doing, then SIGKILL."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
