"""Demo care plan: Sophia Davis (the patient with the demo visit notes) is mid-plan, accepted in person, with the
re-examination due at her next visit. Runs after the notes' demo from `seed_demo`; idempotent."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from clinic.careplans import selectors, services
from clinic.models import CarePlan, Patient, Practitioner
from scheduling import selectors as scheduling_selectors
from scheduling.demo import NOTES_PATIENT


@transaction.atomic
def seed(stdout=None) -> None:
    patient = Patient.objects.filter(first_name=NOTES_PATIENT[0], last_name=NOTES_PATIENT[1]).first()
    practitioner = Practitioner.objects.filter(active=True).select_related("user").order_by("display_name").first()
    if patient is None or practitioner is None or CarePlan.objects.filter(patient=patient).exists():
        return
    visits = sorted(
        (a for a in scheduling_selectors.appointments_for_patient(patient) if a.status not in ("cancelled", "no_show")),
        key=lambda a: a.start,
    )
    if not visits:
        return
    plan = services.careplan_propose(
        patient=patient,
        practitioner=practitioner,
        actor=practitioner.user,
        phases=[{"visits_per_week": 2, "weeks": 3}, {"visits_per_week": 1, "weeks": 4}],
        goals=[{"kind": "pain_at_most", "target": 2}, {"kind": "text", "text": "Sit through a working day"}],
        re_exam_visit=min(sum(1 for a in visits if a.start < timezone.now()) + 1, 10),
        questionnaire_code="odi",
        questionnaire_every_visits=3,
        notes="Demo plan: re-examination due at the next visit.",
    )
    # The plan was proposed just before her first visit.
    CarePlan.objects.filter(pk=plan.pk).update(created_at=visits[0].start - dt.timedelta(minutes=5))
    plan.refresh_from_db()
    services.careplan_accept(plan=plan, actor=practitioner.user, how="in_person")
    services.careplan_set_status(plan=plan, actor=practitioner.user, status="active")
    if stdout:
        positions = selectors.plan_positions(visits)
        last = positions.get(visits[-1].pk)
        stdout.write(f"care plans: 1 demo plan ({last.label if last else 'no visits'})")
