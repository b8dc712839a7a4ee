"""Care plans for tests, made through the services so that they obey the rules."""

from __future__ import annotations

from clinic.careplans import services
from clinic.models import CarePlan


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
