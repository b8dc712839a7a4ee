"""Consent: versions of the text (inactive until activated, hashed as written), signing exactly what was
shown, withdrawing, and the practitioner recording the discussion."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clinic.languages import supported_language
from clinic.models import AuditEvent, Patient, Practitioner
from clinic.services import client_ip, save_audited, update_audited
from intake.models import ConsentSignature, ConsentVersion, text_sha256
from intake.services.common import IntakeError


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
