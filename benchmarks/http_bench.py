"""Booking race, bulk bookings and throughput against a live gunicorn (4 workers) on PostgreSQL.

    python benchmarks/http_bench.py --out FILE [--clients 200] [--bookings 2000] [--seconds 5]

Run by `run.py` after `ours.py inproc` has seeded the same database. Clients are logged in by sessions created
directly in the database for benchmark front-desk users (no password or TOTP round trip: the login flow is
not what is measured). All traffic stays on 127.0.0.1; every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import queue
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import ours
from ours import ADJUSTMENT_SLUG, layout, log, setup_django

HOST = "127.0.0.1"
CONNECTIONS = 8  # twice the workers: enough to keep all four busy
CSRF_SECRET = secrets.token_hex(16)  # 32 characters: Django accepts the bare secret as the form token


# --- The booking endpoint (swap this one line when online booking lands) ---------------------


@dataclass(frozen=True)
class FrontDeskBooking:
    """POST /frontdesk/appointments/new/: 302 to the appointment on success, 400 with the form error when taken."""

    path: str = "/frontdesk/appointments/new/"

    def fields(self, *, patient_id: int, practitioner_id: int, type_id: int, start_local: str) -> dict:
        return {
            "patient": patient_id,
            "appointment_type": type_id,
            "practitioner": practitioner_id,
            "start": start_local,
            "room": "",
            "frontdesk_notes": "",
        }

    def outcome(self, status: int, headers: dict, body: bytes) -> str:
        if status == 302 and re.search(r"/frontdesk/appointments/\d+/", headers.get("location", "")):
            return "booked"
        # A refusal names the conflict: the practitioner's own booking ("already sees") or a lost race.
        if status == 400 and (b"just taken" in body or b"already sees" in body):
            return "refused"
        if status >= 500:
            return "server_error"
        return f"other_{status}"


BOOKING_ENDPOINT = FrontDeskBooking()


# --- Clients ---------------------------------------------------------------------------------


def in_threads(target, count: int, *, timeout: float) -> float:
    """`target(0)` to `target(count - 1)`, each in its own thread, all started before any is waited for; the
    seconds from the first start until each has ended or had its `timeout`."""
    threads = [threading.Thread(target=target, args=(n,)) for n in range(count)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    return time.perf_counter() - t0


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def request(port: int, method: str, path: str, *, cookie: str = "", body: dict | None = None, timeout: float = 60):
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        headers = {"Host": HOST}
        if cookie:
            headers["Cookie"] = cookie
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, payload
    finally:
        conn.close()


def make_sessions(count: int) -> list[str]:
    """`count` front-desk users, each with a database session; returns the Cookie header of each."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore

    from clinic.middleware import LOGIN_AT, MFA_OK, SEEN_AT
    from clinic.models import User
    from clinic.roles import FRONT_DESK

    unusable = make_password(None)
    users = User.objects.bulk_create(
        [User(email=f"bench-desk-{i:04d}@example.com", password=unusable) for i in range(count)]
    )
    Group.objects.get(name=FRONT_DESK).user_set.add(*users)
    cookies = []
    now = time.time()
    for user in users:
        # Staff need TOTP (StaffTwoFactorMiddleware): enrol each user and write the session as a login with
        # the second factor done would (clinic.middleware.start_session_clocks).
        TOTP.activate(user, generate_totp_secret())
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store[LOGIN_AT] = store[SEEN_AT] = now
        store[MFA_OK] = True
        store.create()
        cookies.append(f"sessionid={store.session_key}; csrftoken={CSRF_SECRET}")
    return cookies


def make_patients(count: int) -> list[int]:
    from clinic.models import Patient

    rows = Patient.objects.bulk_create(
        [
            Patient(first_name=f"Race{i:05d}", last_name="Patient", date_of_birth=dt.date(1990, 1, 1))
            for i in range(count)
        ]
    )
    return [p.pk for p in rows]


class Gunicorn:
    def __init__(self, port: int, workers: int = 4, extra_env: dict | None = None):
        self.port = port
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.log = open(ours.HERE / ".tmp" / "gunicorn.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [str(gunicorn), "clinic.wsgi", "--workers", str(workers), "--bind", f"{HOST}:{port}", "--timeout", "120"],
            cwd=ours.ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(extra_env or {})},
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; see benchmarks/.tmp/gunicorn.log")
            try:
                if request(port, "GET", "/healthz", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not answer /healthz within 60 s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.log.close()


# --- Race ------------------------------------------------------------------------------------


def race(port: int, cookies: list[str], patients: list[int], clients: int) -> dict:
    from clinic.models import Practitioner
    from scheduling.availability import clinic_zone, find_slots
    from scheduling.models import Appointment, AppointmentType

    adjustment = AppointmentType.objects.get(slug=ADJUSTMENT_SLUG)
    practitioner = Practitioner.objects.filter(display_name__startswith="Dr. Bench").order_by("display_name").first()
    day = layout.race_day(layout.first_day(ours_today()))
    free = find_slots(appointment_type=adjustment, practitioner_ids=[practitioner.pk], first_day=day, days=1)
    slot = next(s for s in free if s.start.astimezone(clinic_zone()).time() == dt.time(10, 0))
    start_local = slot.start.astimezone(clinic_zone()).strftime("%Y-%m-%dT%H:%M")
    barrier = threading.Barrier(clients, timeout=60)
    results: list[str] = [""] * clients
    finished: list[float] = [0.0] * clients

    def client(i: int) -> None:
        body = BOOKING_ENDPOINT.fields(
            patient_id=patients[i], practitioner_id=practitioner.pk, type_id=adjustment.pk, start_local=start_local
        )
        body["csrfmiddlewaretoken"] = CSRF_SECRET
        try:
            barrier.wait()
            status, headers, payload = request(port, "POST", BOOKING_ENDPOINT.path, cookie=cookies[i], body=body)
            results[i] = BOOKING_ENDPOINT.outcome(status, headers, payload)
        except Exception as exc:  # a client-side failure is counted, never hidden
            results[i] = f"client_error:{type(exc).__name__}"
        finished[i] = time.perf_counter()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    elapsed = max(finished) - t0 if all(finished) else time.perf_counter() - t0
    counts = {k: results.count(k) for k in sorted(set(results))}
    in_db = Appointment.objects.filter(
        practitioner=practitioner, start=slot.start, status__in=Appointment.ACTIVE_STATUSES
    ).count()
    row = {
        "clients": clients,
        "slot": start_local,
        "booked": counts.get("booked", 0),
        "refused": counts.get("refused", 0),
        "server_errors": counts.get("server_error", 0),
        "other": {k: v for k, v in counts.items() if k not in {"booked", "refused", "server_error"}},
        "rows_in_database": in_db,
        "seconds": round(elapsed, 2),
    }
    log(f"race: {row}")
    return row


def ours_today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


# --- Room race ------------------------------------------------------------------------------


def room_race(port: int, cookies: list[str], patients: list[int], rounds: int) -> dict:
    """Three clients at once book three *different* practitioners of one location at the same time, with the
    room left to the service ("any free room"). Every room there is free then, so all three should be booked."""
    from clinic.models import Practitioner, Room
    from scheduling.models import AppointmentType

    adjustment = AppointmentType.objects.get(slug=ADJUSTMENT_SLUG)
    practitioners = list(Practitioner.objects.filter(display_name__startswith="Dr. Bench").order_by("display_name"))
    day = layout.race_day(layout.first_day(ours_today()))
    staff = layout.practitioners_at(0)[1:4]  # not the practitioner of the single-slot race
    times = [dt.time(h, m) for h in (8, 9, 10, 11, 13, 14, 15, 16, 17) for m in (0, 30) if (h, m) != (10, 0)]
    outcomes: list[str] = []
    for n in range(min(rounds, len(times))):
        start_local = dt.datetime.combine(day, times[n]).strftime("%Y-%m-%dT%H:%M")
        barrier = threading.Barrier(len(staff), timeout=60)
        results = [""] * len(staff)

        def client(k: int, start_local=start_local, barrier=barrier, results=results, n=n) -> None:
            body = BOOKING_ENDPOINT.fields(
                patient_id=patients[-1 - (n * len(staff) + k)],
                practitioner_id=practitioners[staff[k]].pk,
                type_id=adjustment.pk,
                start_local=start_local,
            )
            body["csrfmiddlewaretoken"] = CSRF_SECRET
            try:
                barrier.wait()
                status, headers, payload = request(port, "POST", BOOKING_ENDPOINT.path, cookie=cookies[k], body=body)
                results[k] = BOOKING_ENDPOINT.outcome(status, headers, payload)
            except Exception as exc:
                results[k] = f"client_error:{type(exc).__name__}"

        in_threads(client, len(staff), timeout=120)
        outcomes.extend(results)
    counts = {k: outcomes.count(k) for k in sorted(set(outcomes))}
    row = {
        "rounds": min(rounds, len(times)),
        "clients_per_round": len(staff),
        "rooms_at_location": Room.objects.filter(
            location=practitioners[staff[0]].working_hours.first().location, active=True
        ).count(),
        "booked": counts.get("booked", 0),
        "refused": counts.get("refused", 0),
        "server_errors": counts.get("server_error", 0),
        "other": {k: v for k, v in counts.items() if k not in {"booked", "refused", "server_error"}},
    }
    log(f"room race: {row}")
    return row


# --- Bulk bookings ---------------------------------------------------------------------------


def bulk_plan(count: int) -> list[tuple[int, str]]:
    """`count` (practitioner index, local start) pairs that fit together: 30-minute sessions on days after the race
    day, at each time three of a location's five practitioners (one per room)."""
    plan: list[tuple[int, str]] = []
    day = layout.next_working_day(layout.race_day(layout.first_day(ours_today())) + dt.timedelta(days=1))
    starts = []
    for begin, end in layout.HOURS:
        t = dt.datetime.combine(day, begin)
        while (t + dt.timedelta(minutes=layout.SERVICE_MINUTES)).time() <= end:
            starts.append(t.time())
            t += dt.timedelta(minutes=layout.SERVICE_MINUTES)
    for _ in range(400):  # bounded: far more days than 2,000 bookings need
        for n, start in enumerate(starts):
            for location in range(layout.LOCATIONS):
                staff = layout.practitioners_at(location)
                for k in range(layout.ROOMS_PER_LOCATION):
                    p = staff[(n + day.toordinal() + k) % len(staff)]
                    plan.append((p, dt.datetime.combine(day, start).strftime("%Y-%m-%dT%H:%M")))
                    if len(plan) == count:
                        return plan
        day = layout.next_working_day(day + dt.timedelta(days=1))
    return plan


def bulk(port: int, cookies: list[str], patients: list[int], count: int, concurrency: int, limit_s: float) -> dict:
    from clinic.models import Practitioner
    from scheduling.models import AppointmentType

    adjustment = AppointmentType.objects.get(slug=ADJUSTMENT_SLUG)
    practitioners = list(Practitioner.objects.filter(display_name__startswith="Dr. Bench").order_by("display_name"))
    work: queue.Queue = queue.Queue()
    plan = bulk_plan(count)
    # Spread over slots in a fixed random order, so that concurrent clients rarely aim at the same time and
    # location (that case is measured on its own by `room_race`).
    random.Random(layout.SEED).shuffle(plan)
    for i, (p, start_local) in enumerate(plan):
        work.put((i, practitioners[p].pk, start_local))
    outcomes: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + limit_s

    def worker(w: int) -> None:
        while time.monotonic() < deadline:
            try:
                i, practitioner_id, start_local = work.get_nowait()
            except queue.Empty:
                return
            body = BOOKING_ENDPOINT.fields(
                patient_id=patients[i % len(patients)],
                practitioner_id=practitioner_id,
                type_id=adjustment.pk,
                start_local=start_local,
            )
            body["csrfmiddlewaretoken"] = CSRF_SECRET
            try:
                status, headers, payload = request(port, "POST", BOOKING_ENDPOINT.path, cookie=cookies[w], body=body)
                result = BOOKING_ENDPOINT.outcome(status, headers, payload)
            except Exception as exc:
                result = f"client_error:{type(exc).__name__}"
            with lock:
                outcomes.append(result)

    elapsed = in_threads(worker, concurrency, timeout=limit_s + 60)
    counts = {k: outcomes.count(k) for k in sorted(set(outcomes))}
    row = {
        "planned": count,
        "sent": len(outcomes),
        "concurrency": concurrency,
        "booked": counts.get("booked", 0),
        "refused": counts.get("refused", 0),
        "server_errors": counts.get("server_error", 0),
        "other": {k: v for k, v in counts.items() if k not in {"booked", "refused", "server_error"}},
        "seconds": round(elapsed, 2),
        "bookings_per_second": round(counts.get("booked", 0) / elapsed, 1) if elapsed else None,
        "stopped_by_time_limit": len(outcomes) < count,
    }
    log(f"bulk bookings: {row}")
    return row


# --- Throughput ------------------------------------------------------------------------------


def throughput(port: int, path: str, cookie: str, seconds: float, connections: int) -> dict:
    status = request(port, "GET", path, cookie=cookie, timeout=30)[0]
    if status != 200:  # a redirect to the login page would make a fine-looking but meaningless figure
        return {"tool": "none", "connections": 0, "requests_per_second": None, "non_2xx": f"first answer {status}"}
    # Warm every worker first (each compiles its templates on its first page); this round is not counted.
    warm_until = time.monotonic() + min(3.0, seconds)

    def warm(_n: int) -> None:
        while time.monotonic() < warm_until:
            request(port, "GET", path, cookie=cookie, timeout=30)

    in_threads(warm, connections, timeout=60)
    wrk = None if os.environ.get("BENCH_NO_WRK") else shutil.which("wrk")  # BENCH_NO_WRK=1 tries the fallback
    if wrk:
        cmd = [
            wrk,
            "-t2",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "30s",  # a page slower than wrk's 2 s default would count as a timeout, not a request
            f"http://{HOST}:{port}{path}",
        ]
        if cookie:
            cmd += ["-H", f"Cookie: {cookie}"]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60).stdout
        rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
        non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
        errors = re.search(r"Socket errors:.*", out)
        return {
            "tool": "wrk",
            "connections": connections,
            "requests_per_second": float(rps.group(1)) if rps else None,
            "non_2xx": int(non2xx.group(1)) if non2xx else 0,
            "socket_errors": errors.group(0) if errors else "",
        }
    # Python fallback: `connections` threads, each sending requests one after another until the time is up.
    done: list[int] = []
    bad: list[int] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def loop(_n: int) -> None:
        n = b = 0
        while time.monotonic() < stop_at:
            try:
                status = request(port, "GET", path, cookie=cookie, timeout=30)[0]
            except OSError:
                status = 0
            n += 1
            b += status != 200
        with lock:
            done.append(n)
            bad.append(b)

    elapsed = in_threads(loop, connections, timeout=seconds + 60)
    return {
        "tool": "python http.client threads",
        "connections": connections,
        "requests_per_second": round(sum(done) / elapsed, 1),
        "non_2xx": sum(bad),
    }


def measure_throughput(port: int, cookie: str, seconds: float) -> dict:
    day = layout.next_working_day(layout.first_day(ours_today())).isoformat()
    out = {
        "healthz": throughput(port, "/healthz", "", seconds, CONNECTIONS),
        "day_view": throughput(port, f"/frontdesk/?date={day}", cookie, seconds, CONNECTIONS),
    }
    log(f"throughput: {out}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--bookings", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--room-rounds", type=int, default=10)
    parser.add_argument("--bulk-limit", type=float, default=240.0, help="stop the bulk bookings after this long")
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("http_bench needs PostgreSQL")
    cookies = make_sessions(max(args.clients, args.concurrency))
    patients = make_patients(max(args.clients, args.bookings))
    connection.close()  # the workers are separate processes; keep no idle connection from here
    port = free_port()
    result: dict = {"workers": 4, "port": port}
    server = Gunicorn(port)
    try:
        result["race"] = race(port, cookies, patients, args.clients)
        result["room_race"] = room_race(port, cookies, patients, args.room_rounds)
        result["bulk"] = bulk(port, cookies, patients, args.bookings, args.concurrency, args.bulk_limit)
        result["throughput"] = measure_throughput(port, cookies[0], args.seconds)
    finally:
        server.stop()
    # The same with persistent database connections (settings read CONN_MAX_AGE; the default is 0).
    port = free_port()
    server = Gunicorn(port, extra_env={"CONN_MAX_AGE": "60"})
    try:
        result["throughput_conn_max_age_60"] = measure_throughput(port, cookies[0], args.seconds)
    finally:
        server.stop()
    Path(args.out).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
