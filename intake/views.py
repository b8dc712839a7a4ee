"""Intake and consent pages: the patient's multi-step form and consent screen, and the staff views."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from clinic.audit import (
    POST,
    SAFE,
    acts_on_object,
    audit_read,
    no_patient_data,
    reads_object,
    reads_page,
    reads_patient_data,
)
from clinic.domain_errors import apply_error, attempt, error_text, message_error
from clinic.languages import remember_on, supported_language
from clinic.models import Patient
from clinic.permissions import can, deny_object, get_patient_for_user, rule_required
from intake import content, selectors, services
from intake.forms import (
    STEP_FORMS,
    ConsentForm,
    InvitationForm,
    OutcomeForm,
    RedFlagReviewForm,
    UrgentAlertHandleForm,
    step_form,
)
from intake.languages import active_language
from intake.models import IntakeInvitation, IntakeSubmission, RedFlagReview, UrgentAnswerAlert
from intake.permissions import (
    SESSION_KEY,
    get_invitation_for_user,
    get_red_flag_review_for_user,
    get_signature_for_request,
    get_submission_for_user,
    get_urgent_alert_for_user,
    intake_patient_for_request,
    intake_patient_required,
)


def _posted(request: HttpRequest):
    """The posted data, or None on GET. (`request.POST or None` would leave an empty POST unbound: a 400 page
    with no error on it.)"""
    return request.POST if request.method == "POST" else None


def _actor(request):
    return request.user if request.user.is_authenticated else None


# --- The patient's side -------------------------------------------------------------------------


@reads_patient_data
@never_cache
@intake_patient_required
@require_safe
def intake_home(request: HttpRequest) -> HttpResponse:
    """The patient's entry: where their intake stands, their consent, and what to do next."""
    patient = request.intake_patient
    submissions = list(selectors.intake_submissions(patient))
    draft = next((s for s in submissions if s.status == IntakeSubmission.Status.DRAFT), None)
    submitted = [s for s in submissions if s.status == IntakeSubmission.Status.SUBMITTED]
    # Right after submitting (the confirmation), what to do about answers that cannot wait is said again.
    recent = submitted and not draft and submitted[0].submitted_at > timezone.now() - dt.timedelta(days=1)
    context = {
        "patient": patient,
        "draft": draft,
        "draft_step": content.step_by_slug(draft.current_step) if draft else None,
        "submitted": submitted,
        "advice": content.advice_for(submitted[0].step_data("redflags")) if recent else [],
        "readiness": selectors.patient_readiness(patient),
        "signatures": list(selectors.consent_signatures(patient)),
        "active_version": selectors.consent_version_for(active_language()).version,
        "steps": content.STEPS,
        "via_invitation": request.intake_invitation is not None,
    }
    audit_read(request, patient, "intake home")
    return render(request, "intake/intake_home.html", context)


@no_patient_data
@intake_patient_required
@require_POST
def intake_start(request: HttpRequest) -> HttpResponse:
    draft = services.intake_start(
        patient=request.intake_patient,
        actor=_actor(request),
        via_invitation=request.intake_invitation is not None,
        request=request,
    )
    return redirect("intake:intake_step", step=draft.current_step)


def _step_context(request, draft: IntakeSubmission, step: str, form) -> dict:
    index = content.STEP_SLUGS.index(step)
    return {
        "patient": request.intake_patient,
        "draft": draft,
        "step": content.step_by_slug(step),
        "steps": content.STEPS,
        "step_number": index + 1,
        "step_count": len(content.STEPS),
        "previous": content.previous_step(step),
        "form": form,
        "regions_front": [r for r in content.REGIONS if r.view == "front"],
        "regions_back": [r for r in content.REGIONS if r.view == "back"],
    }


@reads_patient_data
@never_cache
@intake_patient_required
@require_http_methods(["GET", "HEAD", "POST"])
def intake_step(request: HttpRequest, step: str) -> HttpResponse:
    """One step of the draft: shows the saved answers; a valid post saves them and goes to the next step."""
    if step not in content.STEP_SLUGS:
        raise Http404("No such step.")
    draft = selectors.intake_draft(request.intake_patient)
    if draft is None:
        messages.info(request, _("Start a new intake form first."))
        return redirect("intake:intake_home")
    if step == "review":
        return _review(request, draft)
    if step == "outcome":
        form = OutcomeForm(
            request.POST if request.method == "POST" else None,
            initial=draft.step_data(step),
            questionnaire=draft.questionnaire,
        )
    else:
        initial = draft.step_data(step) or (_about_from_record(request.intake_patient) if step == "about" else {})
        form = step_form(
            step, request.POST if request.method == "POST" else None, initial=initial, patient=request.intake_patient
        )
    if request.method == "POST" and form.is_valid():
        try:
            draft = services.intake_save_step(
                submission=draft, step=step, answers=form.cleaned_data, actor=_actor(request), request=request
            )
        except services.IntakeError as exc:
            message_error(request, exc)
            return redirect("intake:intake_home")
        if step == "redflags" and content.advice_for(form.cleaned_data):
            # Stay on the step: what to do now is said at the top of it, before anything else is asked.
            return redirect(reverse("intake:intake_step", args=["redflags"]) + "?saved=1#advice")
        if step == "outcome" and form.too_many_skipped():
            allowed = form.questionnaire.max_missing_items
            messages.warning(
                request,
                _(
                    "You skipped %(skipped)s questions. With more than %(allowed)s skipped, the questionnaire cannot "
                    "be scored, so your practitioner will not get a score from it. You can go back and answer them."
                )
                % {"skipped": form.skipped(), "allowed": allowed},
            )
        return redirect("intake:intake_step", step=draft.current_step)
    status = 400 if request.method == "POST" else 200
    context = _step_context(request, draft, step, form)
    if step == "redflags" and not form.is_bound:
        context["advice"] = content.advice_for(draft.step_data("redflags"))
        context["saved"] = request.GET.get("saved") == "1"
        context["next_step"] = content.next_step(step)
    return _step_page(request, draft, step, context, status)


def _about_from_record(patient) -> dict:
    """What the clinic already knows, so the patient checks it rather than typing it again."""
    fields = [name for name in STEP_FORMS["about"].base_fields if hasattr(patient, name)]
    return {name: getattr(patient, name) for name in fields}


def _review(request: HttpRequest, draft: IntakeSubmission) -> HttpResponse:
    if request.method == "POST":
        return HttpResponse(_("Use the submit button on this page."), status=405)
    context = _step_context(request, draft, "review", None)
    context["missing"] = [content.step_by_slug(s) for s in services.intake_missing_steps(draft)]
    context["summary"] = selectors.submission_summary(draft)
    context["patient_view"] = True
    return _step_page(request, draft, "review", context)


def _step_page(request: HttpRequest, draft: IntakeSubmission, step: str, context: dict, status: int = 200):
    """A step of the draft (the review too), audited as a read of it."""
    audit_read(request, draft, f"intake step {step}")
    return render(request, "intake/intake_step.html", context, status=status)


@no_patient_data
@intake_patient_required
@require_POST
def intake_submit(request: HttpRequest) -> HttpResponse:
    """Submit the draft named in the form. Posting it twice returns the first result (nothing is created twice)."""
    submission_id = request.POST.get("submission", "")
    submission = selectors.submission_by_id(submission_id)
    if submission is None:
        raise Http404(_("No such intake."))
    if submission.patient_id != request.intake_patient.pk:
        deny_object(request.user, submission, "intake.submit")
    was_locked = submission.is_locked
    try:
        services.intake_submit(submission=submission, actor=_actor(request), request=request)
    except services.IntakeError as exc:
        message_error(request, exc)
        return redirect("intake:intake_step", step="review")
    if not was_locked:
        messages.success(
            request, _("Thank you: your intake form is submitted. The practitioner will read it before your visit.")
        )
    return redirect("intake:intake_home")


@reads_patient_data
@never_cache
@intake_patient_required
@require_http_methods(["GET", "HEAD", "POST"])
def consent_sign(request: HttpRequest) -> HttpResponse:
    """The consent screen: the whole text, one tick per risk, the neck-procedure choice, the typed name. The text is
    the active version in the language of the page; when there is none in it, the default language's, with a notice
    that the patient may ask the clinic for an interpreter before signing."""
    patient = request.intake_patient
    reading = selectors.consent_version_for(active_language())
    version = reading.version
    if version is None:
        audit_read(request, patient, "consent form (none to sign)")
        return render(request, "intake/consent_unavailable.html", {"patient": patient}, status=200)
    minor = patient.is_minor()
    initial = {"signer_name": patient.guardian_name, "guardian_relationship": patient.guardian_relationship}
    form = ConsentForm(_posted(request), version=version, minor=minor, initial=initial if minor else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            signature = services.consent_sign(
                patient=patient,
                version=version,
                text_sha256_shown=data["text_sha256"],
                read_to_end=data["read_to_end"],
                risks_acknowledged=form.acknowledged(),
                cervical_consent=data["cervical_consent"] == "yes",
                signer_name=data["signer_name"],
                signer_role=data.get("signer_role") or "patient",
                guardian_relationship=data.get("guardian_relationship") or "",
                actor=_actor(request),
                request=request,
                via_invitation=request.intake_invitation is not None,
                reader_language=reading.language,
            )
        except services.IntakeError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Thank you: your consent is signed. You can print a copy below."))
            return redirect("intake:consent_print", pk=signature.pk)
    status = 400 if request.method == "POST" else 200
    context = {
        "patient": patient,
        "version": version,
        "form": form,
        "minor": minor,
        "in_another_language": reading.in_another_language,
    }
    audit_read(request, patient, "consent form")
    return render(request, "intake/consent_sign.html", context, status=status)


@no_patient_data
@intake_patient_required
@require_POST
def consent_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    signature = get_signature_for_request(request, pk)
    if signature.patient_id != request.intake_patient.pk:
        raise Http404(_("No such consent."))
    services.consent_withdraw(signature=signature, actor=_actor(request), request=request)
    messages.success(
        request,
        _(
            "Your consent is withdrawn. No treatment will be given until you sign again. "
            "Tell the clinic if you have questions."
        ),
    )
    return redirect("intake:intake_home")


@reads_patient_data
@never_cache
@require_safe
def consent_print(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable copy of exactly what was signed: the version's text, the choices and the signature facts."""
    if not request.user.is_authenticated and intake_patient_for_request(request)[0] is None:
        return redirect_to_login(request.get_full_path())
    signature = get_signature_for_request(request, pk)
    audit_read(request, signature, "consent copy")
    risks = {r["code"]: r["label"] for r in signature.version.risks}
    context = {
        "signature": signature,
        "version": signature.version,
        "patient": signature.patient,
        "risks": [(risks.get(code, code), code in signature.risks_acknowledged) for code in risks],
    }
    return render(request, "intake/consent_print.html", context)


@no_patient_data
@never_cache
@require_safe
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Open an invitation link: a valid one lets this browser fill that patient's intake; others get a clear page."""
    try:
        invitation = services.invitation_from_token(token)
    except services.IntakeError as exc:
        return render(request, "intake/invitation_invalid.html", {"reason": error_text(exc)}, status=400)
    if request.user.is_authenticated:
        reason = _("You are signed in to an account. Log out first, then open the link again.")
        return render(request, "intake/invitation_invalid.html", {"reason": reason}, status=400)
    request.session.cycle_key()
    request.session[SESSION_KEY] = invitation.pk
    services.invitation_mark_used(invitation=invitation, request=request)
    response = redirect("intake:intake_home")
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        # No choice made in this browser yet: the pages open in the language stored on the patient's record.
        remember_on(response, supported_language(invitation.patient.language))
    return response


# --- Staff --------------------------------------------------------------------------------------


@reads_page("intake.status")
def intake_status_list(request: HttpRequest) -> HttpResponse:
    """Front desk: each patient's intake status and consent state (never the clinical answers)."""
    query = request.GET.get("q", "")[:100]
    page, readiness = selectors.patients_intake_page(query=query, page=request.GET.get("page", 1))
    rows = [(patient, readiness[patient.pk]) for patient in page.object_list]
    audit_read(request, None, "intake status list")
    return render(request, "intake/intake_status_list.html", {"page": page, "rows": rows, "q": query})


def _status_context(request, patient, form) -> dict:
    last_link = request.session.pop("intake_last_link", None)
    return {
        "patient": patient,
        "readiness": selectors.patient_readiness(patient),
        "draft": selectors.intake_draft(patient),
        "signatures": list(selectors.consent_signatures(patient)),
        "invitations": list(selectors.invitations_sent(patient)),
        "form": form,
        "link": last_link["link"] if last_link and last_link.get("patient") == patient.pk else None,
        "can_read_clinical": can(request.user, "clinical.read"),
        "invitation_days": settings.INTAKE_INVITATION_DAYS,
    }


@reads_object("intake.status", get_patient_for_user, "intake status", methods=SAFE)
def patient_intake_status(request: HttpRequest, patient: Patient) -> HttpResponse:
    """Front desk: one patient's intake and consent state, and the invitation link to send."""
    form = InvitationForm(initial={"email": patient.email})
    return render(request, "intake/patient_intake_status.html", _status_context(request, patient, form))


@reads_object("intake.status", get_patient_for_user, "intake status", methods=POST)
def invitation_send(request: HttpRequest, patient: Patient) -> HttpResponse:
    """E-mail an invitation link to the patient; the link is also shown on the next page to give by phone."""
    form = InvitationForm(request.POST)
    if not form.is_valid():
        return render(request, "intake/patient_intake_status.html", _status_context(request, patient, form), status=400)
    _invitation, link = services.invitation_send(
        patient=patient, email=form.cleaned_data["email"], actor=request.user, request=request
    )
    request.session["intake_last_link"] = {"patient": patient.pk, "link": link}
    messages.success(request, _("The link was e-mailed to %(email)s.") % {"email": form.cleaned_data["email"]})
    return redirect("intake:patient_intake_status", pk=patient.pk)


@acts_on_object("intake.status", get_invitation_for_user)
def invitation_revoke(request: HttpRequest, invitation: IntakeInvitation) -> HttpResponse:
    services.invitation_revoke(invitation=invitation, actor=request.user, request=request)
    messages.success(request, _("The link sent to %(email)s no longer works.") % {"email": invitation.email})
    return redirect("intake:patient_intake_status", pk=invitation.patient_id)


@reads_object("clinical.read", get_patient_for_user, "intake summary", methods=SAFE)
def intake_summary(request: HttpRequest, patient: Patient) -> HttpResponse:
    """Practitioners and clinic admins: the latest intake in words, the pain diagram drawn, the consent history."""
    submissions = list(selectors.intake_submissions(patient))
    latest = next((s for s in submissions if s.status == IntakeSubmission.Status.SUBMITTED), None)
    context = {
        "patient": patient,
        "readiness": selectors.patient_readiness(patient),
        "submission": latest,
        "summary": selectors.submission_summary(latest) if latest else None,
        "submissions": submissions,
        "signatures": list(selectors.consent_signatures(patient)),
        "open_flags": list(selectors.red_flags_open(patient)),
        "scores": list(selectors.outcome_scores(patient)),
        "review_form": RedFlagReviewForm(),
        "regions_front": [r for r in content.REGIONS if r.view == "front"],
        "regions_back": [r for r in content.REGIONS if r.view == "back"],
    }
    return render(request, "intake/intake_summary.html", context)


@reads_object("intake.read", get_submission_for_user, methods=SAFE)
def submission_detail(request: HttpRequest, submission: IntakeSubmission) -> HttpResponse:
    context = {
        "patient": submission.patient,
        "submission": submission,
        "summary": selectors.submission_summary(submission),
        "regions_front": [r for r in content.REGIONS if r.view == "front"],
        "regions_back": [r for r in content.REGIONS if r.view == "back"],
        # The patient (or their guardian) reads their answers in their own words, with the advice they were given.
        "patient_view": not can(request.user, "clinical.read"),
    }
    return render(request, "intake/submission_detail.html", context)


def _practitioner(request):
    practitioner = getattr(request.user, "practitioner", None)
    if practitioner is None:
        raise Http404(_("Only a practitioner can record this."))
    return practitioner


def _practitioner_records(request, service, patient_id: int, *, success: str, **fields) -> HttpResponse:
    """What the practitioner signed in records about a patient's intake (a red-flag review, a consent discussed):
    the service, said on the patient's intake summary they go back to."""
    attempt(
        request,
        lambda: service(**fields, practitioner=_practitioner(request), actor=request.user, request=request),
        success=success,
    )
    return redirect("intake:intake_summary", pk=patient_id)


@acts_on_object("clinical.write", get_red_flag_review_for_user)
def red_flags_review(request: HttpRequest, review: RedFlagReview) -> HttpResponse:
    form = RedFlagReviewForm(request.POST)
    note = form.cleaned_data["review_note"] if form.is_valid() else ""
    cleared = _("Red-flag review recorded; the alert is cleared.")
    return _practitioner_records(
        request, services.red_flags_review, review.patient_id, success=cleared, review=review, note=note
    )


@no_patient_data
@rule_required("clinical.write")
@require_POST
def consent_discussed(request: HttpRequest, pk: int) -> HttpResponse:
    signature = get_signature_for_request(request, pk)
    discussed = _("Recorded that you discussed this consent with the patient.")
    return _practitioner_records(
        request, services.consent_record_discussed, signature.patient_id, success=discussed, signature=signature
    )


@acts_on_object("intake.urgent_handle", get_urgent_alert_for_user)
def urgent_alert_handle(request: HttpRequest, alert: UrgentAnswerAlert) -> HttpResponse:
    """Record that the clinic contacted the patient about their urgent intake answers (from the day view)."""
    form = UrgentAlertHandleForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["note"]))  # the form's one field
        return redirect("scheduling:frontdesk_home")
    attempt(
        request,
        lambda: services.urgent_alert_handle(
            alert=alert, user=request.user, note=form.cleaned_data["note"], request=request
        ),
        success=_("Recorded that %(name)s was contacted; the alert is cleared.") % {"name": alert.patient.full_name},
    )
    return redirect("scheduling:frontdesk_home")
