"""Demo care plans (issue 16, item 8). Runs after the notes' demo from `seed_demo`; idempotent (each part is made
only when it is missing).

- Sophia Davis (the patient with the demo visit notes) is mid-plan, accepted in person, with the
  re-examination due at her next visit and three ODI results answered through the plan's questionnaire links
  (weekly, before each of her visits), drawn on the plan's trend beside her intake's ODI and her notes' pain.
- Marcus Bell is an overdue recall: his plan is active, his last visit was nine weeks ago, nothing is booked
  and his re-examination date has passed; he is on the front desk's recall list.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from clinic import services as clinic_services
from clinic.careplans import selectors, services
from clinic.models import CarePlan, Patient, PlanQuestionnaire, Practitioner
from intake.models import Questionnaire
from scheduling import availability
from scheduling import selectors as scheduling_selectors
from scheduling.demo import NOTES_PATIENT, book_ahead, finish_visit
from scheduling.models import AppointmentType

RECALL_PATIENT = ("Marcus", "Bell")
RECALL_VISIT_WEEKS_AGO = (10, 9.5, 9)
# Sophia's ODI totals before her three visits (of 50): 32 %, 26 %, 18 %.
DEMO_TOTALS = (16, 13, 9)


def _sophia(practitioner: Practitioner) -> str:
    patient = Patient.objects.filter(first_name=NOTES_PATIENT[0], last_name=NOTES_PATIENT[1]).first()
    if patient is None:
        return ""
    visits = sorted(
        (a for a in scheduling_selectors.appointments_for_patient(patient) if a.status not in ("cancelled", "no_show")),
        key=lambda a: a.start,
    )
    if not visits:
        return ""
    plan = CarePlan.objects.filter(patient=patient).order_by("-pk").first()
    if plan is None:
        plan = services.careplan_propose(
            patient=patient,
            practitioner=practitioner,
            actor=practitioner.user,
            diagnosis="Low back pain with sacroiliac involvement (SOT category II)",
            phases=[{"visits_per_week": 2, "weeks": 3}, {"visits_per_week": 1, "weeks": 4}],
            goals=[
                {"kind": "pain_at_most", "target": 2},
                {"kind": "questionnaire_below", "target": 20},
                {"kind": "text", "text": "Sit through a working day"},
            ],
            re_exam_visit=min(sum(1 for a in visits if a.start < timezone.now()) + 1, 10),
            questionnaire_code="odi",
            questionnaire_every_weeks=1,
            notes="Demo plan: re-examination due at the next visit.",
        )
        # The plan was proposed just before her first visit.
        CarePlan.objects.filter(pk=plan.pk).update(created_at=visits[0].start - dt.timedelta(minutes=5))
        plan.refresh_from_db()
        services.careplan_accept(plan=plan, actor=practitioner.user, how="in_person")
        services.careplan_set_status(plan=plan, actor=practitioner.user, status="active")
    _sophia_results(plan, [a for a in visits if a.start < timezone.now()][:3])
    positions = selectors.plan_positions(visits)
    last = positions.get(visits[-1].pk)
    return last.label if last else "no visits"


def _sophia_results(plan: CarePlan, past_visits) -> None:
    """Three answered ODI questionnaires, one before each past visit, each a little better than the last."""
    questionnaire = Questionnaire.objects.filter(code="odi").prefetch_related("items").first()
    if questionnaire is None or PlanQuestionnaire.objects.filter(plan=plan).exists():
        return
    items = list(questionnaire.items.all())
    for number, visit in enumerate(past_visits, start=1):
        total = DEMO_TOTALS[number - 1]  # spread over the items: 16 of 50 is 32 %
        answers = {item.code: total // len(items) + (n < total % len(items)) for n, item in enumerate(items)}
        result = questionnaire.score(answers)
        sent = visit.start - dt.timedelta(hours=30)
        PlanQuestionnaire.objects.create(
            plan=plan,
            patient=plan.patient,
            questionnaire_code="odi",
            visit_number=number,
            due_at=visit.start,
            appointment_ref=visit.pk,
            recipient=plan.patient.email,
            sent_at=sent,
            answered_at=sent + dt.timedelta(hours=6),
            answers=answers,
            items_answered=result.items_answered,
            total=result.total,
            percent=result.percent,
            band=result.band,
        )


def _marcus(practitioner: Practitioner) -> str:
    if Patient.objects.filter(first_name=RECALL_PATIENT[0], last_name=RECALL_PATIENT[1]).exists():
        return "Marcus Bell"
    adjustment = AppointmentType.objects.filter(slug="sot-adjustment").first()
    if adjustment is None:
        return ""
    patient = clinic_services.patient_create(
        actor=None,
        first_name=RECALL_PATIENT[0],
        last_name=RECALL_PATIENT[1],
        date_of_birth=dt.date(1979, 9, 30),
        sex="male",
        email="marcus.bell@example.com",
        phone="(555) 010-3321",
    )
    zone = availability.clinic_zone()
    today = timezone.localdate()
    starts = []
    for weeks in RECALL_VISIT_WEEKS_AGO:
        day = today - dt.timedelta(days=round(weeks * 7))
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        for hour in (10, 11, 14, 15, 16):
            appointment = book_ahead(patient, practitioner, adjustment, day, dt.time(hour, 30), zone)
            if appointment is None:
                continue
            finish_visit(appointment, no_show=False)
            starts.append(appointment.start)
            break
    if not starts:
        return "Marcus Bell (no visit could be booked)"
    plan = services.careplan_propose(
        patient=patient,
        practitioner=practitioner,
        actor=practitioner.user,
        diagnosis="Mechanical low back pain",
        phases=[{"visits_per_week": 2, "weeks": 6}],
        goals=[{"kind": "pain_at_most", "target": 2}],
        re_exam_visit=12,
        re_exam_date=today - dt.timedelta(weeks=4),
        notes="Demo plan: stopped coming after three visits.",
    )
    proposed = starts[0] - dt.timedelta(minutes=5)
    CarePlan.objects.filter(pk=plan.pk).update(created_at=proposed)
    plan.refresh_from_db()
    services.careplan_accept(plan=plan, actor=practitioner.user, how="in_person")
    CarePlan.objects.filter(pk=plan.pk).update(accepted_at=proposed)
    services.careplan_set_status(plan=plan, actor=practitioner.user, status="active")
    return "Marcus Bell"


@transaction.atomic
def seed(stdout=None) -> None:
    practitioner = Practitioner.objects.filter(active=True).select_related("user").order_by("display_name").first()
    if practitioner is None:
        return
    sophia = _sophia(practitioner)
    marcus = _marcus(practitioner)
    if stdout:
        stdout.write(
            f"care plans: Sophia Davis mid-plan ({sophia or 'not seeded'}, "
            f"{PlanQuestionnaire.objects.filter(patient__first_name=NOTES_PATIENT[0]).count()} questionnaire results); "
            f"overdue recall: {marcus or 'not seeded'}"
        )
