"""Writes for the core: patients and the audit trail."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clinic.apphooks import app_module
from clinic.client_ip import client_ip
from clinic.models import AuditEvent, Patient


def audit_record(
    *,
    actor=None,
    action: str,
    obj: Any | None = None,
    patient: Patient | None = None,
    request=None,
    detail: str = "",
) -> AuditEvent:
    """Append one audit row: who did what to which object, when and from where. Never updated later."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if patient is None and isinstance(obj, Patient):
        patient = obj
    if patient is None and obj is not None:
        patient = getattr(obj, "patient", None) if isinstance(getattr(obj, "patient", None), Patient) else None
    return AuditEvent.objects.create(
        actor=actor,
        actor_label=getattr(actor, "email", "") or "",
        action=action,
        object_type=obj._meta.label if obj is not None and hasattr(obj, "_meta") else "",
        object_id=str(obj.pk) if obj is not None and getattr(obj, "pk", None) is not None else "",
        patient=patient,
        patient_ref=patient.pk if patient is not None else None,
        ip_address=client_ip(request),
        detail=detail[:300],
    )


@transaction.atomic
def patient_create(*, actor, request=None, **fields: Any) -> Patient:
    """Register a new patient; the row is validated as a whole before it is saved."""
    patient = Patient(**fields)
    patient.full_clean()
    patient.save()
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=patient, request=request)
    return patient


@transaction.atomic
def patient_update(*, patient: Patient, actor, request=None, **fields: Any) -> Patient:
    """Change a patient's demographics; the changed field names (not values) go to the audit trail."""
    # Compare with the stored row: a bound ModelForm has already copied the new values onto `patient`.
    stored = Patient.objects.get(pk=patient.pk)
    changed = [name for name, value in fields.items() if getattr(stored, name) != value]
    for name, value in fields.items():
        setattr(patient, name, value)
    patient.full_clean()
    patient.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=patient,
        request=request,
        detail="changed: " + ", ".join(changed) if changed else "no change",
    )
    return patient


def user_sessions_end(*, user, actor, request=None, reason: str = "") -> int:
    """End every session of `user` (all browsers and devices); answer how many were ended.

    Sessions are found through allauth.usersessions, which records each one at login.
    """
    from allauth.usersessions.models import UserSession

    ended = 0
    for user_session in UserSession.objects.filter(user_id=user.pk):
        user_session.end()
        ended += 1
    audit_record(
        actor=actor,
        action=AuditEvent.Action.LOGOUT,
        obj=user,
        request=request,
        detail=f"ended {ended} session(s)" + (f": {reason}" if reason else ""),
    )
    return ended


@transaction.atomic
def user_deactivate(*, user, actor, request=None) -> None:
    """Stop a user logging in and end every session they have open now."""
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
        audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=user, request=request, detail="deactivated")
    user_sessions_end(user=user, actor=actor, request=request, reason="account deactivated")


EXPORT_FORMAT_VERSION = 1


def _export_modules():
    """`<app>.export` of every app of this project (not third-party ones), in INSTALLED_APPS order."""
    base = Path(settings.BASE_DIR).resolve()
    for config in apps.get_app_configs():
        if base not in Path(config.path).resolve().parents:
            continue
        module = app_module(config, "export")
        if module is not None:
            yield config.label, module


@transaction.atomic
def patient_export(*, patient: Patient, actor=None, reason: str = "records request") -> dict[str, Any]:
    """Everything the clinic holds about one patient, gathered from each app's `export.patient_records`.

    The export itself is audited (action "export") before the data is returned.
    """
    records = {label: module.patient_records(patient) for label, module in _export_modules()}
    audit_record(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        obj=patient,
        detail=f"{reason}; sections: {', '.join(sorted(records))}",
    )
    return {
        "format": EXPORT_FORMAT_VERSION,
        "exported_at": timezone.now(),
        "clinic": settings.CLINIC_NAME,
        "patient_id": patient.pk,
        "records": records,
    }
