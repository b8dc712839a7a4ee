"""Writes of intake and consent. Each service validates, saves, and leaves an audit entry."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clinic import outbox
from clinic.apphooks import practitioner_for
from clinic.languages import supported_language
from clinic.models import AuditEvent, OutgoingNotice, Patient, Practitioner
from clinic.services import audit_record, client_ip, patient_update, save_audited, update_audited
from intake import content
from intake.forms import AboutForm, step_form
from intake.models import (
    ConsentSignature,
    ConsentVersion,
    IntakeInvitation,
    IntakeSubmission,
    OutcomeScore,
    Questionnaire,
    RedFlagReview,
    UrgentAnswerAlert,
    text_sha256,
)

INVITATION_SALT = "intake.invitation"


class IntakeError(ValidationError):
    """A request the intake or consent rules refuse; the message says what to do instead."""


# --- Intake -------------------------------------------------------------------------------------


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


def urgent_alert_raise(
    *, submission: IntakeSubmission, answers: dict[str, Any], actor=None, request=None
) -> UrgentAnswerAlert | None:
    """Tell the clinic at once when saved answers need care before the visit (a possible stroke or cauda equina):
    an alert on the front desk's day view and an e-mail, through the outbox, to the practitioner of the patient's
    next (else latest) visit, or to the clinic's address when they have none. An answer already alerted for this
    form is not sent twice; a newly added one is. Returns the new alert, or None when nothing new is urgent."""
    urgent = [
        code for code, _q, _a in content.RED_FLAGS if code in content.URGENT_RED_FLAGS and answers.get(code) == "yes"
    ]
    alerted = {code for codes in submission.urgent_alerts.values_list("codes", flat=True) for code in codes}
    new = [code for code in urgent if code not in alerted]
    if not new:
        return None
    patient = submission.patient
    phone = submission.step_data("about").get("phone") or patient.phone  # typed in this form, else on file
    practitioner = practitioner_for(patient)
    recipient = (practitioner.user.email if practitioner else "") or settings.CLINIC_EMAIL
    alert = save_audited(
        UrgentAnswerAlert(patient=patient, submission=submission, codes=new, notified=recipient),
        actor=actor,
        action=AuditEvent.Action.CREATE,
        request=request,
        detail=f"urgent intake answers: {', '.join(new)}; e-mail to {recipient}",
    )
    # To the clinic, in the clinic's language whatever language the patient's form was in. The clinical labels go
    # to the practitioner only; the clinic's shared address reads what the patient was told.
    with translation.override(settings.LANGUAGE_CODE):
        labels = "\n".join(
            f"- {content.RED_FLAG_LABELS[code] if practitioner else content.RED_FLAG_QUESTIONS[code]}" for code in new
        )
        told = "\n".join(f"- {text}" for text in alert.advice_given)
        link = settings.CLINIC_SITE_URL + reverse("scheduling:frontdesk_home")
        facts = {
            "name": patient.full_name,
            "born": date_format(patient.date_of_birth, "d M Y"),
            "phone": phone or _("not given"),
            "labels": labels,
            "told": told,
            "link": link,
            "clinic": settings.CLINIC_NAME,
        }
        subject = _("Urgent: intake answers of %(name)s need a call today") % facts
        body = (
            _(
                "%(name)s (born %(born)s, phone %(phone)s) has just answered yes in the intake form to:\n"
                "%(labels)s\n\n"
                "The form told them:\n%(told)s\n\n"
                "Please call the patient today, then record it on the front desk's day view:\n"
                "%(link)s\n\n"
                "%(clinic)s"
            )
            % facts
        )
    outbox.notice_queue(
        kind=OutgoingNotice.Kind.URGENT_ANSWER,
        patient=patient,
        recipient=recipient,
        context={"alert": alert.pk},
        subject=subject,
        body=body,
    )
    return alert


@transaction.atomic
def urgent_alert_handle(*, alert: UrgentAnswerAlert, user, note: str = "", request=None) -> UrgentAnswerAlert:
    """Record that someone at the clinic contacted the patient about their urgent answers; the alert then clears."""
    return _record_once(
        alert,
        done_at="handled_at",
        refusal=lambda when: (
            _("This alert was already handled on %(when)s.") % {"when": date_format(when, "d M Y, H:i")}
        ),
        changes={"handled_by": user, "handled_note": note.strip()},
        actor=user,
        request=request,
        detail="urgent alert handled",
    )


def _record_once(obj, *, done_at: str, refusal, changes: dict, actor, request, detail: str):
    """Lock `obj`'s row and record, once, that someone dealt with it: `done_at` set to now with `changes`, and
    its audit row. Dealt with already: IntakeError with `refusal(when)` (the local time it was)."""
    locked = type(obj).objects.select_for_update().get(pk=obj.pk)
    if getattr(locked, done_at) is not None:
        raise IntakeError(refusal(timezone.localtime(getattr(locked, done_at))))
    for name, value in {**changes, done_at: timezone.now()}.items():
        setattr(locked, name, value)
    save_audited(locked, actor=actor, action=AuditEvent.Action.UPDATE, request=request, detail=detail)
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
    return _record_once(
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


# --- Consent ------------------------------------------------------------------------------------


@transaction.atomic
def consent_version_create(
    *,
    title: str,
    version: int,
    effective_date: dt.date,
    text: str,
    risks: list[dict],
    language: str = settings.LANGUAGE_CODE,
    translation_note: str = "",
    asks_other_language_signers: bool = False,
    actor=None,
    request=None,
) -> ConsentVersion:
    """Add a consent wording in one language (inactive until activated); its SHA-256 is computed from the exact
    text. A language the site does not offer is refused by the field's choices."""
    row = ConsentVersion(
        title=title,
        version=version,
        effective_date=effective_date,
        text=text,
        risks=risks,
        language=language,
        translation_note=translation_note,
        asks_other_language_signers=asks_other_language_signers,
        sha256=text_sha256(text),
    )
    save_audited(
        row, actor=actor, action=AuditEvent.Action.CREATE, request=request, detail=f"version {version} ({language})"
    )
    return row


@transaction.atomic
def consent_version_update(*, version: ConsentVersion, actor=None, request=None, **fields: Any) -> ConsentVersion:
    """Change a consent wording that nobody has signed yet; a signed one is refused (make a new version)."""
    locked = ConsentVersion.objects.select_for_update().get(pk=version.pk)
    if locked.has_signatures():
        raise IntakeError(
            _(
                "Version %(version)s has been signed by patients, so it cannot be changed. "
                "Create a new version with the new wording instead."
            )
            % {"version": locked.version}
        )
    for name, value in fields.items():
        if name not in (*ConsentVersion.FROZEN_FIELDS, "translation_note", "asks_other_language_signers"):
            raise IntakeError(_("“%(name)s” cannot be changed here.") % {"name": name})
        setattr(locked, name, value)
    save_audited(locked, actor=actor, action=AuditEvent.Action.UPDATE, request=request)
    return locked


@transaction.atomic
def consent_version_activate(*, version: ConsentVersion, actor=None, request=None) -> ConsentVersion:
    """Make this the version patients of its language sign now: every signature of an earlier version in the same
    language becomes out of date; signatures in other languages stay current (see `selectors._consent_state`)."""
    locked = ConsentVersion.objects.select_for_update().get(pk=version.pk)
    ConsentVersion.objects.select_for_update().filter(active=True, language=locked.language).exclude(
        pk=locked.pk
    ).update(active=False)
    if not locked.active:
        update_audited(locked, {"active": True}, actor=actor, request=request, detail="activated", clean=True)
    return locked


@transaction.atomic
def consent_sign(
    *,
    patient: Patient,
    version: ConsentVersion,
    text_sha256_shown: str,
    read_to_end: bool,
    risks_acknowledged: list[str],
    cervical_consent: bool,
    signer_name: str,
    signer_role: str = ConsentSignature.SignerRole.PATIENT,
    guardian_relationship: str = "",
    actor=None,
    request=None,
    via_invitation: bool = False,
    reader_language: str = "",
) -> ConsentSignature:
    """Record a signature on an active version, only if the signer read it and acknowledged every listed risk.

    The signature keeps the exact text shown, its language and its hash, and the language of the signer's pages
    (`reader_language`, the page's active language when not given). A second identical submit returns the first
    signature instead of creating another.
    """
    locked = ConsentVersion.objects.select_for_update().get(pk=version.pk)
    if not locked.active:
        raise IntakeError(
            _("This consent version is no longer the current one. Reload the page to read the current text.")
        )
    if text_sha256_shown != locked.sha256:
        raise IntakeError(_("The consent text changed while you were reading it. Reload the page and read it again."))
    if not read_to_end:
        raise IntakeError(_("Read the whole consent text, to the end, before signing."))
    listed = [r["code"] for r in locked.risks]
    unticked = [r["label"] for r in locked.risks if r["code"] not in set(risks_acknowledged)]
    if unticked:
        raise IntakeError(
            _("Tick each risk to confirm you have read it. Not yet ticked: %(risks)s") % {"risks": "; ".join(unticked)}
        )
    signer_name = (signer_name or "").strip()
    if not signer_name:
        raise IntakeError(_("Type your full name to sign."))
    minor = patient.is_minor()
    if minor and signer_role == ConsentSignature.SignerRole.PATIENT:
        raise IntakeError(
            _("%(name)s is under %(age)s: a parent or legal guardian must sign.")
            % {"name": patient.full_name, "age": settings.CLINIC_AGE_OF_CONSENT}
        )
    if minor and not guardian_relationship.strip():
        raise IntakeError(_("Give your relationship to the patient (for example mother, father, legal guardian)."))
    reader_language = supported_language(reader_language or translation.get_language())
    if not minor:
        signer_role, guardian_relationship = ConsentSignature.SignerRole.PATIENT, ""

    Patient.objects.select_for_update().get(pk=patient.pk)
    existing = (
        ConsentSignature.objects.filter(patient=patient, version=locked, withdrawn_at__isnull=True)
        .order_by("-signed_at")
        .first()
    )
    if existing is not None:
        if existing.cervical_consent == cervical_consent:
            return existing  # a double submit, or signing again what is already signed
        # A changed neck-procedure choice replaces the earlier signature on the same version.
        existing.withdrawn_at = timezone.now()
        existing.save(update_fields=["withdrawn_at"])
    signature = ConsentSignature(
        patient=patient,
        version=locked,
        text_sha256=locked.sha256,
        text_shown=locked.text,
        language=locked.language,
        reader_language=reader_language,
        signer_name=signer_name,
        signer_role=signer_role,
        guardian_relationship=guardian_relationship.strip(),
        signed_at=timezone.now(),
        ip_address=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:400],
        risks_acknowledged=[code for code in listed if code in set(risks_acknowledged)],
        cervical_consent=cervical_consent,
        signed_by=actor if getattr(actor, "is_authenticated", False) else None,
        via_invitation=via_invitation,
    )
    save_audited(
        signature,
        actor=actor,
        action=AuditEvent.Action.SIGN,
        request=request,
        detail=f"consent version {locked.version} ({locked.language}, read in {reader_language}) signed by "
        f"{signer_role}; cervical: {cervical_consent}",
    )
    return signature


@transaction.atomic
def consent_withdraw(*, signature: ConsentSignature, actor=None, request=None) -> ConsentSignature:
    """The patient withdraws their consent; it stays on record with the time it was withdrawn."""
    locked = ConsentSignature.objects.select_for_update().get(pk=signature.pk)
    if locked.withdrawn_at is not None:
        return locked
    update_audited(
        locked, {"withdrawn_at": timezone.now()}, actor=actor, request=request, detail="consent withdrawn", clean=True
    )
    return locked


@transaction.atomic
def consent_record_discussed(
    *, signature: ConsentSignature, practitioner: Practitioner, actor=None, request=None
) -> ConsentSignature:
    """A practitioner records that they discussed the consent with the patient (a signature alone is not enough)."""
    locked = ConsentSignature.objects.select_for_update().get(pk=signature.pk)
    if locked.withdrawn_at is not None:
        raise IntakeError(_("This consent was withdrawn; the patient needs to sign again before it can be discussed."))
    if locked.discussed_at is not None:
        return locked
    update_audited(
        locked,
        {"discussed_by": practitioner, "discussed_at": timezone.now()},
        actor=actor,
        request=request,
        detail="consent discussed",
        clean=True,
    )
    return locked


# --- Invitations ----------------------------------------------------------------------------------


def invitation_max_age() -> dt.timedelta:
    return dt.timedelta(days=settings.INTAKE_INVITATION_DAYS)


def invitation_token(invitation: IntakeInvitation) -> str:
    return signing.TimestampSigner(salt=INVITATION_SALT).sign(str(invitation.pk))


def invitation_from_token(token: str) -> IntakeInvitation:
    """The invitation a link names. Raises IntakeError with a message for the patient when it cannot be used."""
    signer = signing.TimestampSigner(salt=INVITATION_SALT)
    try:
        pk = signer.unsign(token, max_age=invitation_max_age())
    except signing.SignatureExpired:
        raise IntakeError(_("This link has expired. Ask the clinic to send you a new one.")) from None
    except signing.BadSignature:
        raise IntakeError(
            _("This link is not valid. Check that you copied all of it, or ask the clinic for a new one.")
        ) from None
    invitation = IntakeInvitation.objects.select_related("patient").filter(pk=pk).first()
    if invitation is None or invitation.revoked_at is not None:
        raise IntakeError(_("This link is no longer valid. Ask the clinic to send you a new one."))
    if not invitation.is_usable():
        raise IntakeError(_("This link has expired. Ask the clinic to send you a new one."))
    if invitation_fulfilled(invitation):
        raise IntakeError(
            _(
                "The intake form this link was sent for has been submitted, so the link no longer opens it. "
                "To change an answer, call the clinic on %(phone)s."
            )
            % {"phone": settings.CLINIC_PHONE}
        )
    return invitation


def invitation_fulfilled(invitation: IntakeInvitation) -> bool:
    """An invitation has done its job once the patient submits an intake after it was sent."""
    return IntakeSubmission.objects.filter(
        patient_id=invitation.patient_id,
        status=IntakeSubmission.Status.SUBMITTED,
        submitted_at__gte=invitation.sent_at,
    ).exists()


@transaction.atomic
def invitation_send(*, patient: Patient, email: str, actor, request=None) -> tuple[IntakeInvitation, str]:
    """Create an invitation link and e-mail it to the patient. Returns the invitation and the full link.

    The e-mail is recorded in the core outbox with the invitation and sent here; if the mail server fails,
    the outbox's sweep sends it later. The link is built from CLINIC_SITE_URL, never from the request's Host.
    """
    now = timezone.now()
    invitation = IntakeInvitation(
        patient=patient, email=email, sent_by=actor, sent_at=now, expires_at=now + invitation_max_age()
    )
    invitation.full_clean()
    invitation.save()
    link = settings.CLINIC_SITE_URL + reverse("intake:invitation_accept", args=[invitation_token(invitation)])
    days = settings.INTAKE_INVITATION_DAYS
    # In the patient's language (stored on their record), whoever at the clinic sends it.
    with translation.override(patient.language or settings.LANGUAGE_CODE):
        facts = {
            "clinic": settings.CLINIC_NAME,
            "phone": settings.CLINIC_PHONE,
            "name": patient.first_name,
            "link": link,
            "days": days,
        }
        subject = _("Your intake form for %(clinic)s") % facts
        body = (
            _("Hello %(name)s,") % facts
            + "\n\n"
            + _("Before your first visit, please fill in the intake form and read the consent document here:")
            + f"\n\n{link}\n\n"
            + ngettext(
                "The link works for %(days)s day. Your answers are saved as you go, so you can stop and come back.",
                "The link works for %(days)s days. Your answers are saved as you go, so you can stop and come back.",
                days,
            )
            % facts
            + "\n\n"
            + f"{settings.CLINIC_NAME} · {settings.CLINIC_PHONE}"
        )
    notice = outbox.notice_record(
        kind=OutgoingNotice.Kind.INTAKE_INVITATION,
        patient=patient,
        recipient=email,
        context={"invitation": invitation.pk},
        subject=subject,
        body=body,
        now=now,
    )
    audit_record(
        actor=actor, action=AuditEvent.Action.CREATE, obj=invitation, request=request, detail="invitation sent"
    )
    outbox.notice_deliver(notice.pk)
    return invitation, link


@transaction.atomic
def invitation_revoke(*, invitation: IntakeInvitation, actor, request=None) -> IntakeInvitation:
    """Stop a link from working (sent to a wrong address, or no longer wanted); it stays on record."""
    locked = IntakeInvitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.revoked_at is None:
        update_audited(
            locked, {"revoked_at": timezone.now()}, actor=actor, request=request, detail="invitation revoked"
        )
    return locked


def invitation_mark_used(*, invitation: IntakeInvitation, request=None) -> None:
    IntakeInvitation.objects.filter(pk=invitation.pk).update(last_used_at=timezone.now())
    audit_record(action=AuditEvent.Action.LOGIN, obj=invitation, request=request, detail="invitation link opened")


# --- Questionnaires -----------------------------------------------------------------------------


@transaction.atomic
def questionnaire_load(*, definition: dict, actor=None, request=None) -> Questionnaire:
    """Create or replace a questionnaire's items and options from a definition (see questionnaire_data.py).

    Refused once patients have answered it: scores stay tied to the wording they answered.
    """
    from intake.models import QuestionnaireItem, QuestionnaireOption

    questionnaire = Questionnaire.objects.filter(code=definition["code"]).first()
    if questionnaire is not None:
        if (
            OutcomeScore.objects.filter(questionnaire=questionnaire).exists()
            or IntakeSubmission.objects.filter(questionnaire=questionnaire).exists()
        ):
            return questionnaire
        questionnaire.items.all().delete()
    else:
        questionnaire = Questionnaire(code=definition["code"])
    for name in ("title", "region", "instructions", "max_item_score", "bands", "source_note"):
        setattr(questionnaire, name, definition[name])
    questionnaire.translations = {
        language: {k: v for k, v in texts.items() if k in Questionnaire.TRANSLATABLE}
        for language, texts in (definition.get("translations") or {}).items()
    }
    questionnaire.meaningful_change = definition.get("meaningful_change")
    questionnaire.max_missing_items = definition.get("max_missing_items", 1)
    questionnaire.active = True
    questionnaire.full_clean()
    questionnaire.save()
    for position, spec in enumerate(definition["items"], start=1):
        spec_translations = spec.get("translations") or {}
        item = QuestionnaireItem(
            questionnaire=questionnaire,
            position=position,
            code=spec["code"],
            text=spec["text"],
            translations={language: {"text": texts["text"]} for language, texts in spec_translations.items()},
        )
        item.full_clean()
        item.save()
        if len(spec["options"]) != questionnaire.max_item_score + 1:
            raise IntakeError(
                _("Item “%(code)s” needs %(count)s options (scores 0 to max).")
                % {"code": spec["code"], "count": questionnaire.max_item_score + 1}
            )
        options = [
            QuestionnaireOption(
                item=item,
                score=score,
                text=text,
                translations={
                    language: {"text": texts["options"][score]}
                    for language, texts in spec_translations.items()
                    if len(texts.get("options") or ()) > score
                },
            )
            for score, text in enumerate(spec["options"])
        ]
        for option in options:
            option.full_clean(exclude=["item"])
        QuestionnaireOption.objects.bulk_create(options)
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=questionnaire, request=request, detail="loaded")
    return questionnaire
