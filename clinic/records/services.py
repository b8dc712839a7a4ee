"""Audited records out: each call gathers the patient's export (`clinic.services.patient_export`, which writes
the audit row naming who and why) and turns it into a PDF or a FHIR bundle of that one patient."""

from __future__ import annotations

import datetime as dt

from clinic.models import Patient
from clinic.records import fhir, pdf
from clinic.services import patient_export

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
        raise ValueError("Give the reason for the export (it is recorded in the audit trail).")
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
        raise ValueError("Give the reason for the export (it is recorded in the audit trail).")
    data = patient_export(patient=patient, actor=actor, reason=f"{reason.strip()[:150]} (FHIR bundle)")
    return fhir.bundle(data)
