"""Demo data for scheduling: the three SOT appointment types, weekly hours, a month of appointments.

Runs after `clinic.demo` (practitioners, rooms, patients). Idempotent: types and hours are looked up by
natural keys; appointments are created only when there are none yet. Every booking goes through the
booking service, so the demo calendar is never double-booked.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from clinic.models import Location, Patient, Practitioner
from scheduling import availability, services
from scheduling.models import Appointment, AppointmentType, WaitlistEntry, WorkingHours

TYPES = [
    # slug, name, Spanish name (the demo's own translation), minutes, buffer, colour, new-patient only
    ("sot-new-patient-exam", "SOT new-patient exam", "Examen SOT de paciente nuevo", 60, 10, "#e8590c", True),
    ("sot-adjustment", "SOT adjustment", "Ajuste SOT", 30, 5, "#1c7ed6", False),
    ("sot-re-examination", "SOT re-examination", "Reevaluación SOT", 30, 5, "#7048e8", False),
]

# Per practitioner (by order of display name): start times used on working days, staggered so rooms suffice.
DAY_PLANS = [
    ["08:00", "09:00", "10:00", "11:00", "13:00", "14:30", "16:00", "17:00"],
    ["08:30", "09:30", "10:30", "13:30", "15:00", "16:30"],
    ["08:15", "09:45", "11:15", "14:00", "15:30", "17:15"],
]


def _types() -> dict[str, AppointmentType]:
    result = {}
    for slug, name, name_es, minutes, buffer, colour, new_only in TYPES:
        kind, _ = AppointmentType.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "duration": dt.timedelta(minutes=minutes),
                "buffer_after": dt.timedelta(minutes=buffer),
                "colour": colour,
                "new_patient_only": new_only,
                "bookable_online": True,
                "requires_consent": True,
                "translations": {"es": {"name": name_es}},
            },
        )
        if not kind.translations:  # seeded before types had translations; a clinic's own edit is kept
            kind.translations = {"es": {"name": name_es}}
            kind.save(update_fields=["translations"])
        result[slug] = kind
    return result


def _hours(practitioners: list[Practitioner], location: Location) -> None:
    for index, practitioner in enumerate(practitioners):
        intervals = [(weekday, dt.time(8), dt.time(12)) for weekday in range(5)]
        intervals += [(weekday, dt.time(13), dt.time(18)) for weekday in range(5)]
        if index == 0:  # the first practitioner also works Saturday mornings
            intervals.append((5, dt.time(9), dt.time(12)))
        for weekday, start, end in intervals:
            WorkingHours.objects.get_or_create(
                practitioner=practitioner, location=location, weekday=weekday, start_time=start, end_time=end
            )


def _appointments(practitioners: list[Practitioner], patients: list[Patient], types: dict[str, AppointmentType]):
    zone = availability.clinic_zone()
    now = timezone.now()
    today = timezone.localdate()
    visits: dict[int, int] = {}
    patient_index = 0
    created = 0
    for offset in range(-7, 15):
        day = today + dt.timedelta(days=offset)
        if day.weekday() == 6:
            continue
        for p_index, practitioner in enumerate(practitioners):
            if day.weekday() == 5 and p_index != 0:
                continue  # only the first practitioner works Saturdays
            plan = DAY_PLANS[p_index % len(DAY_PLANS)]
            # Fewer bookings further ahead, as in a real diary.
            keep = len(plan) if offset <= 2 else max(2, len(plan) - offset // 2)
            for slot_index, label in enumerate(plan[:keep]):
                if (offset + slot_index + p_index) % 4 == 3:
                    continue  # leave gaps to book into
                patient = patients[patient_index % len(patients)]
                patient_index += 1
                count = visits.get(patient.pk, 0)
                slug = (
                    "sot-new-patient-exam"
                    if count == 0
                    else ("sot-re-examination" if count % 6 == 5 else "sot-adjustment")
                )
                appointment = book_ahead(patient, practitioner, types[slug], day, dt.time.fromisoformat(label), zone)
                if appointment is None:
                    continue  # outside hours (e.g. Saturday for most) or taken: skip, never double-book
                visits[patient.pk] = count + 1
                created += 1
                if appointment.end <= now:
                    finish_visit(appointment, no_show=(patient_index % 17 == 0))
                elif appointment.start <= now:
                    services.appointment_check_in(
                        appointment=appointment, override_reason="Demo: paperwork at the desk"
                    )
                elif patient_index % 19 == 0:
                    services.appointment_cancel(appointment=appointment, reason="Demo: patient asked to cancel")
    return created


# The patient whose past visits carry the demo's signed visit notes (README, "Visit notes"): three weekly visits
# with the first practitioner, the first two days after her intake and consent (intake/demo.py dates them).
NOTES_PATIENT = ("Sophia", "Davis")
NOTES_VISIT_DAYS_AGO = (28, 21, 14)
VISIT_TIMES = ("11:30", "10:30", "09:30", "08:30", "13:30", "15:00", "16:30")


def _notes_patient_visits(practitioner: Practitioner, types: dict[str, AppointmentType]) -> int:
    """Sophia Davis's completed weekly visits with `practitioner`, made through the booking service."""
    patient = Patient.objects.filter(first_name=NOTES_PATIENT[0], last_name=NOTES_PATIENT[1]).first()
    if patient is None:
        return 0
    zone = availability.clinic_zone()
    today = timezone.localdate()
    made = 0
    for number, days_ago in enumerate(NOTES_VISIT_DAYS_AGO):
        day = today - dt.timedelta(days=days_ago)
        while day.weekday() >= 5:  # a weekday: everyone works
            day += dt.timedelta(days=1)
        slug = "sot-new-patient-exam" if number == 0 else "sot-adjustment"
        for label in VISIT_TIMES:
            appointment = book_ahead(patient, practitioner, types[slug], day, dt.time.fromisoformat(label), zone)
            if appointment is None:
                continue
            finish_visit(appointment, no_show=False)
            made += 1
            break
    return made


def book_ahead(
    patient: Patient, practitioner: Practitioner, appointment_type: AppointmentType, day: dt.date, time: dt.time, zone
) -> Appointment | None:
    """Book `time` on `day` through the booking service as if the day before; None where it refuses (outside
    hours, or taken)."""
    start = dt.datetime.combine(day, time, tzinfo=zone)
    try:
        return services.appointment_book(
            patient=patient,
            practitioner=practitioner,
            appointment_type=appointment_type,
            start=start,
            now=start - dt.timedelta(days=1),
        )
    except services.SchedulingError:
        return None


def finish_visit(appointment: Appointment, *, no_show: bool) -> None:
    """Take a past booking through the desk's steps: checked in at its start, treated, completed (or a no-show)."""
    if no_show:
        services.appointment_mark_no_show(appointment=appointment)
        return
    appointment = services.appointment_check_in(
        appointment=appointment, override_reason="Demo: past visit", now=appointment.start
    )
    appointment = services.appointment_start_treatment(appointment=appointment)
    services.appointment_complete(appointment=appointment)


@transaction.atomic
def seed(stdout=None) -> None:
    location = Location.objects.filter(name="Harbour Street").first() or Location.objects.order_by("pk").first()
    practitioners = list(Practitioner.objects.filter(active=True).order_by("display_name"))
    patients = list(Patient.objects.order_by("pk"))
    types = _types()
    if location is None or not practitioners or not patients:
        if stdout:
            stdout.write("scheduling: types only (no location, practitioner or patient to schedule)")
        return
    _hours(practitioners, location)
    created = 0
    if not Appointment.objects.exists():
        created = _notes_patient_visits(practitioners[0], types)
        created += _appointments(practitioners, patients, types)
        today = timezone.localdate()
        for patient in patients[-2:]:
            entry = services.waitlist_add(
                patient=patient,
                appointment_type=types["sot-adjustment"],
                earliest_date=today,
                latest_date=today + dt.timedelta(days=14),
                notes="Demo: would like an earlier time",
            )
            entry.practitioners.set(practitioners[:1])
    if stdout:
        stdout.write(
            f"scheduling: {AppointmentType.objects.count()} appointment types, {WorkingHours.objects.count()} "
            f"working-hours rows, {Appointment.objects.count()} appointments ({created} new), "
            f"{WaitlistEntry.objects.count()} waitlist entries"
        )
