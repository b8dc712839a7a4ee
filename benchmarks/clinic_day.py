"""The clinic-day load test: locust against gunicorn (4 workers, DEBUG=0, CONN_MAX_AGE=60) on PostgreSQL,
with the task worker running. Run by `run.py` once per size, each on a fresh database of its own:

    python benchmarks/clinic_day.py --size demo|bench --out FILE [--seconds 600] [--users 50]

`demo` is `manage.py seed_demo`; `bench` is the benchmark's scenario (layout.py: 10 practitioners, 8,400
appointments), starting today so that "My day" has patients. Load-test accounts are added with a random
password and a TOTP secret each staff account is enrolled with (as staff must be), written to a file that
locustfile.py reads; every simulated user has an account of its own (a TOTP code is accepted once).
Figures go to FILE as JSON: per page median, p95, p99, requests/s, failures; the server log's 5xx count.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import ours
from http_bench import HOST, free_port, request
from ours import log, setup_django

from deploy.process_group import stop_group

HERE = Path(__file__).resolve().parent
TMP = HERE / ".tmp"
# 50 simulated users: front desk, practitioners (at most one per practitioner), signed-in patients, visitors.
MIX = {"front_desk": 14, "practitioner": 10, "patient": 14, "anonymous": 12}


def prepare(size: str, users: int) -> dict:
    """Migrate, seed, add the load-test accounts; the accounts file's content."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from clinic.models import Patient, Practitioner, User
    from clinic.roles import FRONT_DESK
    from scheduling import services
    from scheduling.models import AppointmentType

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    today = timezone.localdate()
    if size == "demo":
        call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    else:
        ours.seed(today)
    practitioners = list(Practitioner.objects.filter(active=True).order_by("display_name"))
    mix = dict(MIX)
    mix["practitioner"] = min(mix["practitioner"], len(practitioners))
    mix["anonymous"] += MIX["practitioner"] - mix["practitioner"]  # keep 50 users in all
    scale = users / sum(MIX.values())
    mix = {role: max(1, round(n * scale)) for role, n in mix.items()}

    password = secrets.token_urlsafe(16)
    hashed = make_password(password)  # one Argon2 hash for all: seeding stays quick, logins stay real
    totp_secret = generate_totp_secret()

    def staff(user) -> dict:
        Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
        TOTP.activate(user, totp_secret)
        return {"email": user.email, "password": password, "totp_secret": totp_secret}

    desk_group = Group.objects.get(name=FRONT_DESK)
    front_desk = []
    for i in range(mix["front_desk"]):
        user = User.objects.create(email=f"load-desk-{i:03d}@example.com", password=hashed)
        user.groups.add(desk_group)
        front_desk.append(staff(user))
    practitioner_accounts = []
    for p in practitioners[: mix["practitioner"]]:
        p.user.password = hashed
        p.user.save(update_fields=["password"])
        practitioner_accounts.append(staff(p.user))
    patient_accounts = []
    for i, patient in enumerate(Patient.objects.filter(user__isnull=True).order_by("pk")[: mix["patient"]]):
        patient.user = User.objects.create(email=f"load-patient-{i:03d}@example.com", password=hashed)
        patient.save(update_fields=["user"])
        patient_accounts.append({"email": patient.user.email, "password": password})
    front_desk_type = AppointmentType.objects.filter(active=True, new_patient_only=False).order_by("-duration").first()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would have by the time a clinic is this full
    log(f"clinic day ({size}): seeded and {sum(mix.values())} accounts in {time.perf_counter() - t0:.0f} s")
    return {
        "today": today.isoformat(),
        "users": mix,
        "front_desk": front_desk,
        "practitioner": practitioner_accounts,
        "patient": patient_accounts,
        "practitioner_ids": [p.pk for p in practitioners],
        "patient_ids": list(Patient.objects.order_by("pk").values_list("pk", flat=True)[:500]),
        "front_desk_type_id": front_desk_type.pk,
        "online_type_slug": services.online_types_for(None)[0].slug,
    }


class Server:
    """gunicorn (4 sync workers) and the task worker, with DEBUG=0 and CONN_MAX_AGE=60, one trusted proxy (the
    load test sends each person's address as X-Forwarded-For); their logs kept."""

    def __init__(self, port: int):
        # Behind one proxy, as deployed (deploy/): each simulated person's X-Forwarded-For is their address.
        env = {**os.environ, "CONN_MAX_AGE": "60", "DEBUG": "0", "CLINIC_TRUSTED_PROXY_COUNT": "1"}
        self.access_log = TMP / "clinic-day-access.log"
        self.error_log = TMP / "clinic-day-server.log"
        self.worker_log = TMP / "clinic-day-worker.log"
        bin_dir = Path(sys.executable).parent
        self.logs = [open(self.error_log, "w"), open(self.worker_log, "w")]  # noqa: SIM115
        self.gunicorn = subprocess.Popen(
            [
                str(bin_dir / "gunicorn"),
                "clinic.wsgi",
                "--workers",
                "4",
                "--bind",
                f"{HOST}:{port}",
                "--timeout",
                "120",
                "--access-logfile",
                str(self.access_log),
                "--access-logformat",
                '%(s)s %(m)s "%(U)s" %(M)s',
            ],
            cwd=ours.ROOT,
            env=env,
            stdout=self.logs[0],
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--interval", "2"],
            cwd=ours.ROOT,
            env=env,
            stdout=self.logs[1],
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.gunicorn.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.error_log}")
            try:
                if request(port, "GET", "/healthz", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not answer /healthz within 60 s")

    def stop(self) -> None:
        for proc in (self.gunicorn, self.worker):
            stop_group(proc, grace=30)
        for f in self.logs:
            f.close()

    def server_errors(self) -> dict:
        statuses = [line.split(" ", 1)[0] for line in self.access_log.read_text().splitlines() if line]
        text = self.error_log.read_text() + self.worker_log.read_text()
        return {
            "responses_5xx": sum(1 for s in statuses if s.startswith("5")),
            "tracebacks": text.count("Traceback (most recent call last)"),
            "responses": len(statuses),
        }


def run_locust(port: int, accounts_file: Path, seconds: int, users: int) -> Path:
    prefix = TMP / "clinic-day"
    for old in TMP.glob("clinic-day_*.csv"):
        old.unlink()
    cmd = [
        str(Path(sys.executable).parent / "locust"),
        "-f",
        str(HERE / "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        "5",
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--host",
        f"http://{HOST}:{port}",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    env = {**os.environ, "CLINIC_DAY_ACCOUNTS": str(accounts_file)}
    subprocess.run(cmd, cwd=ours.ROOT, env=env, timeout=seconds + 180, check=False, stdout=subprocess.DEVNULL)
    return Path(f"{prefix}_stats.csv")


def figures(stats_csv: Path, failures_csv: Path) -> tuple[list[dict], list[dict], dict]:
    """Per page figures, the failures, and the whole run's requests per second and failures (locust's total)."""
    rows, total = [], {}
    with stats_csv.open() as f:
        for row in csv.DictReader(f):
            if row["Name"] == "Aggregated":
                total = {
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "requests_per_second": round(float(row["Requests/s"]), 2),
                }
                continue
            rows.append(
                {
                    "page": f"{row['Type']} {row['Name']}",
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "median_ms": float(row["50%"] or 0),
                    "p95_ms": float(row["95%"] or 0),
                    "p99_ms": float(row["99%"] or 0),
                    "requests_per_second": round(float(row["Requests/s"]), 2),
                    "login": row["Name"].startswith("login:"),
                }
            )
    failures = []
    if failures_csv.exists():
        with failures_csv.open() as f:
            failures = [
                {"page": f"{r['Method']} {r['Name']}", "error": r["Error"][:200], "count": int(r["Occurrences"])}
                for r in csv.DictReader(f)
            ]
    return rows, failures, total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=["demo", "bench"], required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--users", type=int, default=50)
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("the clinic-day load test runs on PostgreSQL")
    accounts = prepare(args.size, args.users)
    accounts_file = TMP / f"clinic-day-accounts-{args.size}.json"
    accounts_file.write_text(json.dumps(accounts))
    connection.close()
    port = free_port()
    server = Server(port)
    load_before = os.getloadavg()
    try:
        log(f"clinic day ({args.size}): {args.users} users for {args.seconds} s")
        stats = run_locust(port, accounts_file, args.seconds, args.users)
    finally:
        load_after = os.getloadavg()
        server.stop()
    rows, failures, total = figures(stats, stats.with_name("clinic-day_failures.csv"))
    result = {
        "size": args.size,
        "users": accounts["users"],
        "seconds": args.seconds,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "pages": rows,
        "total": total,
        "failures": failures,
        "server": server.server_errors(),
    }
    Path(args.out).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
