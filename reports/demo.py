"""Demo top-up for the reports: when each appointment was booked (so rebooking has a share), two care plans that
ended (one completed, one discontinued), and a baseline questionnaire score before the intake's for a few
patients (so outcomes have a first and a latest measure). Runs last from `seed_demo`; idempotent: every value is
worked out from the demo's own rows, and nothing is added twice.

No patient is added (the demo's patients are counted elsewhere). The list of lapsed patients shows the care
plans' overdue recall (Marcus Bell, last seen nine weeks ago, nothing booked: `clinic.careplans.demo`); every
other demo patient has a visit booked.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from clinic.careplans import services as careplan_services
from clinic.models import CarePlan, Patient
from clinic.models.careplans import CURRENT_STATES
from intake.models import IntakeSubmission, OutcomeScore
from scheduling.models import Appointment

MARK = "Demo plan for the reports"
# The two ended plans: two weeks of visits aiming at pain 2 of 10; the first completed, the second discontinued.
ENDED_PLAN = {"phases": [{"visits_per_week": 2, "weeks": 2}], "goals": [{"kind": "pain_at_most", "target": 2}]}
ENDINGS = ({"status": "completed"}, {"status": "discontinued", "reason": "Moved out of the area."})
# Baseline scores a month before the intake's: these patients improve by this many percentage points.
BASELINE_RISE = (Decimal("15"), Decimal("4"), Decimal("12"), Decimal("20"), Decimal("6"))


@transaction.atomic
def seed(stdout=None) -> None:
    rebooked = _booked_when(timezone.now())
    plans = _ended_plans(timezone.now())
    baselines = _baselines()
    if stdout:
        stdout.write(
            f"reports: {rebooked} visits rebooked before the patient left, {plans} ended care plans, "
            f"{baselines} baseline scores"
        )


def _booked_when(now: dt.datetime) -> int:
    """Each patient's first appointment was booked a week ahead; after that, two visits in three were followed by
    the next booked during the visit (15 minutes in), the third by a booking two days later (or an hour before the
    next, if sooner)."""
    rows = list(Appointment.objects.order_by("patient_id", "start", "pk").values_list("pk", "patient_id", "start"))
    rebooked = 0
    previous = None
    for index, (pk, patient_id, start) in enumerate(rows):
        if previous is None or previous[1] != patient_id:
            created, number = start - dt.timedelta(days=7), 0
        else:
            number += 1
            if (patient_id + number) % 3:
                created = previous[2] + dt.timedelta(minutes=15)
                rebooked += previous[2] < now
            else:
                created = min(previous[2] + dt.timedelta(days=2), start - dt.timedelta(hours=1))
        Appointment.objects.filter(pk=pk).exclude(created_at=created).update(created_at=created)
        previous = rows[index]
    return rebooked


def _ended_plans(now: dt.datetime) -> int:
    """Two patients with no care plan and at least three completed visits: a plan proposed before their first
    visit, accepted then, and ended after their last (completed for the first, discontinued for the second)."""
    if CarePlan.objects.filter(notes=MARK).exists():
        return CarePlan.objects.filter(notes=MARK).count()
    completed = Appointment.Status.COMPLETED
    candidates = [
        patient
        for patient in Patient.objects.exclude(care_plans__isnull=False).order_by("last_name", "first_name", "pk")
        if Appointment.objects.filter(patient=patient, status=completed, end__lt=now).count() >= 3
    ][:2]
    for patient, ending in zip(candidates, ENDINGS, strict=False):
        visits = list(Appointment.objects.filter(patient=patient, status=completed, end__lt=now).order_by("start"))
        practitioner, actor = visits[0].practitioner, visits[0].practitioner.user
        plan = careplan_services.careplan_propose(
            patient=patient, practitioner=practitioner, actor=actor, notes=MARK, **ENDED_PLAN
        )
        careplan_services.careplan_accept(plan=plan, actor=actor, how="in_person")
        for change in ({"status": "active"}, ending):  # accepted, then started, then ended
            careplan_services.careplan_set_status(plan=plan, actor=actor, **change)
        began = visits[0].start - dt.timedelta(minutes=5)
        CarePlan.objects.filter(pk=plan.pk).update(
            created_at=began, accepted_at=began + dt.timedelta(minutes=2), updated_at=visits[-1].end
        )
    assert not CarePlan.objects.filter(notes=MARK, status__in=CURRENT_STATES).exists()
    return len(candidates)


def _baselines() -> int:
    """A baseline score of the same questionnaire 28 days before the intake's, for the first five patients scored
    once (by name): the intake's score becomes their latest."""
    if OutcomeScore.objects.filter(answers={"demo": "baseline"}).exists():
        return OutcomeScore.objects.filter(answers={"demo": "baseline"}).count()
    scored_once = [
        score
        for score in OutcomeScore.objects.select_related("questionnaire", "patient")
        .filter(percent__isnull=False)
        .order_by("patient__last_name", "patient__first_name", "pk")
        if not OutcomeScore.objects.filter(patient_id=score.patient_id, questionnaire_id=score.questionnaire_id)
        .exclude(pk=score.pk)
        .exists()
    ]
    for score, rise in zip(scored_once, BASELINE_RISE, strict=False):
        at = score.scored_at - dt.timedelta(days=28)
        submission = IntakeSubmission.objects.create(
            patient=score.patient,
            questionnaire=score.questionnaire,
            status=IntakeSubmission.Status.SUBMITTED,
            created_at=at,
            updated_at=at,
            submitted_at=at,
        )
        OutcomeScore.objects.create(
            submission=submission,
            patient=score.patient,
            questionnaire=score.questionnaire,
            answers={"demo": "baseline"},
            items_answered=score.items_answered,
            total=score.total,
            percent=min(score.percent + rise, Decimal("100")),
            band=score.band,
            scored_at=at,
        )
    return min(len(scored_once), len(BASELINE_RISE))
