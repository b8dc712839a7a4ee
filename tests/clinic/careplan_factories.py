"""Care plans for tests, made through the services so that they obey the rules."""

from __future__ import annotations

from clinic.careplans import services
from clinic.models import CarePlan, PlanQuestionnaire


def careplan(patient, practitioner, *, status="accepted", created_at=None, how="in_person", reason="", **fields):
    """A plan the practitioner proposes (`fields` as the form gives them), taken as far as `status`: "proposed",
    "accepted" (in person by the practitioner, or online by the patient with `how="online"`), "active", or an end
    status after "active" (with `reason`). `created_at` backdates the proposal."""
    plan = services.careplan_propose(patient=patient, practitioner=practitioner, actor=practitioner.user, **fields)
    if created_at is not None:
        CarePlan.objects.filter(pk=plan.pk).update(created_at=created_at)
        plan.refresh_from_db()
    if status == "proposed":
        return plan
    accepter = patient.user if how == "online" else practitioner.user
    plan = services.careplan_accept(plan=plan, actor=accepter, how=how)
    if status == "accepted":
        return plan
    plan = services.careplan_set_status(plan=plan, actor=practitioner.user, status="active")
    if status != "active":
        plan = services.careplan_set_status(plan=plan, actor=practitioner.user, status=status, reason=reason)
    return plan


def answered(plan, number, percent, when, code="ndi"):
    """The plan's questionnaire for visit `number`, answered at `when` with `percent` (all ten items)."""
    return PlanQuestionnaire.objects.create(
        plan=plan,
        patient=plan.patient,
        questionnaire_code=code,
        visit_number=number,
        due_at=when,
        answered_at=when,
        percent=percent,
        items_answered=10,
    )
