"""`make prod-check`'s machinery: the processes it starts, PostgreSQL, and the environment template.

The children are started as the systemd units start them (their ExecStart, in the checkout), each in a session of
its own so that `process_group.stop_group` stops the whole group; PostgreSQL is started only if it is not running.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

from deploy.process_group import stop_group

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("PROD_CHECK_PG", "postgres://postgres@127.0.0.1:5432")
DATABASE = os.environ.get("PROD_CHECK_DATABASE", "clinic_prodcheck")
PYTHON = str(ROOT / ".venv" / "bin" / "python")


# --- Processes ---------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def unit_command(unit: str) -> list[str]:
    """The ExecStart of deploy/systemd/<unit>, with the checkout in place of /srv/clinic."""
    text = (ROOT / "deploy" / "systemd" / unit).read_text()
    line = re.search(r"^ExecStart=(.+)$", text, re.MULTILINE).group(1)
    return shlex.split(line.replace("/srv/clinic", str(ROOT)))


def start_child(command: list[str], env: dict, stdout, **popen) -> subprocess.Popen:
    """A child the way this check starts every one: in the checkout, standard error into `stdout`, in a session of
    its own (so that stop_group reaches its whole group, and it has no controlling terminal)."""
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=stdout, stderr=subprocess.STDOUT, start_new_session=True, **popen
    )


class Services:
    def __init__(self, logs: Path):
        self.logs = logs
        self.started: list[tuple[str, subprocess.Popen]] = []
        self.stop_postgres: list[str] | None = None

    def start(self, name: str, command: list[str], env: dict) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        process = start_child(command, env, log)
        self.started.append((name, process))
        return process

    def log_tail(self, name: str, lines: int = 15) -> str:
        path = self.logs / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def stop_processes(self) -> None:
        for name, process in reversed(self.started):
            stop_group(process, grace=20)
            print(f"   stopped {name} (exit {process.returncode})")

    def stop_postgres_if_started(self) -> None:
        if self.stop_postgres:
            subprocess.run(self.stop_postgres, check=False)
            print("   stopped PostgreSQL (this check started it)")


def wait_for_port(port: int, process: subprocess.Popen, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode} before it listened on port {port}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not listen on port {port} within {timeout:.0f} s")


def manage(env: dict, *args: str, timeout: float = 300, input_text: str | None = None) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        input=input_text,
    )
    if result.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} exited {result.returncode}:\n{result.stdout}{result.stderr}")
    return result.stdout + result.stderr


# --- PostgreSQL ----------------------------------------------------------------------------------------------


def pg_ready() -> bool:
    parts = urlsplit(PG_SERVER)
    command = ["pg_isready", "-q", "-h", parts.hostname, "-p", str(parts.port or 5432)]
    return subprocess.run(command, check=False).returncode == 0


def ensure_postgres(services: Services) -> str:
    if pg_ready():
        return "already running"
    version = sorted(os.listdir("/etc/postgresql"), key=lambda v: [int(x) for x in v.split(".")])[-1]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], check=True)
    services.stop_postgres = ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "stop"]
    for _ in range(60):
        if pg_ready():
            return f"started PostgreSQL {version}"
        time.sleep(0.5)
    raise RuntimeError("PostgreSQL did not become ready within 30 s")


def fresh_database() -> str:
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        for name in (DATABASE, f"{DATABASE}_restore_check"):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')
    return f"{PG_SERVER}/{DATABASE}"


def query(sql: str, params=()) -> list[tuple]:
    with psycopg.connect(f"{PG_SERVER}/{DATABASE}") as conn:
        return conn.execute(sql, params).fetchall()


def drop_database() -> None:
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


# --- The environment: the template with the check's values ---------------------------------------------------


def template_values() -> dict[str, str]:
    values = {}
    for line in (ROOT / "deploy" / "clinic.env.example").read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
    return values
