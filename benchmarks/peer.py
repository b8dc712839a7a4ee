"""The peer: django-appointment, seeded with the same scenario, timing its own free-slot function.

Run by `run.py` with the Python of the virtualenv under benchmarks/.peer/ (never ours):

    benchmarks/.peer/venv/bin/python benchmarks/peer.py --db FILE --out FILE --first-day YYYY-MM-DD --runs N

Mapping of the scenario onto its models: one StaffMember per practitioner, one 30-minute Service, weekday
WorkingHours 08:00-18:00 (it keeps one row per weekday, so the lunch break is an Unavailability on each working
date), the same booked sessions as AppointmentRequest + Appointment rows. Its staff slot step is set to our
grid (15 minutes) so both answer the same question. It has no rooms: our figures include the room check, its
figures do not. Timed function: `appointment.services.get_available_slots_for_staff(date, staff, weekday,
service=...)`, called once per date (it answers one date at a time).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import layout  # noqa: E402
from timing import stats, timed  # noqa: E402

GRID_MINUTES = 15


def configure(db: str) -> None:
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        SECRET_KEY="peer-benchmark-only",
        USE_TZ=True,
        TIME_ZONE=os.environ.get("CLINIC_TIME_ZONE", "America/New_York"),
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.messages",
            "phonenumber_field",
            "appointment",
        ],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": db}},
        # The package ships no migrations: create its tables straight from the models.
        MIGRATION_MODULES={"appointment": None},
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}],
        LOGGING_CONFIG=None,
    )
    import django

    django.setup()


def seed(first_day: dt.date) -> tuple[list, object]:
    from appointment.models import Appointment, AppointmentRequest, Service, StaffMember, Unavailability, WorkingHours
    from django.contrib.auth import get_user_model
    from django.db import transaction

    User = get_user_model()
    with transaction.atomic():
        service = Service.objects.create(
            name="SOT adjustment", duration=dt.timedelta(minutes=layout.SERVICE_MINUTES), price=0
        )
        users = [
            User.objects.create(username=f"staff{p:02d}", email=f"staff{p:02d}@example.com")
            for p in range(layout.PRACTITIONERS)
        ]
        client = User.objects.create(username="client", email="client@example.com")
        staff = [StaffMember.objects.create(user=u, slot_duration=GRID_MINUTES) for u in users]
        for s in staff:
            s.services_offered.add(service)
        day_start, day_end = layout.HOURS[0][0], layout.HOURS[-1][1]
        WorkingHours.objects.bulk_create(
            [
                # its weekdays count from Sunday = 0
                WorkingHours(staff_member=s, day_of_week=(wd + 1) % 7, start_time=day_start, end_time=day_end)
                for s in staff
                for wd in layout.WORKING_WEEKDAYS
            ]
        )
        Unavailability.objects.bulk_create(
            [
                Unavailability(
                    staff_member=s, date=d, start_time=layout.LUNCH[0], end_time=layout.LUNCH[1], description="Lunch"
                )
                for s in staff
                for d in layout.working_days(first_day, layout.DAYS)
            ]
        )
        sessions = layout.sessions(first_day)
        requests = AppointmentRequest.objects.bulk_create(
            [
                AppointmentRequest(
                    date=x.day,
                    start_time=x.start,
                    end_time=(dt.datetime.combine(x.day, x.start) + dt.timedelta(minutes=x.minutes)).time(),
                    service=service,
                    staff_member=staff[x.practitioner],
                )
                for x in sessions
            ],
            batch_size=1000,
        )
        Appointment.objects.bulk_create(
            [Appointment(client=client, appointment_request=r) for r in requests], batch_size=1000
        )
    return staff, service


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--first-day", required=True)
    parser.add_argument("--measure-day", required=True)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--serve", action="store_true")
    args = parser.parse_args()
    configure(args.db)
    from appointment.services import get_available_slots_for_staff
    from appointment.utils.db_helpers import get_weekday_num_from_date
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", run_syncdb=True, verbosity=0)
    t0 = time.perf_counter()
    staff, service = seed(dt.date.fromisoformat(args.first_day))
    seeded = time.perf_counter() - t0
    first = staff[0]
    start = dt.date.fromisoformat(args.measure_day)

    def free(days: int) -> int:
        total = 0
        for i in range(days):
            d = start + dt.timedelta(days=i)
            total += len(get_available_slots_for_staff(d, first, get_weekday_num_from_date(d), service=service))
        return total

    import django

    out = {"package": "django-appointment", "django": django.get_version(), "seed_seconds": round(seeded, 2)}
    from importlib.metadata import version

    out["version"] = version("django-appointment")
    out["cases"] = []
    for label, days in (("1 practitioner x 1 day", 1), ("1 practitioner x 30 days", 30)):
        with CaptureQueriesContext(connection) as ctx:
            slots = free(days)
        samples, _ = timed(lambda days=days: free(days), args.runs)
        out["cases"].append({"case": label, "queries": len(ctx.captured_queries), "slots": slots, **stats(samples)})
        print(f"  [peer] {label}: {out['cases'][-1]}", file=sys.stderr, flush=True)
    Path(args.out).write_text(json.dumps(out, indent=2))
    if args.serve:
        # Answer "<days>" lines with one timed call each, so run.py can alternate the peer's calls with ours.
        print("ready", flush=True)
        for line in sys.stdin:
            t = time.perf_counter()
            slots = free(int(line))
            print(f"{(time.perf_counter() - t) * 1000:.3f} {slots}", flush=True)


if __name__ == "__main__":
    main()
