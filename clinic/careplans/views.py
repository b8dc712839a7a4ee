"""Care plan pages: the patient's plans (from the chart), propose, change (a new version), a plan with its
versions, record in-person acceptance, start / complete / discontinue; and the patient's page to accept online.

Views look the row up through `clinic.careplans.permissions`, call one service and redirect; every read is
audited.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from clinic.audit import POST, SAFE, SAFE_OR_POST, reads_object
from clinic.careplans import discharge, outcomes, selectors, services
from clinic.careplans.forms import CarePlanForm, DiscontinueForm
from clinic.careplans.permissions import get_careplan_for_user
from clinic.domain_errors import apply_error, attempt, attempt_form, message_error
from clinic.models import AcceptedHow, CarePlan, Patient
from clinic.permissions import can, get_patient_for_user


def _practitioner(request):
    return getattr(request.user, "practitioner", None)


def _plan_form(request, form, service, *, success, shown: dict, **target) -> HttpResponse:
    """Propose a plan or a new version of one: on POST the service with the form's plan fields (and `target`), by
    the practitioner signed in, then the saved plan (see `attempt_form`); else, or refused, the form page with
    `shown` (400 after a POST, with the form's errors)."""
    if request.method == "POST":
        saved = attempt_form(
            request,
            form,
            lambda: service(
                **target, practitioner=_practitioner(request), actor=request.user, request=request, **form.plan_fields()
            ),
            success=success,
        )
        if saved is not None:
            return redirect(saved)
    status = 400 if request.method == "POST" else 200
    return render(request, "clinic/careplans/form.html", {**shown, "form": form}, status=status)


@reads_object("careplan.read", get_patient_for_user, "care plans", methods=SAFE)
def careplan_list(request: HttpRequest, patient: Patient) -> HttpResponse:
    plans = selectors.careplans_of_patient(patient)
    current = next((p for p in plans if p.is_current), None)
    return render(request, "clinic/careplans/list.html", {"patient": patient, "plans": plans, "current": current})


@reads_object("careplan.write", get_patient_for_user, "care plan proposal", methods=SAFE_OR_POST)
def careplan_new(request: HttpRequest, patient: Patient) -> HttpResponse:
    form = CarePlanForm(request.POST if request.method == "POST" else None)
    proposed = _("Care plan proposed: the patient can accept it online, or record it below.")
    return _plan_form(
        request, form, services.careplan_propose, success=proposed, shown={"patient": patient}, patient=patient
    )


@reads_object("careplan.write", get_careplan_for_user, "care plan change", methods=SAFE_OR_POST)
def careplan_revise(request: HttpRequest, plan: CarePlan) -> HttpResponse:
    if not plan.is_current:
        messages.error(
            request,
            _("This plan is %(status)s: it can no longer be changed.") % {"status": plan.get_status_display().lower()},
        )
        return redirect(plan)
    form = CarePlanForm(request.POST, plan=plan) if request.method == "POST" else CarePlanForm(plan=plan)

    def saved(new: CarePlan) -> str:
        return _("Version %(version)s saved. The patient must accept the changed plan before the next treatment.") % {
            "version": new.version
        }

    shown = {"patient": plan.patient, "plan": plan}
    return _plan_form(request, form, services.careplan_revise, success=saved, shown=shown, plan=plan)


def _detail_context(request, plan, discontinue_form=None) -> dict:
    questionnaires = outcomes.questionnaires_of_plan(plan) if plan.questionnaire_code else []
    if can(request.user, "careplan.accept", plan):  # the patient (or guardian): a link to answer from here too
        for row in questionnaires:
            row.answer_path = outcomes.questionnaire_path(row) if row.sent_at and not row.is_answered else ""
    return {
        "plan": plan,
        "patient": plan.patient,
        "versions": selectors.careplan_versions(plan),
        "phases": selectors.phase_progress(plan),
        "may_book": plan.status in ("accepted", "active") and can(request.user, "schedule.manage"),
        "discontinue_form": discontinue_form or DiscontinueForm(),
        "may_write": can(request.user, "careplan.write", plan),
        "may_accept": plan.status == "proposed" and can(request.user, "careplan.accept", plan),
        "questionnaires": questionnaires,
        # Scores and pain are clinical: the trend is for those who read the chart.
        "trend": outcomes.plan_trend(plan) if can(request.user, "clinical.read") else None,
    }


@reads_object("careplan.read", get_careplan_for_user, lambda plan: f"care plan v{plan.version}", methods=SAFE)
def careplan_detail(request: HttpRequest, plan: CarePlan) -> HttpResponse:
    return render(request, "clinic/careplans/detail.html", _detail_context(request, plan))


@reads_object("careplan.write", get_careplan_for_user, "care plan acceptance", methods=POST)
def careplan_record_acceptance(request: HttpRequest, plan: CarePlan) -> HttpResponse:
    """The practitioner records that the plan was discussed and accepted in person."""
    return _accepted(
        request, plan, AcceptedHow.IN_PERSON, _("Recorded: the plan was discussed and accepted in person.")
    )


@reads_object("careplan.accept", get_careplan_for_user, "care plan accepted online", methods=POST)
def careplan_accept_online(request: HttpRequest, plan: CarePlan) -> HttpResponse:
    """The patient (or their guardian) accepts the proposed plan from their account."""
    if request.POST.get("agree") != "yes":
        messages.error(request, _("Tick the box to say you agree to this care plan."))
        return redirect(plan)
    return _accepted(request, plan, AcceptedHow.ONLINE, _("Thank you: you have accepted your care plan."))


def _accepted(request, plan, how, success: str) -> HttpResponse:
    """Record the plan's acceptance (in person or online), say how it went and go back to the plan."""
    attempt(
        request,
        lambda: services.careplan_accept(plan=plan, actor=request.user, how=how, request=request),
        success=success,
    )
    return redirect(plan)


@reads_object("careplan.write", get_careplan_for_user, lambda plan, status: f"care plan {status}", methods=POST)
def careplan_status(request: HttpRequest, plan: CarePlan, status: str) -> HttpResponse:
    form = DiscontinueForm(request.POST) if status == "discontinued" else None
    if form is not None and not form.is_valid():
        return render(request, "clinic/careplans/detail.html", _detail_context(request, plan, form), status=400)
    try:
        services.careplan_set_status(
            plan=plan,
            actor=request.user,
            status=status,
            reason=form.cleaned_data["reason"] if form is not None else "",
            request=request,
        )
    except ValidationError as exc:
        if form is not None:
            apply_error(form, exc)
            return render(request, "clinic/careplans/detail.html", _detail_context(request, plan, form), status=400)
        message_error(request, exc)
    else:
        messages.success(request, _("The plan is now %(status)s.") % {"status": status})
    return redirect(plan)


@reads_object("clinical.read", get_careplan_for_user, "care plan discharge summary", methods=SAFE)
def careplan_discharge(request: HttpRequest, plan: CarePlan) -> HttpResponse:
    """The one-page discharge summary of a completed (or discontinued) plan, for the chart and for printing."""
    if plan.status not in ("completed", "discontinued"):
        messages.info(request, _("The discharge summary is made when the plan is completed or discontinued."))
        return redirect(plan)
    return render(
        request,
        "clinic/careplans/discharge.html",
        {"plan": plan, "patient": plan.patient, "summary": discharge.discharge_summary(plan)},
    )
