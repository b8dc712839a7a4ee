"""Intake's part of a patient's records export (see clinic.services.patient_export): submissions with their
answers and scores, consent signatures with the exact text hash and version, red-flag reviews, and the
invitations sent (never their tokens: a token would let the reader fill the patient's intake)."""

from __future__ import annotations

from typing import Any

from clinic.models import Patient
from intake.models import ConsentSignature, IntakeInvitation, IntakeSubmission, OutcomeScore, RedFlagReview


def _who(user) -> str | None:
    return user.email if user is not None else None


def _score(score: OutcomeScore | None) -> dict[str, Any] | None:
    if score is None:
        return None
    return {
        "questionnaire": score.questionnaire.code,
        "answers": score.answers,
        "items_answered": score.items_answered,
        "total": score.total,
        "percent": str(score.percent) if score.percent is not None else None,
        "band": score.band,
        "scored_at": score.scored_at,
    }


def patient_records(patient: Patient) -> dict[str, Any]:
    submissions = (
        IntakeSubmission.objects.filter(patient=patient)
        .select_related("questionnaire", "created_by", "outcome_score__questionnaire")
        .order_by("created_at", "id")
    )
    signatures = (
        ConsentSignature.objects.filter(patient=patient)
        .select_related("version", "signed_by", "discussed_by")
        .order_by("signed_at", "id")
    )
    reviews = RedFlagReview.objects.filter(patient=patient).select_related("reviewed_by").order_by("raised_at", "id")
    invitations = IntakeInvitation.objects.filter(patient=patient).select_related("sent_by").order_by("sent_at", "id")
    return {
        "submissions": [
            {
                "id": s.pk,
                "status": s.status,
                "answers": s.data,
                "current_step": s.current_step,
                "questionnaire": s.questionnaire.code if s.questionnaire else None,
                "red_flags": s.red_flags,
                "created_at": s.created_at,
                "updated_at": s.updated_at,
                "submitted_at": s.submitted_at,
                "created_by": _who(s.created_by),
                "via_invitation": s.via_invitation,
                "outcome_score": _score(getattr(s, "outcome_score", None)),
            }
            for s in submissions
        ],
        "consent_signatures": [
            {
                "id": c.pk,
                "version": c.version.version,
                "version_title": c.version.title,
                "version_effective_date": c.version.effective_date,
                "version_text": c.version.text,
                "text_sha256": c.text_sha256,
                "hash_matches_version": c.hash_matches_version,
                "signer_name": c.signer_name,
                "signer_role": c.signer_role,
                "guardian_relationship": c.guardian_relationship,
                "signed_at": c.signed_at,
                "ip_address": c.ip_address,
                "user_agent": c.user_agent,
                "risks_acknowledged": c.risks_acknowledged,
                "cervical_consent": c.cervical_consent,
                "signed_by": _who(c.signed_by),
                "via_invitation": c.via_invitation,
                "withdrawn_at": c.withdrawn_at,
                "discussed_by": c.discussed_by.display_name if c.discussed_by else None,
                "discussed_at": c.discussed_at,
            }
            for c in signatures
        ],
        "red_flag_reviews": [
            {
                "id": r.pk,
                "submission_id": r.submission_id,
                "flags": r.flags,
                "labels": r.labels,
                "raised_at": r.raised_at,
                "reviewed_by": r.reviewed_by.display_name if r.reviewed_by else None,
                "reviewed_at": r.reviewed_at,
                "review_note": r.review_note,
            }
            for r in reviews
        ],
        "invitations": [
            {
                "id": i.pk,
                "email": i.email,
                "sent_by": _who(i.sent_by),
                "sent_at": i.sent_at,
                "expires_at": i.expires_at,
                "last_used_at": i.last_used_at,
                "revoked_at": i.revoked_at,
            }
            for i in invitations
        ],
    }
