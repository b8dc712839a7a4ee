"""The practice reports (issue 17) on a year of a 10-practitioner clinic: about 50,000 appointments.

    .venv/bin/python benchmarks/reports.py [--runs N] [--out FILE]

Migrates the database of DATABASE_URL (run.py gives it a fresh one), seeds 10 practitioners at 2 locations
working weekdays 08:00-18:00, 20 half-hour appointments each per working day for 52 weeks (85 % attended,
6 % no-shows, 9 % cancelled, half of those late; 30 % booked online), a day off a month each, and renders each
report page for a clinic admin over the whole year and over one month. For the retention, care-plan and outcome
reports it also seeds when each appointment was booked, a care plan per patient, pain in a third of the visit
notes and three questionnaire scores per patient (`seed_history`). Prints the median beside the 300 ms target.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
TARGET_MS = 300


def log(msg: str) -> None:
    print(f"  [{os.environ.get('BENCH_LABEL', 'reports')}] {msg}", file=sys.stderr, flush=True)


def seed(first_day: dt.date, weeks: int) -> int:
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from clinic.models import Location, Patient, Practitioner, Room, User
    from clinic.roles import PRACTITIONER
    from scheduling.models import Appointment, AppointmentType, AvailabilityException, WorkingHours

    rng = random.Random(20261203)
    zone = timezone.get_current_timezone()
    locations = [Location.objects.create(name=f"Bench {i}", address_line1="1 Main St", city="Town") for i in range(2)]
    group = Group.objects.get(name=PRACTITIONER)
    practitioners, rooms = [], []
    for i in range(10):
        user = User.objects.create_user(email=f"bench-dc{i}@example.com", password=None)
        user.groups.add(group)
        practitioners.append(Practitioner.objects.create(user=user, display_name=f"Dr. Bench {i:02d}"))
        rooms.append(Room.objects.create(location=locations[i % 2], name=f"Room {i}"))
    WorkingHours.objects.bulk_create(
        WorkingHours(practitioner=p, location=locations[i % 2], weekday=d, start_time=dt.time(8), end_time=dt.time(18))
        for i, p in enumerate(practitioners)
        for d in range(5)
    )
    kind = AppointmentType.objects.create(name="Bench visit", slug="bench-visit", duration=dt.timedelta(minutes=30))
    patients = Patient.objects.bulk_create(
        Patient(first_name=f"P{i}", last_name="Bench", date_of_birth=dt.date(1980, 1, 1)) for i in range(3000)
    )
    days = [first_day + dt.timedelta(days=n) for n in range(weeks * 7)]
    AvailabilityException.objects.bulk_create(
        AvailabilityException(practitioner=p, kind="time_off", date=day)
        for p in practitioners
        for day in days
        if day.day == 15 and day.weekday() < 5
    )
    S = Appointment.Status
    batch, total = [], 0
    for day in days:
        if day.weekday() >= 5:
            continue
        for i, p in enumerate(practitioners):
            for slot in range(20):
                start = dt.datetime.combine(day, dt.time(8), tzinfo=zone) + dt.timedelta(minutes=30 * slot)
                roll = rng.random()
                status = S.COMPLETED if roll < 0.85 else S.NO_SHOW if roll < 0.91 else S.CANCELLED
                cancelled_at = None
                if status == S.CANCELLED:
                    cancelled_at = start - dt.timedelta(hours=rng.choice((2, 6, 48, 96)))
                batch.append(
                    Appointment(
                        patient=rng.choice(patients),
                        practitioner=p,
                        room=rooms[i],
                        appointment_type=kind,
                        start=start,
                        end=start + dt.timedelta(minutes=30),
                        blocks_until=start + dt.timedelta(minutes=30),
                        status=status,
                        cancelled_at=cancelled_at,
                        source=Appointment.Source.ONLINE if rng.random() < 0.3 else Appointment.Source.FRONT_DESK,
                    )
                )
        if len(batch) >= 5000:
            Appointment.objects.bulk_create(batch)
            total += len(batch)
            batch = []
    Appointment.objects.bulk_create(batch)
    total += len(batch)
    seed_history(rng, patients, practitioners, first_day, weeks)
    return total


def seed_history(rng: random.Random, patients: list, practitioners: list, first_day: dt.date, weeks: int) -> None:
    """What the retention, care-plan and outcome reports read: when each appointment was booked (a third during
    the visit before), a care plan per patient, pain in a third of the visits' notes, and three questionnaire
    scores per patient."""
    from django.db.models import F
    from django.db.models.functions import Mod
    from django.utils import timezone

    from clinic.models import CarePlan, VisitNote
    from intake import services as intake_services
    from intake.models import IntakeSubmission, OutcomeScore
    from intake.questionnaire_data import DEFINITIONS
    from scheduling.models import Appointment

    Appointment.objects.update(created_at=F("start") - dt.timedelta(days=6))
    Appointment.objects.annotate(m=Mod("pk", 3)).filter(m=0).update(created_at=F("start") - dt.timedelta(days=2))
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(first_day, dt.time(9), tzinfo=zone)
    plans = []
    for i, patient in enumerate(patients):
        created = start + dt.timedelta(days=rng.randrange(weeks * 7 - 60))
        roll = rng.random()
        status = "completed" if roll < 0.5 else "discontinued" if roll < 0.7 else "active"
        plans.append(
            CarePlan(
                patient=patient,
                practitioner=practitioners[i % len(practitioners)],
                created_by=practitioners[i % len(practitioners)].user,
                status=status,
                phases=[{"visits_per_week": 2, "weeks": 6}],
                accepted_at=created + dt.timedelta(days=1),
                accepted_how="in_person",
                discontinued_reason="Moved away" if status == "discontinued" else "",
            )
        )
    plans = CarePlan.objects.bulk_create(plans)
    for plan in plans:
        plan.lineage = plan.pk
        plan.created_at = plan.accepted_at - dt.timedelta(days=1)
        plan.updated_at = plan.created_at + dt.timedelta(days=rng.randrange(20, 60))
    CarePlan.objects.bulk_update(plans, ["lineage", "created_at", "updated_at"], batch_size=1000)
    completed = Appointment.objects.filter(status="completed").annotate(m=Mod("pk", 3)).filter(m=1)
    notes = [
        VisitNote(
            appointment_id=pk, patient_id=patient_id, practitioner_id=practitioner_id, pain_today=rng.randrange(11)
        )
        for pk, patient_id, practitioner_id in completed.values_list("pk", "patient_id", "practitioner_id")
    ]
    VisitNote.objects.bulk_create(notes, batch_size=5000)
    questionnaires = [intake_services.questionnaire_load(definition=d) for d in DEFINITIONS]
    submissions, scores = [], []
    for i, patient in enumerate(patients):
        questionnaire = questionnaires[i % len(questionnaires)]
        for n in range(3):
            at = start + dt.timedelta(days=rng.randrange(weeks * 7))
            submissions.append(
                IntakeSubmission(
                    patient=patient, questionnaire=questionnaire, status="submitted", submitted_at=at, created_at=at
                )
            )
            scores.append((patient, questionnaire, at, 60 - 10 * n - rng.randrange(15)))
    submissions = IntakeSubmission.objects.bulk_create(submissions, batch_size=5000)
    OutcomeScore.objects.bulk_create(
        (
            OutcomeScore(
                submission=submission,
                patient=patient,
                questionnaire=questionnaire,
                items_answered=10,
                total=0,
                percent=max(percent, 0),
                scored_at=at,
            )
            for submission, (patient, questionnaire, at, percent) in zip(submissions, scores, strict=True)
        ),
        batch_size=5000,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", default="")
    parser.add_argument(
        "--reuse", action="store_true", help="time a database this script seeded before, without seeding it again"
    )
    parser.add_argument("--only", default="", help="comma-separated report names to time (e.g. outcomes,retention)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from clinic.models import User
    from reports.urls import PAGES as REPORTS

    call_command("migrate", verbosity=0, interactive=False)
    first_day = dt.date(2025, 1, 6)  # a Monday
    last_day = first_day + dt.timedelta(days=52 * 7 - 1)
    admin = User.objects.filter(email="bench-admin@example.com").first() if args.reuse else None
    if admin is None:
        t0 = time.perf_counter()
        seed(first_day, 52)
        log(f"seeded in {time.perf_counter() - t0:.1f} s ({connection.vendor})")
        admin = _bench_admin()
    else:
        log(f"reusing the seeded {connection.vendor} database")
    if connection.vendor == "postgresql":
        # As autovacuum would after a year of use: the planner needs statistics, and index-only scans need the
        # visibility map that VACUUM writes.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    from scheduling.models import Appointment

    count = Appointment.objects.count()
    client = Client()
    client.force_login(admin)
    ranges = {
        "year": {"range": "custom", "start": first_day.isoformat(), "end": last_day.isoformat()},
        "month": {"range": "custom", "start": "2025-06-01", "end": "2025-06-30"},
    }
    result = {"vendor": connection.vendor, "appointments": count, "target_ms": TARGET_MS, "reports": {}}
    print(
        f"\n  Reports on {count} appointments ({connection.vendor}); median of {args.runs} runs, target {TARGET_MS} ms"
    )
    only = {f"reports:{n.strip()}" for n in args.only.split(",") if n.strip()}
    for name in REPORTS:
        if only and name not in only:
            continue
        for label, params in ranges.items():
            samples = []
            for _ in range(args.runs + 1):
                started = time.perf_counter()
                response = client.get(reverse(name), params)
                samples.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (name, response.status_code)
            median = statistics.median(samples[1:])
            result["reports"][f"{name} {label}"] = round(median, 1)
            verdict = "ok" if median <= TARGET_MS else "OVER"
            print(f"  {name:32} {label:6} {median:8.1f} ms  (target {TARGET_MS} ms: {verdict})", flush=True)
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=2))


def _bench_admin():
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth.models import Group

    from clinic.models import User
    from clinic.roles import CLINIC_ADMIN

    admin = User.objects.create_user(email="bench-admin@example.com", password=None)
    admin.groups.add(Group.objects.get(name=CLINIC_ADMIN))
    TOTP.activate(admin, generate_totp_secret())  # staff cannot see a page without TOTP
    return admin


if __name__ == "__main__":
    main()
