"""Our side of the benchmark, run by `run.py` in a subprocess with DATABASE_URL pointing at a fresh database.

    python benchmarks/ours.py inproc --out FILE [--runs N]

migrates, seeds the scenario of `layout.py` and measures availability and the front-desk day view in this
process (Django's test client). Figures go to FILE as JSON; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))  # first: benchmarks/reports.py must not hide the `reports` app

import layout  # noqa: E402
from timing import stats, timed  # noqa: E402

FOLLOW_UP_SLUG = "bench-follow-up"
ADJUSTMENT_SLUG = "bench-adjustment"
FRONTDESK_EMAIL = "bench-frontdesk@example.com"


def log(msg: str) -> None:
    print(f"  [{os.environ.get('BENCH_LABEL', 'ours')}] {msg}", file=sys.stderr, flush=True)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    import django

    django.setup()


def count_queries(fn) -> tuple[int, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    return len(ctx.captured_queries), result


# --- Seeding --------------------------------------------------------------------------------


def aware(day: dt.date, t: dt.time) -> dt.datetime:
    from scheduling.availability import clinic_zone

    return dt.datetime.combine(day, t, tzinfo=clinic_zone())


def seed(first_day: dt.date) -> dict:
    """The scenario of layout.py in our models: bulk inserts, every row inside the constraints."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import transaction

    from clinic.models import Location, Patient, Practitioner, Room, User
    from clinic.roles import FRONT_DESK, PRACTITIONER
    from scheduling.models import Appointment, AppointmentType, WorkingHours

    t0 = time.perf_counter()
    unusable = make_password(None)
    with transaction.atomic():
        locations = [
            Location.objects.create(
                name=f"Bench location {i + 1}",
                address_line1="1 Main Street",
                city="Portland",
                time_zone=settings.TIME_ZONE,
            )
            for i in range(layout.LOCATIONS)
        ]
        rooms = {
            (loc_index, r): Room.objects.create(location=loc, name=f"Room {r + 1}")
            for loc_index, loc in enumerate(locations)
            for r in range(layout.ROOMS_PER_LOCATION)
        }
        users = User.objects.bulk_create(
            [
                User(email=f"bench-practitioner-{p:02d}@example.com", first_name="Bench", last_name=f"P{p:02d}")
                for p in range(layout.PRACTITIONERS)
            ]
        )
        for u in users:
            u.password = unusable
        User.objects.bulk_update(users, ["password"])
        Group.objects.get(name=PRACTITIONER).user_set.add(*users)
        frontdesk = User.objects.create(email=FRONTDESK_EMAIL, password=unusable, first_name="Bench", last_name="Desk")
        frontdesk.groups.add(Group.objects.get(name=FRONT_DESK))
        TOTP.activate(frontdesk, generate_totp_secret())  # staff cannot see a page without TOTP
        practitioners = Practitioner.objects.bulk_create(
            [Practitioner(user=u, display_name=f"Dr. Bench {p:02d}", credentials="DC") for p, u in enumerate(users)]
        )
        WorkingHours.objects.bulk_create(
            [
                WorkingHours(
                    practitioner=practitioners[p],
                    location=locations[layout.location_of(p)],
                    weekday=wd,
                    start_time=start,
                    end_time=end,
                )
                for p in range(layout.PRACTITIONERS)
                for wd in layout.WORKING_WEEKDAYS
                for start, end in layout.HOURS
            ]
        )
        follow_up = AppointmentType.objects.create(
            name="Bench follow-up",
            slug=FOLLOW_UP_SLUG,
            duration=dt.timedelta(minutes=layout.SESSION_MINUTES),
            requires_consent=False,
        )
        AppointmentType.objects.create(
            name="Bench SOT adjustment",
            slug=ADJUSTMENT_SLUG,
            duration=dt.timedelta(minutes=layout.SERVICE_MINUTES),
            requires_consent=False,
        )
        patients = Patient.objects.bulk_create(
            [
                Patient(first_name=f"Bench{i:04d}", last_name="Patient", date_of_birth=dt.date(1980, 1, 1))
                for i in range(layout.PATIENTS)
            ]
        )
    sessions = layout.sessions(first_day)
    layout.check(sessions)
    _insert_sessions(sessions, practitioners, rooms, patients, follow_up, Appointment)
    elapsed = time.perf_counter() - t0
    log(f"seeded {len(sessions)} appointments in {elapsed:.1f} s")
    return {"appointments": len(sessions), "seconds": round(elapsed, 2)}


def _insert_sessions(sessions, practitioners, rooms, patients, appointment_type, Appointment) -> None:
    from django.db import transaction

    rows = []
    for s in sessions:
        start = aware(s.day, s.start)
        end = start + dt.timedelta(minutes=s.minutes)
        rows.append(
            Appointment(
                patient=patients[s.patient],
                practitioner=practitioners[s.practitioner],
                room=rooms[(layout.location_of(s.practitioner), s.room)],
                appointment_type=appointment_type,
                start=start,
                end=end,
                blocks_until=end,
            )
        )
    with transaction.atomic():
        Appointment.objects.bulk_create(rows, batch_size=1000)


def seed_busy_day(day: dt.date) -> int:
    """The 10 x 40 day: two more rooms per location, then 40 sessions per practitioner on `day`."""
    from clinic.models import Location, Patient, Practitioner, Room
    from scheduling.models import Appointment, AppointmentType

    locations = list(Location.objects.filter(name__startswith="Bench location").order_by("name"))
    for loc in locations:
        for r in range(layout.ROOMS_PER_LOCATION, layout.ROOMS_PER_LOCATION + layout.BUSY_DAY_EXTRA_ROOMS):
            Room.objects.create(location=loc, name=f"Room {r + 1}")
    rooms = {
        (i, int(room.name.split()[-1]) - 1): room
        for i, loc in enumerate(locations)
        for room in Room.objects.filter(location=loc)
    }
    practitioners = list(Practitioner.objects.filter(display_name__startswith="Dr. Bench").order_by("display_name"))
    patients = list(Patient.objects.filter(first_name__startswith="Bench").order_by("pk")[: layout.PATIENTS])
    sessions = layout.busy_day_sessions(day)
    layout.check(sessions)
    _insert_sessions(
        sessions, practitioners, rooms, patients, AppointmentType.objects.get(slug=FOLLOW_UP_SLUG), Appointment
    )
    return len(sessions)


# --- Measurements ---------------------------------------------------------------------------


def measure_availability(first_day: dt.date, runs: int) -> list[dict]:
    from clinic.models import Practitioner
    from scheduling.availability import find_slots, load_schedule
    from scheduling.models import AppointmentType

    adjustment = AppointmentType.objects.get(slug=ADJUSTMENT_SLUG)
    first = Practitioner.objects.filter(display_name__startswith="Dr. Bench").order_by("display_name").first()
    cases = [
        ("1 practitioner x 1 day", [first.pk], 1, False),
        ("1 practitioner x 30 days", [first.pk], 30, False),
        ("any of 10 x 1 day", None, 1, True),
        ("any of 10 x 30 days", None, 30, True),
        ("any of 10 x 60 days", None, 60, True),
    ]
    out = []
    for label, ids, days, any_ in cases:

        def call(ids=ids, days=days, any_=any_):
            return find_slots(
                appointment_type=adjustment, practitioner_ids=ids, first_day=first_day, days=days, one_per_start=any_
            )

        queries, slots = count_queries(call)
        samples, _ = timed(call, runs)
        row = {"case": label, "queries": queries, "slots": len(slots), **stats(samples)}
        if ids is not None:
            row["slots_ignoring_rooms"] = _count_ignoring_rooms(adjustment, ids, first_day, days)

        def load(ids=ids, days=days):
            return load_schedule(
                practitioner_ids=ids, first_day=first_day, last_day=first_day + dt.timedelta(days=days - 1)
            )

        load_samples, data = timed(load, runs)
        row["load_schedule_median_ms"] = round(statistics.median(load_samples), 2)
        row["busy_rows_loaded"] = len(data.busy_rows)
        log(f"availability {label}: median {row['median_ms']} ms, {queries} queries, {len(slots)} free starts")
        out.append(row)
    return out


def _count_ignoring_rooms(appointment_type, ids, first_day: dt.date, days: int) -> int:
    """Free starts when every location had an always-free room: the practitioner-only answer the peer gives."""
    from django.conf import settings
    from django.utils import timezone

    from scheduling.availability import clinic_zone, free_slots, load_schedule

    zone = clinic_zone()
    data = load_schedule(
        practitioner_ids=ids, first_day=first_day, last_day=first_day + dt.timedelta(days=days - 1), zone=zone
    )
    data.rooms_by_location = {loc: [-1] for loc in data.rooms_by_location}  # a room nobody ever books
    slots = free_slots(
        data,
        duration=appointment_type.duration,
        buffer_after=appointment_type.buffer_after,
        first_day=first_day,
        days=days,
        now=timezone.now(),
        zone=zone,
        grid_minutes=settings.SCHEDULING_GRID_MINUTES,
        min_notice=dt.timedelta(minutes=settings.SCHEDULING_MIN_NOTICE_MINUTES),
    )
    return len(slots)


def measure_day_view(day: dt.date, runs: int, label: str) -> dict:
    from django.test import Client
    from django.urls import reverse

    from clinic.models import User
    from scheduling.models import Appointment
    from scheduling.selectors import appointments_for_day

    client = Client()
    client.force_login(User.objects.get(email=FRONTDESK_EMAIL))
    url = f"{reverse('scheduling:frontdesk_home')}?date={day.isoformat()}"
    shown = sum(1 for a in appointments_for_day(day) if a.status in Appointment.ACTIVE_STATUSES)

    def get():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"day view answered {response.status_code}")
        return response

    get()  # warm the template cache, like a server that has served a page before
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = get()
    queries = len(ctx.captured_queries)
    # Issue 7's one audit row per view is a write on top of the reads (issue 15: reads <= 10).
    writes = sum(1 for q in ctx.captured_queries if q["sql"].startswith('INSERT INTO "clinic_auditevent"'))
    samples, _ = timed(get, runs)
    row = {
        "case": label,
        "day": day.isoformat(),
        "appointments": shown,
        "queries": queries,
        "reads": queries - writes,
        "bytes": len(response.content),
        **stats(samples),
    }
    log(f"day view {label}: median {row['median_ms']} ms, {queries} queries, {shown} appointments")
    return row


def inproc(args) -> dict:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    log(f"migrated in {time.perf_counter() - t0:.1f} s ({connection.vendor})")
    start = layout.first_day(timezone.localdate())
    result = {"vendor": connection.vendor, "first_day": start.isoformat(), "seed": seed(start)}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # planner statistics, as autovacuum would have them after a bulk load
    result["measure_day"] = layout.next_working_day(start).isoformat()
    result["availability"] = measure_availability(layout.next_working_day(start), args.runs)
    day20 = layout.next_working_day(start)
    views = [measure_day_view(day20, args.runs, "10 practitioners x 20 appointments")]
    busy = layout.busy_day(start)
    added = seed_busy_day(busy)
    log(f"seeded the busy day {busy}: {added} appointments, 2 more rooms per location")
    views.append(measure_day_view(busy, args.runs, "10 practitioners x 40 appointments"))
    result["day_view"] = views
    # The extra rooms were for that day only: back to 3 rooms a location for what follows (race, peer pairing).
    from clinic.models import Room

    Room.objects.filter(name__in=[f"Room {r + 1}" for r in range(layout.ROOMS_PER_LOCATION, 99)]).update(active=False)
    return result


def serve(args) -> None:
    """Answer "<days>" lines on stdin with one timed availability call for the first practitioner (used by run.py
    to alternate our calls with the peer's, so that both see the same machine load)."""
    from clinic.models import Practitioner
    from scheduling.availability import find_slots
    from scheduling.models import AppointmentType

    adjustment = AppointmentType.objects.get(slug=ADJUSTMENT_SLUG)
    first = Practitioner.objects.filter(display_name__startswith="Dr. Bench").order_by("display_name").first()
    day = dt.date.fromisoformat(args.measure_day)
    print("ready", flush=True)
    for line in sys.stdin:
        days = int(line)
        t0 = time.perf_counter()
        slots = find_slots(appointment_type=adjustment, practitioner_ids=[first.pk], first_day=day, days=days)
        print(f"{(time.perf_counter() - t0) * 1000:.3f} {len(slots)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["inproc", "serve"])
    parser.add_argument("--out")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--measure-day")
    args = parser.parse_args()
    setup_django()
    if args.mode == "serve":
        serve(args)
        return
    result = inproc(args)
    Path(args.out).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
