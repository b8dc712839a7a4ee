"""Reads of the core that more than one view needs."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.db.models import Q, QuerySet

from clinic.models import AuditEvent, Location, Patient, Practitioner, Room


def patients_search(query: str, *, limit: int = 25) -> QuerySet[Patient]:
    """Patients matching a name, a date of birth (YYYY-MM-DD) or a phone number fragment."""
    query = (query or "").strip()
    if not query:
        return Patient.objects.none()
    condition = Q()
    with contextlib.suppress(ValueError):
        condition |= Q(date_of_birth=dt.date.fromisoformat(query))
    digits = "".join(ch for ch in query if ch.isdigit())
    if len(digits) >= 3:
        condition |= Q(phone__contains=digits[-4:])
    for word in query.split():
        condition |= Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(preferred_name__icontains=word)
    return Patient.objects.filter(condition).order_by("last_name", "first_name")[:limit]


def practitioners_active() -> QuerySet[Practitioner]:
    return Practitioner.objects.filter(active=True).select_related("user").order_by("display_name")


def rooms_active() -> QuerySet[Room]:
    return Room.objects.filter(active=True, location__active=True).select_related("location")


def locations_active() -> QuerySet[Location]:
    return Location.objects.filter(active=True).order_by("name")


def audit_events_for_patient(patient: Patient) -> QuerySet[AuditEvent]:
    """Every audit row about one patient, newest first (who looked at or changed the record)."""
    return AuditEvent.objects.filter(patient_ref=patient.pk).select_related("actor").order_by("-at", "-id")


def _as_pk(raw) -> int | None:
    """An id from a URL or a form as an int, or None when it is not a plain decimal number."""
    text = str(raw) if raw is not None else ""
    return int(text) if text.isdecimal() and len(text) <= 18 else None


def patient_by_id(raw) -> Patient | None:
    pk = _as_pk(raw)
    return Patient.objects.filter(pk=pk).first() if pk is not None else None


def practitioner_active(raw) -> Practitioner | None:
    pk = _as_pk(raw)
    return practitioners_active().filter(pk=pk).first() if pk is not None else None
