"""The core's part of a patient's records export (see clinic.services.patient_export).

Each app may have an `export.py` with `patient_records(patient) -> dict` returning JSON-serialisable data
(dates and datetimes are fine): everything it holds about that patient. The export collects them all.
"""

from __future__ import annotations

from typing import Any

from clinic.models import AuditEvent, Patient

PATIENT_FIELDS = [
    "id",
    "first_name",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "sex",
    "email",
    "phone",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "emergency_contact_name",
    "emergency_contact_phone",
    "emergency_contact_relationship",
    "guardian_name",
    "guardian_relationship",
    "guardian_phone",
    "created_at",
    "updated_at",
]


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
        for event in AuditEvent.objects.filter(patient=patient).order_by("at", "id")
    ]
    return {"patient": demographics, "access_log": access_log}
