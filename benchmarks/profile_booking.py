"""Profile the front desk's booking request in-process (issue 14): `POST /frontdesk/appointments/new/` through
Django's test client, on a fresh database, with production settings (DEBUG=0).

    DEBUG=0 SECRET_KEY=... DATABASE_URL=sqlite:////tmp/profile.sqlite3 .venv/bin/python benchmarks/profile_booking.py
    DEBUG=0 SECRET_KEY=... DATABASE_URL=postgres://.../clinic_profile .venv/bin/python benchmarks/profile_booking.py

The database named must be empty or a throwaway: it is migrated and seeded (one location, three rooms, one
practitioner working weekdays 08:00-18:00, a 30-minute type, one front-desk user with TOTP, 200 patients). It
prints the time per request without the profiler (wall clock and this process's CPU, median of the runs), the
queries per request, and the profile's split (wall clock; PROFILE_CPU=1 for this process's CPU time):
middleware, the view and its form, `validate_time`, the writes (insert, audit, outbox, tasks).
"""

from __future__ import annotations

import cProfile
import datetime as dt
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

RUNS = int(os.environ.get("PROFILE_RUNS", "60"))


def seed():
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from clinic.models import Location, Patient, Practitioner, Room, User
    from scheduling.models import AppointmentType, WorkingHours

    call_command("migrate", verbosity=0)
    location = Location.objects.create(name="Profile Street")
    for n in range(3):
        Room.objects.create(location=location, name=f"Room {n + 1}")
    practitioner = Practitioner.objects.create(
        display_name="Dr. Profile", user=User.objects.create(email="dr.profile@example.org")
    )
    for weekday in range(5):
        WorkingHours.objects.create(
            practitioner=practitioner, location=location, weekday=weekday, start_time=dt.time(8), end_time=dt.time(18)
        )
    kind = AppointmentType.objects.create(name="Profile visit", slug="profile-visit", duration=dt.timedelta(minutes=30))
    desk = User.objects.create_user(email="desk.profile@example.org", password="x" * 20)
    from django.contrib.auth.models import Group

    desk.groups.add(Group.objects.get_or_create(name="Front desk")[0])
    TOTP.activate(desk, generate_totp_secret())
    patients = Patient.objects.bulk_create(
        [
            Patient(first_name=f"P{n}", last_name="Profile", date_of_birth=dt.date(1980, 1, 1), email=f"p{n}@x.org")
            for n in range(200)
        ]
    )
    return desk, practitioner, kind, patients


def slots(count: int):
    """`count` free half hours on the weekdays from next Monday, 08:00-18:00, in the clinic's zone."""
    zone = timezone.get_default_timezone()
    day = timezone.localdate() + dt.timedelta(days=7 - timezone.localdate().weekday())
    out = []
    while len(out) < count:
        if day.weekday() < 5:
            out += [dt.datetime.combine(day, dt.time(8), tzinfo=zone) + dt.timedelta(minutes=30 * k) for k in range(20)]
        day += dt.timedelta(days=1)
    return out[:count]


def main():
    desk, practitioner, kind, patients = seed()
    client = Client()
    client.force_login(desk)
    url = reverse("scheduling:appointment_book")
    assert client.get(url).status_code == 200  # the session's second factor marked, as after a real login
    starts = slots(RUNS * 3 + 5)

    def post(n: int, start: dt.datetime):
        data = {
            "appointment_type": kind.pk,
            "practitioner": practitioner.pk,
            "start": start.strftime("%Y-%m-%dT%H:%M"),
            "patient": patients[n % len(patients)].pk,
        }
        response = client.post(url, data)
        assert response.status_code == 302, (response.status_code, response.content[:500])

    for n, start in enumerate(starts[:5]):  # warm-up
        post(n, start)
    with CaptureQueriesContext(connection) as captured:
        post(5, starts[5])
    queries = [q["sql"] for q in captured.captured_queries]
    times, cpu = [], []
    for n, start in enumerate(starts[6 : 6 + RUNS]):
        began, began_cpu = time.perf_counter(), time.process_time()
        post(n, start)
        times.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
    # PROFILE_CPU=1: this process's CPU time instead of the wall clock (which on a loaded machine also counts the
    # time other processes held the CPU), but cProfile then charges its own cost per call, which inflates code
    # made of many small calls (the request cycle) several times over: read its shares with care.
    profiler = cProfile.Profile(time.process_time) if os.environ.get("PROFILE_CPU") else cProfile.Profile()
    profiled = starts[6 + RUNS : 6 + 2 * RUNS]
    profiler.enable()
    for n, start in enumerate(profiled):
        post(n, start)
    profiler.disable()
    reset_queries()

    stats = pstats.Stats(profiler)
    # Client.post calls RequestFactory.post: the outer one only.
    total = max(v[3] for k, v in stats.stats.items() if k[2] == "post" and k[0].endswith("django/test/client.py"))

    def cumulative(file_part: str, name: str) -> float:
        return sum(v[3] for k, v in stats.stats.items() if file_part in k[0] and k[2] == name)

    view = cumulative("scheduling/views/appointments.py", "appointment_book")
    checks = cumulative("scheduling/services/booking.py", "validate_time")
    book = cumulative("scheduling/services/booking.py", "appointment_book")
    statement = cumulative("scheduling/availability/loading.py", "load_booking_facts")
    compile_sql = cumulative("django/db/models/sql/compiler.py", "as_sql")
    execute = cumulative("django/db/backends/utils.py", "_execute")
    per = len(profiled)
    print(f"{connection.vendor}: {RUNS} requests timed, {per} profiled; load average {os.getloadavg()}")
    print(
        f"per request without the profiler: wall median {statistics.median(times):.1f} ms (fastest "
        f"{min(times):.1f}), this process's CPU median {statistics.median(cpu):.1f} ms (fastest {min(cpu):.1f})"
    )
    print(f"queries per request: {len(queries)}")
    for sql in queries:
        print("   ", sql[:110])
    rows = [
        ("whole request (test client)", total),
        ("middleware and the request cycle (= whole - view)", total - view),
        ("the view and its form (= view - booking service)", view - book),
        ("booking service", book),
        ("  validate_time", checks),
        ("    its one statement (load_booking_facts)", statement),
        ("  writes and notices (= service - validate_time)", book - checks),
        ("Django compiling SQL (as_sql, all queries)", compile_sql),
        ("database calls (_execute, all queries)", execute),
    ]
    language = cumulative("clinic/permissions.py", "stored_language_of")
    form = cumulative("django/forms/forms.py", "full_clean")
    enqueue = cumulative("django_tasks/base.py", "enqueue")
    rows[2:2] = [("  session, user and roles (read by the language middleware)", language)]
    rows[4:4] = [("  the form's clean (patient, type, practitioner looked up)", form)]
    rows[-2:-2] = [("    the two tasks' enqueue (django-tasks)", enqueue)]
    print("| part of one booking request | ms (under the profiler) | share |")
    print("| --- | ---: | ---: |")
    for label, seconds in rows:
        print(f"| {label} | {seconds / per * 1000:.1f} | {seconds / total * 100:.0f} % |")
    if os.environ.get("PROFILE_TOP"):
        stats.sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(int(os.environ["PROFILE_TOP"]))


if __name__ == "__main__":
    main()
