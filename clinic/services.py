"""Writes for the core: patients and the audit trail."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from allauth.usersessions.models import UserSession
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
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


def save_audited(
    obj: Any,
    *,
    action: str,
    actor=None,
    request=None,
    detail: str = "",
    patient: Patient | None = None,
    clean: bool | None = None,
    update_fields: list[str] | None = None,
) -> Any:
    """Validate `obj` as a whole, save it and append its audit row; answer `obj`.

    With `update_fields` only those columns are written and the row is not validated again (`clean=True` asks
    for it); `clean=False` skips the validation of a whole save where the caller has already done it.

    The one way a service writes a row of patient data or of the clinic's set-up: the audit row cannot be
    forgotten, and a row the model would refuse never reaches the database. Call it inside the service's
    transaction, so the row and its audit row are written together or not at all.
    """
    if clean if clean is not None else update_fields is None:
        obj.full_clean()
    obj.save(update_fields=update_fields)
    audit_record(actor=actor, action=action, obj=obj, patient=patient, request=request, detail=detail)
    return obj


def update_audited(
    obj: Any,
    changes: dict[str, Any],
    *,
    actor=None,
    request=None,
    detail: str = "",
    patient: Patient | None = None,
    clean: bool = False,
    also: tuple[str, ...] = (),
    action: str = AuditEvent.Action.UPDATE,
) -> Any:
    """Set `changes` on `obj`, write only those columns (and `also`, such as `updated_at`) and append its audit
    row; answer `obj`. `clean=True` validates the whole row first. See `save_audited`."""
    for name, value in changes.items():
        setattr(obj, name, value)
    return save_audited(
        obj,
        action=action,
        actor=actor,
        request=request,
        detail=detail,
        patient=patient,
        clean=clean,
        update_fields=[*changes, *also],
    )


@transaction.atomic
def patient_create(*, actor, request=None, **fields: Any) -> Patient:
    """Register a new patient; the row is validated as a whole before it is saved."""
    patient = Patient(**fields)
    save_audited(patient, actor=actor, action=AuditEvent.Action.CREATE, request=request)
    return patient


@transaction.atomic
def patient_update(*, patient: Patient, actor, request=None, **fields: Any) -> Patient:
    """Change a patient's demographics; the changed field names (not values) go to the audit trail."""
    # Compare with the stored row: a bound ModelForm has already copied the new values onto `patient`.
    stored = Patient.objects.get(pk=patient.pk)
    changed = [name for name, value in fields.items() if getattr(stored, name) != value]
    return update_audited(
        patient,
        fields,
        actor=actor,
        request=request,
        detail="changed: " + ", ".join(changed) if changed else "no change",
        clean=True,
        also=("updated_at",),
    )


class MergeError(ValidationError):
    """Two patient records cannot be merged as asked; the message says why."""


# Rows that stay with the record they were written for: audit rows never change (the append-only trigger refuses
# it); the merged id is an alias of the survivor in the access log instead (`selectors.patient_ids_with_aliases`).
_MERGE_KEEPS = {("clinic", "AuditEvent"), ("clinic", "Patient")}


@transaction.atomic
def patient_merge(*, survivor: Patient, merged: Patient, actor, request=None) -> dict[str, int]:
    """Merge a duplicate record into `survivor`: every row that points at `merged` (appointments, intakes,
    consents, notes, notices, waitlist entries, whatever app holds them) moves to the survivor, the survivor's
    empty fields take the duplicate's values, its login moves over, and `merged` is kept, marked merged, so its
    id stays an alias of the survivor in the access log. Audited on both records. Returns the rows moved per kind.
    """
    survivor = Patient.objects.select_for_update().get(pk=survivor.pk)
    merged = Patient.objects.select_for_update().get(pk=merged.pk)
    if survivor.pk == merged.pk:
        raise MergeError("Choose two different records.")
    if merged.merged_into_id or survivor.merged_into_id:
        already = merged if merged.merged_into_id else survivor
        raise MergeError(f"Record #{already.pk} ({already.full_name}) was already merged into another record.")
    if merged.user_id and survivor.user_id:
        raise MergeError(
            f"Both records have their own login ({merged.user.email} and {survivor.user.email}). "
            "Ask the patient which address they use and remove the other login first."
        )
    moved: dict[str, int] = {}
    for relation in Patient._meta.related_objects:
        model = relation.related_model
        if (model._meta.app_label, model.__name__) in _MERGE_KEEPS or not relation.one_to_many:
            continue
        rows = model._default_manager.filter(**{relation.field.name: merged})
        try:
            with transaction.atomic():
                count = rows.update(**{relation.field.name: survivor})
        except IntegrityError as exc:
            raise MergeError(
                f"Both records have {model._meta.verbose_name_plural} that cannot be combined: finish or remove "
                "the duplicate's one first (an intake in progress, for example)."
            ) from exc
        if count:
            moved[str(model._meta.verbose_name_plural)] = count
    filled = []
    for name in Patient.RECORD_FIELDS:
        if not getattr(survivor, name) and getattr(merged, name):
            setattr(survivor, name, getattr(merged, name))
            filled.append(name)
    if merged.user_id:
        survivor.user_id, merged.user_id = merged.user_id, None
    merged.merged_into = survivor
    merged.merged_at = timezone.now()
    merged.save(update_fields=["merged_into", "merged_at", "user", "updated_at"])
    survivor.full_clean()
    survivor.save()
    summary = ", ".join(f"{count} {kind}" for kind, count in sorted(moved.items())) or "no rows"
    summary += f"; filled {', '.join(filled)}" if filled else ""
    for record, detail in (  # an audit row on each record
        (survivor, f"merged record #{merged.pk} into this one: {summary}"),
        (merged, f"merged into record #{survivor.pk}"),
    ):
        audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=record, request=request, detail=detail)
    return moved


def user_sessions_end(*, user, actor, request=None, reason: str = "") -> int:
    """End every session of `user` (all browsers and devices); answer how many were ended.

    Sessions are found through allauth.usersessions, which records each one at login.
    """
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
        update_audited(user, {"is_active": False}, actor=actor, request=request, detail="deactivated")
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


@transaction.atomic
def patient_language_set(*, patients: list[Patient], language: str, actor, request=None) -> int:
    """Store the language a patient (and the children a guardian acts for) reads, for their pages and every later
    e-mail, reminders included; answer how many records changed. `language` must be one the site offers."""
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise ValidationError({"language": "Choose one of the languages offered."})
    changed = 0
    for patient in patients:
        if patient.language != language:
            update_audited(
                patient,
                {"language": language},
                actor=actor,
                request=request,
                detail=f"language: {language}",
                also=("updated_at",),
            )
            changed += 1
    return changed
