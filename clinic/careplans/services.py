"""Changes to care plans: propose, revise (a new version), accept (online or in person), start, complete,
discontinue. Every change is audited; refusals are `ValidationError`s in the clinic's words."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.models import AcceptedHow, CarePlan, CarePlanStatus
from clinic.models.careplans import CURRENT_STATES
from clinic.services import audit_record

DEFAULTS = {"diagnosis": "", "goals": [], "questionnaire_code": "", "notes": ""}


def _values(fields: dict) -> dict:
    unknown = set(fields) - set(CarePlan.PLAN_FIELDS)
    if unknown:
        raise ValidationError(_("Not part of a care plan: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    return {k: fields[k] if fields.get(k) is not None else DEFAULTS.get(k) for k in CarePlan.PLAN_FIELDS}


def _check(fields: dict) -> None:
    phases = fields.get("phases") or []
    if not phases:
        raise ValidationError({"phases": _("Give at least one phase: visits per week and for how many weeks.")})
    total = sum(int(p["visits_per_week"]) * int(p["weeks"]) for p in phases)
    re_exam = fields.get("re_exam_visit")
    if re_exam and re_exam > total:
        raise ValidationError(
            {
                "re_exam_visit": _(
                    "The plan has %(total)s visits: the re-examination must be at visit %(total)s or before."
                )
                % {"total": total}
            }
        )
    if (fields.get("questionnaire_every_visits") or fields.get("questionnaire_every_weeks")) and not fields.get(
        "questionnaire_code"
    ):
        raise ValidationError({"questionnaire_code": _("Choose which questionnaire to repeat.")})


@transaction.atomic
def careplan_propose(*, patient, practitioner, actor, request=None, **fields) -> CarePlan:
    _check(fields)
    if CarePlan.objects.select_for_update().filter(patient=patient, status__in=CURRENT_STATES).exists():
        raise ValidationError(
            _("This patient already has a current care plan: change that plan (a new version) or close it first.")
        )
    plan = CarePlan.objects.create(patient=patient, practitioner=practitioner, created_by=actor, **_values(fields))
    plan.lineage = plan.pk
    plan.save(update_fields=["lineage"])
    audit_record(
        actor=actor, action="careplan.propose", obj=plan, request=request, detail=f"{plan.total_visits} visits"
    )
    return plan


@transaction.atomic
def careplan_revise(*, plan: CarePlan, practitioner, actor, request=None, **fields) -> CarePlan:
    """A changed plan is a new version, proposed again (the patient's consent is asked again); the earlier
    version is kept, superseded."""
    _check(fields)
    plan = CarePlan.objects.select_for_update().get(pk=plan.pk)
    if not plan.is_current:
        raise ValidationError(
            _("This plan is %(status)s: it can no longer be changed.") % {"status": plan.get_status_display().lower()}
        )
    plan.status = CarePlanStatus.SUPERSEDED
    plan.save(update_fields=["status", "updated_at"])
    new = CarePlan.objects.create(
        patient=plan.patient,
        practitioner=practitioner,
        lineage=plan.lineage,
        version=plan.version + 1,
        previous=plan,
        created_by=actor,
        **_values(fields),
    )
    audit_record(actor=actor, action="careplan.revise", obj=new, request=request, detail=f"v{new.version}")
    return new


@transaction.atomic
def careplan_accept(*, plan: CarePlan, actor, how: str, request=None) -> CarePlan:
    plan = CarePlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != CarePlanStatus.PROPOSED:
        raise ValidationError(
            _("This plan is %(status)s: there is nothing to accept.") % {"status": plan.get_status_display().lower()}
        )
    if how not in AcceptedHow.values:
        raise ValidationError(_("Say how the plan was accepted: online or in person."))
    plan.status = CarePlanStatus.ACCEPTED
    plan.accepted_at = timezone.now()
    plan.accepted_how = how
    plan.accepted_by = actor
    plan.save(update_fields=["status", "accepted_at", "accepted_how", "accepted_by", "updated_at"])
    audit_record(actor=actor, action="careplan.accept", obj=plan, request=request, detail=how)
    return plan


# Audit action names (at most 20 characters).
AUDIT_ACTIONS = {
    CarePlanStatus.ACTIVE: "careplan.start",
    CarePlanStatus.COMPLETED: "careplan.complete",
    CarePlanStatus.DISCONTINUED: "careplan.discontinue",
}


@transaction.atomic
def careplan_set_status(*, plan: CarePlan, actor, status: str, reason: str = "", request=None) -> CarePlan:
    """Start (accepted -> active), complete (active -> completed) or discontinue (any current, with a reason)."""
    plan = CarePlan.objects.select_for_update().get(pk=plan.pk)
    allowed = {
        CarePlanStatus.ACTIVE: (CarePlanStatus.ACCEPTED,),
        CarePlanStatus.COMPLETED: (CarePlanStatus.ACTIVE,),
        CarePlanStatus.DISCONTINUED: CURRENT_STATES,
    }
    if status not in allowed:
        raise ValidationError(_("Unknown change of a care plan."))
    if plan.status not in allowed[status]:
        if status == CarePlanStatus.ACTIVE and plan.status == CarePlanStatus.PROPOSED:
            raise ValidationError(_("The patient has not accepted this plan yet: record their acceptance first."))
        raise ValidationError(
            _("This plan is %(status)s: it cannot be marked %(new_status)s now.")
            % {"status": plan.get_status_display().lower(), "new_status": status}
        )
    reason = (reason or "").strip()
    if status == CarePlanStatus.DISCONTINUED and not reason:
        raise ValidationError({"reason": _("Give the reason the plan is discontinued.")})
    plan.status = status
    plan.discontinued_reason = reason if status == CarePlanStatus.DISCONTINUED else plan.discontinued_reason
    plan.save(update_fields=["status", "discontinued_reason", "updated_at"])
    audit_record(actor=actor, action=AUDIT_ACTIONS[status], obj=plan, request=request, detail=reason[:200])
    return plan


def careplan_consent_problem(patient, *, before=None) -> str:
    """Why a treatment note cannot be signed under the patient's current plan, or "": a proposed plan (new, or
    changed since it was accepted, its diagnosis included) asks for the patient's acceptance first (DOMAIN:
    consent follows the plan; re-consent when the diagnosis or the plan changes).

    `before`: the visit's start; a plan proposed after the visit began (at the exam itself) does not hold up
    that visit's note, only the next ones."""
    plans = CarePlan.objects.filter(patient=patient, status=CarePlanStatus.PROPOSED)
    if before is not None:
        plans = plans.filter(created_at__lte=before)
    plan = plans.select_related("previous").only("version", "diagnosis", "previous__diagnosis").first()
    if plan is None:
        return ""
    if plan.previous is not None and plan.previous.diagnosis != plan.diagnosis:
        return (
            f"The diagnosis changed (care plan version {plan.version}: {plan.diagnosis or 'none given'}) and the "
            "patient has not accepted the changed plan yet: record their consent before signing this treatment "
            "note."
        )
    if plan.version > 1:
        return (
            f"The care plan changed (version {plan.version}) and the patient has not accepted it yet: "
            "record their consent to the changed plan before signing this treatment note."
        )
    return (
        "The proposed care plan has not been accepted by the patient yet: record their consent before "
        "signing this treatment note."
    )
