"""Reads of the core that more than one view needs."""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import unicodedata

from django.db.models import Q, QuerySet

from clinic.models import AuditEvent, Location, Patient, Practitioner, Room
from clinic.permissions import family_patient_ids


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
    return Patient.objects.filter(condition, merged_into__isnull=True).order_by("last_name", "first_name")[:limit]


def _name_key(text: str) -> str:
    """A name as compared for duplicates: accents, case, spaces and punctuation dropped ("Zoë O'Neil" -> "zoeoneil")."""
    plain = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.casefold() if ch.isalnum())


def _digits(text: str) -> str:
    return "".join(ch for ch in text or "" if ch.isdigit())


def names_similar(first_a: str, last_a: str, first_b: str, last_b: str) -> bool:
    """Similar enough to be the same person with the same date of birth: the same last name and first names that
    agree on their first letter (Bob / Robert does not; Kate / Katherine does), or full names within a typo or
    two, or first and last name swapped."""
    fa, la, fb, lb = (_name_key(n) for n in (first_a, last_a, first_b, last_b))
    if not (fa and la and fb and lb):
        return False
    if la == lb and fa[0] == fb[0]:
        return True
    if (fa, la) == (lb, fb):
        return True
    return difflib.SequenceMatcher(None, fa + la, fb + lb).ratio() >= 0.85


def patient_duplicates(
    *,
    first_name: str,
    last_name: str,
    date_of_birth: dt.date | None,
    email: str = "",
    phone: str = "",
    exclude_pk: int | None = None,
) -> list[Patient]:
    """Records that are likely the same person: the same date of birth and a similar name, or the same e-mail
    address, or the same phone number (digits compared). Merged records are left out."""
    digits = _digits(phone)
    condition = Q()
    if date_of_birth:
        condition |= Q(date_of_birth=date_of_birth)
    if email:
        condition |= Q(email__iexact=email.strip())
    if len(digits) >= 7:
        condition |= Q(phone__contains=digits[-4:])
    if not condition:
        return []
    found = []
    for other in Patient.objects.filter(condition, merged_into__isnull=True).exclude(pk=exclude_pk).order_by("pk"):
        same_email = bool(email) and other.email.strip().casefold() == email.strip().casefold()
        same_phone = len(digits) >= 7 and _digits(other.phone)[-10:] == digits[-10:]
        same_person = other.date_of_birth == date_of_birth and names_similar(
            first_name, last_name, other.first_name, other.last_name
        )
        if same_email or same_phone or same_person:
            found.append(other)
    return found


def duplicates_of(patient: Patient) -> list[Patient]:
    """Other active records that look like this patient's (for the merge page)."""
    return patient_duplicates(
        first_name=patient.first_name,
        last_name=patient.last_name,
        date_of_birth=patient.date_of_birth,
        email=patient.email,
        phone=patient.phone,
        exclude_pk=patient.pk,
    )


def practitioners_active() -> QuerySet[Practitioner]:
    return Practitioner.objects.filter(active=True).select_related("user").order_by("display_name")


def rooms_active() -> QuerySet[Room]:
    return Room.objects.filter(active=True, location__active=True).select_related("location")


def locations_active() -> QuerySet[Location]:
    return Location.objects.filter(active=True).order_by("name")


def audit_events_for_patient(patient: Patient) -> QuerySet[AuditEvent]:
    """Every audit row about one patient, newest first (who looked at or changed the record)."""
    return (
        AuditEvent.objects.filter(patient_ref__in=patient_ids_with_aliases(patient))
        .select_related("actor")
        .order_by("-at", "-id")
    )


def patient_ids_with_aliases(patient: Patient) -> list[int]:
    """The patient's id and the ids of every record merged into it (audit rows keep the id they were written
    with, so the merged ids stay aliases of the survivor in the access log and the export)."""
    ids, frontier = [patient.pk], [patient.pk]
    while frontier:
        frontier = list(Patient.objects.filter(merged_into__in=frontier).values_list("pk", flat=True))
        ids += frontier
    return ids


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


def family_patients(user) -> list[Patient]:
    """The records a login acts for as a patient: their own and their children's (none for staff and visitors)."""
    ids = family_patient_ids(user)
    return list(Patient.objects.filter(pk__in=ids).order_by("pk")) if ids else []
