"""Care plans for tests, made through the services so that they obey the rules."""

from __future__ import annotations

from clinic.careplans import services
from clinic.models import CarePlan, PlanQuestionnaire
from tests.clinic import note_factories as nf


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


def ndi_plan(patient, practitioner, *, weeks, re_exam_visit, **extra):
    """A plan of two visits a week for `weeks`, the NDI every third visit, goals NDI below 20 % and pain at most
    2/10; `extra` goes to `careplan` (a field such as `questionnaire_code`, or `status`, `created_at`, `reason`)."""
    fields = {
        "phases": [{"visits_per_week": 2, "weeks": weeks}],
        "goals": [{"kind": "questionnaire_below", "target": 20}, {"kind": "pain_at_most", "target": 2}],
        "re_exam_visit": re_exam_visit,
        "questionnaire_code": "ndi",
        "questionnaire_every_visits": 3,
    }
    return careplan(patient, practitioner, **{**fields, **extra})


def with_outcomes(plan, *, results=(), pains=()):
    """The plan with its questionnaire answered for each of `results` (visit number, percent, when) and a note
    signed by its practitioner for each of `pains` (the visit's start, pain today). Answers the plan."""
    for number, percent, when in results:
        answered(plan, number, percent, when)
    for start, pain in pains:
        nf.signed(plan.patient, plan.practitioner, start=start, pain_today=pain)
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
