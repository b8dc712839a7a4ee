"""Audited records out: each call gathers the patient's export (`clinic.services.patient_export`, which writes
the audit row naming who and why) and turns it into a PDF or a FHIR bundle of that one patient."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clinic.models import AuditEvent, OutgoingNotice, Patient, RecordRequest
from clinic.outbox import notice_queue
from clinic.records import fhir, pdf
from clinic.services import patient_export, save_audited, update_audited

PDF_KINDS = ("record", "note", "consent", "intake")


def records_pdf(
    *,
    patient: Patient,
    actor,
    reason: str,
    kind: str = "record",
    item_id: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> bytes:
    """The PDF of `kind` ("record" for a date range, or one "note", "consent" or "intake" by id)."""
    if kind not in PDF_KINDS:
        raise ValueError(f"Unknown PDF kind {kind!r}: use one of {', '.join(PDF_KINDS)}.")
    if not (reason or "").strip():
        raise ValueError(_("Give the reason for the export (it is recorded in the audit trail)."))
    what = f"PDF {kind}" + (f" {item_id}" if item_id is not None else "")
    if kind == "record" and (start or end):
        what += f" {start or '…'} to {end or '…'}"
    data = patient_export(patient=patient, actor=actor, reason=f"{reason.strip()[:150]} ({what})")
    if kind == "note":
        return pdf.note_pdf(data, item_id)
    if kind == "consent":
        return pdf.consent_pdf(data, item_id)
    if kind == "intake":
        return pdf.intake_pdf(data, item_id)
    return pdf.record_pdf(data, start=start, end=end)


def records_fhir(*, patient: Patient, actor, reason: str) -> dict:
    """The patient's record as a FHIR R4 Bundle (type collection), audited like every export."""
    if not (reason or "").strip():
        raise ValueError(_("Give the reason for the export (it is recorded in the audit trail)."))
    data = patient_export(patient=patient, actor=actor, reason=f"{reason.strip()[:150]} (FHIR bundle)")
    return fhir.bundle(data)


class RecordRequestError(ValidationError):
    """A records request that cannot go ahead, in the clinic's words."""


@transaction.atomic
def record_request_create(*, patient: Patient, actor, request=None) -> RecordRequest:
    """A patient asks for a copy of their whole record; clinic admins see it on the records requests page."""
    if RecordRequest.objects.filter(patient=patient, released_at__isnull=True).exists():
        raise RecordRequestError(_("You have already asked for your record: we will e-mail you when it is ready."))
    return save_audited(
        RecordRequest(patient=patient, requested_by=actor),
        actor=actor,
        action=AuditEvent.Action.CREATE,
        patient=patient,
        request=request,
        detail="asked for a copy of the whole record",
        clean=False,  # as before: the row is written as asked, not validated
    )


@transaction.atomic
def record_request_release(*, record_request: RecordRequest, actor, request=None) -> RecordRequest:
    """Release the record to the patient: they may download it from their account, and get an e-mail saying so."""
    locked = RecordRequest.objects.select_for_update().select_related("patient").get(pk=record_request.pk)
    if locked.is_released:
        raise RecordRequestError(_("This record was already released."))
    patient = locked.patient
    # The link leads to their account: write to the address they sign in with, else the one on the record.
    recipient = (patient.user.email if patient.user_id else "") or patient.email
    update_audited(
        locked,
        {"released_at": timezone.now(), "released_by": actor},
        actor=actor,
        patient=patient,
        request=request,
        detail=f"records request {locked.pk} released to the patient" + ("" if recipient else " (no e-mail address)"),
    )
    if recipient:
        link = settings.CLINIC_SITE_URL + reverse("clinic:account_records")
        values = {"clinic": settings.CLINIC_NAME, "name": patient.preferred_name or patient.first_name, "link": link}
        with translation.override(patient.language):
            notice_queue(
                kind=OutgoingNotice.Kind.RECORDS_READY,
                patient=patient,
                recipient=recipient,
                subject=_("Your record from %(clinic)s is ready") % values,
                body=_(
                    "Hello %(name)s,\n\nThe copy of your record you asked for is ready. Sign in and download it "
                    "here:\n%(link)s\n\n%(clinic)s\n"
                )
                % values,
            )
    return locked


def records_bundle_and_pdf(*, patient: Patient, actor, reason: str) -> tuple[dict, bytes]:
    """Both at once, from one audited export: the FHIR bundle and the whole-record PDF (the clinic-wide export)."""
    if not (reason or "").strip():
        raise ValueError(_("Give the reason for the export (it is recorded in the audit trail)."))
    data = patient_export(patient=patient, actor=actor, reason=f"{reason.strip()[:150]} (FHIR bundle and PDF)")
    return fhir.bundle(data), pdf.record_pdf(data)
