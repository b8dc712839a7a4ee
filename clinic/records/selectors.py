"""Reads for records out: what a patient may download, and the records requests clinic admins work on."""

from __future__ import annotations

from django.db.models import QuerySet

from clinic.models import Patient, RecordRequest
from clinic.services import _export_modules


def patient_documents(patient: Patient) -> dict:
    """The patient's signed consents and submitted intakes, newest first, as the export holds them (the page
    that shows them audits the read; each download is an audited export)."""
    intake = {}
    for label, module in _export_modules():
        if label == "intake":
            intake = module.patient_records(patient)
    consents = sorted(intake.get("consent_signatures", []), key=lambda c: c["signed_at"], reverse=True)
    intakes = [s for s in intake.get("submissions", []) if s.get("submitted_at")]
    return {"consents": consents, "intakes": sorted(intakes, key=lambda s: s["submitted_at"], reverse=True)}


def record_requests_of(patient: Patient) -> QuerySet[RecordRequest]:
    return RecordRequest.objects.filter(patient=patient)


def record_request_of(patient: Patient, pk: int) -> RecordRequest | None:
    return RecordRequest.objects.filter(patient=patient, pk=pk).first()


def record_requests_open() -> QuerySet[RecordRequest]:
    return RecordRequest.objects.select_related("patient", "requested_by", "released_by").order_by(
        "released_at", "-requested_at"
    )[:200]


def record_request(pk: int) -> RecordRequest | None:
    return RecordRequest.objects.select_related("patient").filter(pk=pk).first()
