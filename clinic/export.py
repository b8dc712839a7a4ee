"""The core's part of a patient's records export (see clinic.services.patient_export).

Each app may have an `export.py` with `patient_records(patient) -> dict` returning JSON-serialisable data
(dates and datetimes are fine): everything it holds about that patient. The export collects them all.
"""

from __future__ import annotations

from typing import Any

from clinic.models import AuditEvent, Patient, VisitNote
from clinic.selectors import patient_ids_with_aliases

PATIENT_FIELDS = ["id", *Patient.RECORD_FIELDS, "created_at", "updated_at"]


def patient_records(patient: Patient) -> dict[str, Any]:
    demographics = {name: getattr(patient, name) for name in PATIENT_FIELDS}
    demographics["online_account_email"] = patient.user.email if patient.user_id else None
    access_log = [
        {
            "at": event.at,
            "who": event.actor_label or None,
            "action": event.action,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "detail": event.detail,
        }
        for event in AuditEvent.objects.filter(patient_ref__in=patient_ids_with_aliases(patient)).order_by("at", "id")
    ]
    visit_notes = [
        {
            "id": note.pk,
            "appointment_id": note.appointment_id,
            "practitioner": str(note.practitioner),
            "practitioner_id": note.practitioner_id,
            "status": note.status,
            "created_at": note.created_at,
            "signed_by": note.signed_by.email if note.signed_by_id else None,
            "signed_at": note.signed_at,
            "content_sha256": note.content_sha256 or None,
            "consent_signature_id": note.consent_signature_id,
            "content": note.content(),
            "addenda": [{"at": a.created_at, "author": a.author.email, "text": a.text} for a in note.addenda.all()],
        }
        for note in VisitNote.objects.filter(patient=patient)
        .select_related("practitioner", "signed_by")
        .prefetch_related("addenda__author")
        .order_by("created_at", "id")
    ]
    return {"patient": demographics, "visit_notes": visit_notes, "access_log": access_log}
