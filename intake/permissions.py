"""Who may fill, read and act on intakes and consents.

A patient fills their own intake while signed in, or through an invitation link (the link puts the
invitation's id in the session). Practitioners and clinic admins read the clinical answers; the front desk
sees only the status. A row the user may not see answers 404.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import redirect

from clinic.models import Patient
from clinic.permissions import account_start_redirect, acting_patient, can, deny_object, may_enter, roles_of
from intake.models import ConsentSignature, IntakeInvitation, IntakeSubmission, RedFlagReview, UrgentAnswerAlert

SESSION_KEY = "intake_invitation_id"


def intake_patient_for_request(request: HttpRequest) -> tuple[Patient | None, IntakeInvitation | None]:
    """The patient whose intake this request fills, and the invitation it came through (if any)."""
    if may_enter(request.user, "account.use"):
        return acting_patient(request), None  # their own record, or the child a guardian acts for
    if request.user.is_authenticated:
        return None, None  # staff fill nothing through a patient's link while signed in
    invitation_id = request.session.get(SESSION_KEY)
    if not invitation_id:
        return None, None
    invitation = IntakeInvitation.objects.select_related("patient").filter(pk=invitation_id).first()
    if invitation is None or not invitation.is_usable():
        request.session.pop(SESSION_KEY, None)
        return None, None
    return invitation.patient, invitation


def intake_patient_required(view: Callable) -> Callable:
    """The view gets `request.intake_patient` and `request.intake_invitation`; others go to login or get 403."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        patient, invitation = intake_patient_for_request(request)
        if patient is None:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if may_enter(request.user, "account.use"):
                # A parent's account with no record of its own, acting for no child yet: choose whose form first.
                messages.info(request, "Choose whose intake form to fill in: open your family page and act for them.")
                return redirect("clinic:family_home")
            if not roles_of(request.user):
                return account_start_redirect(request)  # signed up, no record yet: make one, or book
            raise PermissionDenied("The intake form is filled by the patient, from their own account or link.")
        request.intake_patient = patient
        request.intake_invitation = invitation
        return view(request, *args, **kwargs)

    return wrapped


def get_submission_for_user(user, pk: int) -> IntakeSubmission:
    """A submission with its clinical answers: practitioners and admins, or the patient it belongs to."""
    submission = (
        IntakeSubmission.objects.select_related("patient", "questionnaire", "outcome_score", "red_flag_review")
        .filter(pk=pk)
        .first()
    )
    if submission is None:
        raise Http404("No such intake.")
    if can(user, "intake.read", submission):
        return submission
    deny_object(user, submission, "intake.read")


def get_signature_for_request(request: HttpRequest, pk: int) -> ConsentSignature:
    """A consent signature: any staff role, or the patient it belongs to (signed in or by their link)."""
    signature = ConsentSignature.objects.select_related("patient", "version", "discussed_by").filter(pk=pk).first()
    if signature is None:
        raise Http404("No such consent.")
    if can(request.user, "intake.status"):
        return signature
    patient, _invitation = intake_patient_for_request(request)
    if patient is not None and patient.pk == signature.patient_id:
        return signature
    deny_object(request.user, signature, "consent.view")


def get_red_flag_review_for_user(user, pk: int) -> RedFlagReview:
    """A red-flag alert to review: practitioners only (the review is a clinical act)."""
    review = RedFlagReview.objects.select_related("patient").filter(pk=pk).first()
    if review is None:
        raise Http404("No such red-flag alert.")
    if not can(user, "clinical.write"):
        deny_object(user, review, "red_flags.review")
    return review


def get_invitation_for_user(user, pk: int) -> IntakeInvitation:
    """An intake invitation, for the staff who send and revoke them (intake.status)."""
    invitation = IntakeInvitation.objects.select_related("patient").filter(pk=pk).first()
    if invitation is None:
        raise Http404("No such invitation.")
    if not can(user, "intake.status"):
        deny_object(user, invitation, "invitation.manage")
    return invitation


def get_urgent_alert_for_user(user, pk: int) -> UrgentAnswerAlert:
    """An urgent-answer alert, for the staff who may act on it (the day view's "contacted" button)."""
    alert = UrgentAnswerAlert.objects.select_related("patient").filter(pk=pk).first()
    if alert is None:
        raise Http404("No such alert.")
    if not can(user, "intake.urgent_handle"):
        deny_object(user, alert, "intake.urgent_handle")
    return alert
