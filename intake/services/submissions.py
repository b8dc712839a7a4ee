"""The intake form: the draft, each step saved (the urgent answers told at once), submitting with the
scores and the record's contact details, and the practitioner's review of the red flags."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.models import AuditEvent, Patient, Practitioner
from clinic.services import audit_record, patient_update, save_audited
from intake import content
from intake.forms import AboutForm, step_form
from intake.models import IntakeSubmission, OutcomeScore, Questionnaire, RedFlagReview
from intake.services.common import IntakeError, record_once
from intake.services.urgent import urgent_alert_raise


def questionnaire_for_area(area: str | None) -> Questionnaire | None:
    """The active questionnaire for the complaint area (neck: NDI, low back: ODI), or None."""
    if area not in {Questionnaire.Region.NECK, Questionnaire.Region.LOW_BACK}:
        return None
    return Questionnaire.objects.filter(region=area, active=True).prefetch_related("items__options").first()


@transaction.atomic
def intake_start(*, patient: Patient, actor=None, via_invitation: bool = False, request=None) -> IntakeSubmission:
    """The patient's draft, created if there is none. A new draft after a submission starts from its answers."""
    Patient.objects.select_for_update().get(pk=patient.pk)  # serialises two "start"s of the same patient
    draft = IntakeSubmission.objects.filter(patient=patient, status=IntakeSubmission.Status.DRAFT).first()
    if draft is not None:
        return draft
    previous = (
        IntakeSubmission.objects.filter(patient=patient, status=IntakeSubmission.Status.SUBMITTED)
        .order_by("-submitted_at")
        .first()
    )
    now = timezone.now()
    draft = IntakeSubmission(
        patient=patient,
        data=dict(previous.data) if previous else {},
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        via_invitation=via_invitation,
        created_at=now,
        updated_at=now,
    )
    draft.full_clean()
    try:
        with transaction.atomic():
            save_audited(
                draft,
                actor=actor,
                action=AuditEvent.Action.CREATE,
                request=request,
                detail="new intake" + (f" (follows submission {previous.pk})" if previous else ""),
                clean=False,
            )
    except IntegrityError:  # another request created it between our read and write
        return IntakeSubmission.objects.get(patient=patient, status=IntakeSubmission.Status.DRAFT)
    return draft


def _locked_draft(submission: IntakeSubmission) -> IntakeSubmission:
    locked = IntakeSubmission.objects.select_for_update().get(pk=submission.pk)
    if locked.is_locked:
        raise IntakeError(
            _(
                "This intake form was already submitted and can no longer be changed. Start a new one from your "
                "intake page to update your answers."
            )
        )
    return locked


@transaction.atomic
def intake_save_step(
    *, submission: IntakeSubmission, step: str, answers: dict[str, Any], actor=None, request=None
) -> IntakeSubmission:
    """Store one step's validated answers on a draft and move the resume point to the next step."""
    if step not in content.REQUIRED_STEPS:
        raise IntakeError(_("“%(step)s” is not a step of the intake form.") % {"step": step})
    locked = _locked_draft(submission)
    data = dict(locked.data or {})
    data[step] = answers
    locked.data = data
    if step == "visit":
        questionnaire = questionnaire_for_area(answers.get("complaint_area"))
        if (questionnaire.pk if questionnaire else None) != locked.questionnaire_id:
            locked.questionnaire = questionnaire
            data.pop("outcome", None)  # answers to another questionnaire no longer apply
    locked.current_step = content.next_step(step)
    locked.updated_at = timezone.now()
    save_audited(locked, actor=actor, action=AuditEvent.Action.UPDATE, request=request, detail=f"step {step} saved")
    if step == "redflags":
        urgent_alert_raise(submission=locked, answers=answers, actor=actor, request=request)
    return locked


def intake_missing_steps(submission: IntakeSubmission) -> list[str]:
    """Steps whose stored answers are absent or no longer valid, in form order."""
    missing = []
    for step in content.REQUIRED_STEPS:
        stored = submission.step_data(step)
        if step == "outcome":
            if "outcome" not in (submission.data or {}):
                missing.append(step)
            continue
        if not stored or not step_form(step, data=_as_form_data(stored), patient=submission.patient).is_valid():
            missing.append(step)
    return missing


def _as_form_data(stored: dict) -> dict:
    """Stored JSON answers as form data (numbers become strings, lists stay lists)."""
    return {k: (v if isinstance(v, list) else ("" if v is None else str(v))) for k, v in stored.items()}


@transaction.atomic
def intake_submit(*, submission: IntakeSubmission, actor=None, request=None) -> IntakeSubmission:
    """Lock a complete draft: score the questionnaire and raise a red-flag alert if any answer calls for one.

    Submitting an already submitted intake returns it unchanged, so a double submit creates nothing twice.
    """
    locked = IntakeSubmission.objects.select_for_update().get(pk=submission.pk)
    if locked.is_locked:
        return locked
    missing = intake_missing_steps(locked)
    if missing:
        titles = ", ".join(str(content.step_by_slug(s).title) for s in missing)
        raise IntakeError(
            _("Some steps are not complete yet: %(steps)s. Go back to them, then submit.") % {"steps": titles}
        )
    now = timezone.now()
    flags = [code for code, _q, _a in content.RED_FLAGS if locked.step_data("redflags").get(code) == "yes"]
    locked.red_flags = flags
    locked.status = IntakeSubmission.Status.SUBMITTED
    locked.submitted_at = now
    locked.updated_at = now
    locked.current_step = "review"
    locked.full_clean()
    locked.save()
    if locked.questionnaire_id:
        questionnaire = Questionnaire.objects.prefetch_related("items").get(pk=locked.questionnaire_id)
        stored = locked.step_data("outcome")
        # A deliberately skipped item ("skip") is scored as not answered.
        answers = {item.code: _item_score(stored.get(item.code)) for item in questionnaire.items.all()}
        result = questionnaire.score(answers)
        score = OutcomeScore(
            submission=locked,
            patient=locked.patient,
            questionnaire=questionnaire,
            answers=answers,
            items_answered=result.items_answered,
            total=result.total,
            percent=result.percent,
            band=result.band,
            scored_at=now,
        )
        score.full_clean()
        score.save()
    if flags:
        review = RedFlagReview(patient=locked.patient, submission=locked, flags=flags, raised_at=now)
        review.full_clean()
        review.save()
    _copy_contact_details(locked, actor=actor, request=request)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.SIGN,
        obj=locked,
        request=request,
        detail="intake submitted" + (f"; red flags: {', '.join(flags)}" if flags else ""),
    )
    return locked


def _item_score(stored) -> int | None:
    return stored if isinstance(stored, int) else None


def _copy_contact_details(submission: IntakeSubmission, *, actor, request) -> None:
    """Every about-you answer that is also a field of the patient's record updates the record when the intake is
    submitted (name, sex, date of birth, contact and emergency details); an empty answer keeps the record's.
    The change is audited with the names of the fields that changed (the front desk's patient page shows the
    record as it now is)."""
    about = submission.step_data("about")
    record_fields = [name for name in AboutForm.base_fields if name in Patient.RECORD_FIELDS]
    # An answer left empty keeps what the record says; only the preferred name may be cleared.
    fields = {
        name: about[name] for name in record_fields if name in about and (about[name] or name == "preferred_name")
    }
    if fields:
        patient_update(patient=submission.patient, actor=actor, request=request, **fields)


@transaction.atomic
def red_flags_review(
    *, review: RedFlagReview, practitioner: Practitioner, note: str = "", actor=None, request=None
) -> RedFlagReview:
    """Record that a practitioner reviewed the red-flag answers; the alert then clears."""
    return record_once(
        review,
        done_at="reviewed_at",
        refusal=lambda when: (
            _("These red flags were already reviewed on %(when)s.") % {"when": f"{when:%Y-%m-%d %H:%M}"}
        ),
        changes={"reviewed_by": practitioner, "review_note": note.strip()},
        actor=actor,
        request=request,
        detail="red flags reviewed",
    )
