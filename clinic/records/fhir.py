"""A patient's record as a FHIR R4 `Bundle` (type collection), built from the records export.

Resources: Patient, Practitioner, Location, Appointment, Encounter (one per attended visit), QuestionnaireResponse
(each submitted intake), Observation (pain 0-10 and NDI/ODI scores), Consent (the signed version's SHA-256 as an
identifier) and DocumentReference (each signed note, its PDF attached). The resources use only elements that are
the same in R4 (4.0.1) and R4B (4.3.0); the tests validate them with `fhir.resources.R4B`.
Entries are identified by `urn:uuid:` full URLs, stable for the same clinic object, and reference each other by them.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import uuid
from typing import Any

from django.utils import timezone

from clinic.models import Location, Practitioner
from clinic.records import pdf

NAMESPACE = uuid.UUID("8f7e2a0c-3b5d-4c1e-9a57-1d2f3e4a5b6c")
SYSTEM = "urn:sot-clinic"  # identifier systems: urn:sot-clinic:<kind>
GENDER = {"female": "female", "male": "male", "intersex": "other", "undisclosed": "unknown"}
APPOINTMENT_STATUS = {
    "booked": "booked",
    "checked_in": "checked-in",
    "in_treatment": "arrived",
    "completed": "fulfilled",
    "cancelled": "cancelled",
    "no_show": "noshow",
}
ENCOUNTER_STATUS = {"checked_in": "arrived", "in_treatment": "in-progress", "completed": "finished"}
LOINC_PAIN = {"system": "http://loinc.org", "code": "72514-3", "display": "Pain severity - 0-10 verbal numeric rating"}
# The record's two pain ratings (0-10): the entry's prefix, the identifier's kind, what the rating is.
PAIN_INTAKE = ("intake-pain", "intake-pain", "Pain right now (intake)")
PAIN_VISIT = ("note-pain", "visit-pain", "Pain today (visit)")


def full_url(kind: str, pk: Any) -> str:
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{kind}/{pk}')}"


def _ref(kind: str, pk: Any, display: str = "") -> dict:
    ref = {"reference": full_url(kind, pk)}
    if display:
        ref["display"] = display
    return ref


def _when(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _ident(kind: str, value: Any) -> list[dict]:
    return [{"system": f"{SYSTEM}:{kind}", "value": str(value)}]


def _patient(p: dict) -> dict:
    resource = {
        "resourceType": "Patient",
        "identifier": _ident("patient", p["id"]),
        "name": [{"family": p["last_name"], "given": [p["first_name"]]}],
        "gender": GENDER.get(p["sex"], "unknown"),
        "birthDate": _when(p["date_of_birth"]),
    }
    if p.get("preferred_name"):
        resource["name"].append({"use": "nickname", "given": [p["preferred_name"]]})
    telecom = [{"system": "email", "value": p["email"]}] if p.get("email") else []
    if p.get("phone"):
        telecom.append({"system": "phone", "value": p["phone"]})
    if telecom:
        resource["telecom"] = telecom
    lines = [x for x in (p.get("address_line1"), p.get("address_line2")) if x]
    if lines or p.get("city"):
        address = {"line": lines} if lines else {}
        for key, name in (("city", "city"), ("region", "state"), ("postal_code", "postalCode")):
            if p.get(key):
                address[name] = p[key]
        resource["address"] = [address]
    if p.get("emergency_contact_name"):
        contact = {"name": {"text": p["emergency_contact_name"]}}
        if p.get("emergency_contact_relationship"):
            contact["relationship"] = [{"text": p["emergency_contact_relationship"]}]
        if p.get("emergency_contact_phone"):
            contact["telecom"] = [{"system": "phone", "value": p["emergency_contact_phone"]}]
        resource["contact"] = [contact]
    return resource


def _practitioner(practitioner: Practitioner) -> dict:
    resource = {
        "resourceType": "Practitioner",
        "identifier": _ident("practitioner", practitioner.pk),
        "name": [{"text": practitioner.display_name}],
    }
    if practitioner.credentials:
        resource["qualification"] = [{"code": {"text": practitioner.credentials}}]
    return resource


def _location(location: Location) -> dict:
    address = {"line": [x for x in (location.address_line1, location.address_line2) if x], "city": location.city}
    if location.region:
        address["state"] = location.region
    if location.postal_code:
        address["postalCode"] = location.postal_code
    resource = {
        "resourceType": "Location",
        "identifier": _ident("location", location.pk),
        "name": location.name,
        "address": address,
    }
    if location.phone:
        resource["telecom"] = [{"system": "phone", "value": location.phone}]
    return resource


def _answer(value) -> list[dict]:
    if isinstance(value, bool):
        return [{"valueBoolean": value}]
    if isinstance(value, int):
        return [{"valueInteger": value}]
    if isinstance(value, list):
        return [a for v in value for a in _answer(v)]
    if value in (None, ""):
        return []
    return [{"valueString": str(value)}]


def _questionnaire_response(submission: dict, patient_ref: dict) -> dict:
    items = []
    for step, values in (submission.get("answers") or {}).items():
        if not isinstance(values, dict):
            continue
        inner = []
        for key, value in values.items():
            answers = _answer(value)
            if answers:
                inner.append({"linkId": f"{step}.{key}", "text": key.replace("_", " "), "answer": answers})
        if inner:
            items.append({"linkId": step, "text": step.replace("_", " "), "item": inner})
    resource = {
        "resourceType": "QuestionnaireResponse",
        "identifier": _ident("intake", submission["id"])[0],
        "status": "completed",
        "subject": patient_ref,
        "authored": _when(submission["submitted_at"]),
        "item": items,
    }
    return resource


def _observation(kind: str, pk: Any, *, patient_ref, code: dict, when, value: int, extra=None) -> dict:
    resource = {
        "resourceType": "Observation",
        "identifier": _ident(kind, pk),
        "status": "final",
        "code": code,
        "subject": patient_ref,
        "effectiveDateTime": _when(when),
        "valueInteger": value,
    }
    resource.update(extra or {})
    return resource


def _pain_entry(rating: tuple[str, str, str], pk: Any, patient_ref: dict, *, when, value: int, extra: dict) -> tuple:
    """One of the pain ratings (PAIN_INTAKE, PAIN_VISIT) as the bundle's Observation entry."""
    prefix, kind, text = rating
    code = {"coding": [LOINC_PAIN], "text": text}
    resource = _observation(kind, pk, patient_ref=patient_ref, code=code, when=when, value=value, extra=extra)
    return "Observation", f"{prefix}-{pk}", resource


def bundle(data: dict) -> dict:
    """The Bundle of the patient of `data` (what `clinic.services.patient_export` returned)."""
    records = data["records"]
    core = records["clinic"]
    intake = records.get("intake", {})
    appointments = records.get("scheduling", {}).get("appointments", [])
    patient = core["patient"]
    patient_ref = _ref("Patient", patient["id"], f"{patient['first_name']} {patient['last_name']}")
    entries: list[tuple[str, Any, dict]] = [("Patient", patient["id"], _patient(patient))]

    practitioner_ids = {a["practitioner_id"] for a in appointments} | {
        n["practitioner_id"] for n in core["visit_notes"]
    }
    for practitioner in Practitioner.objects.filter(pk__in=practitioner_ids).order_by("pk"):
        entries.append(("Practitioner", practitioner.pk, _practitioner(practitioner)))
    for location in Location.objects.filter(pk__in={a["location_id"] for a in appointments}).order_by("pk"):
        entries.append(("Location", location.pk, _location(location)))

    encounter_of = {}
    for a in appointments:
        practitioner_ref = _ref("Practitioner", a["practitioner_id"], a["practitioner"])
        location_ref = _ref("Location", a["location_id"], a["location"])
        participants = [
            {"actor": patient_ref, "status": "accepted"},
            {"actor": practitioner_ref, "status": "accepted"},
            {"actor": location_ref, "status": "accepted"},
        ]
        appointment = {
            "resourceType": "Appointment",
            "identifier": _ident("appointment", a["uid"]),
            "status": APPOINTMENT_STATUS.get(a["status"], "booked"),
            "serviceType": [{"text": a["type"]}],
            "start": _when(a["start"]),
            "end": _when(a["end"]),
            "created": _when(timezone.localdate(a["created_at"])) if a.get("created_at") else None,
            "participant": participants,
        }
        if a.get("cancellation_reason"):
            appointment["cancelationReason"] = {"text": a["cancellation_reason"]}
        entries.append(("Appointment", a["id"], {k: v for k, v in appointment.items() if v is not None}))
        if a["status"] in ENCOUNTER_STATUS:
            encounter_of[a["id"]] = full_url("Encounter", a["id"])
            entries.append(
                (
                    "Encounter",
                    a["id"],
                    {
                        "resourceType": "Encounter",
                        "identifier": _ident("visit", a["uid"]),
                        "status": ENCOUNTER_STATUS[a["status"]],
                        "class": {
                            "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                            "code": "AMB",
                            "display": "ambulatory",
                        },
                        "type": [{"text": a["type"]}],
                        "subject": patient_ref,
                        "participant": [{"individual": practitioner_ref}],
                        "appointment": [_ref("Appointment", a["id"])],
                        "period": {"start": _when(a["start"]), "end": _when(a["end"])},
                        "location": [{"location": location_ref}],
                    },
                )
            )

    for s in intake.get("submissions", []):
        if not s.get("submitted_at"):
            continue
        entries.append(("QuestionnaireResponse", s["id"], _questionnaire_response(s, patient_ref)))
        pain = ((s.get("answers") or {}).get("visit") or {}).get("pain_now")
        if isinstance(pain, int):
            derived = {"derivedFrom": [_ref("QuestionnaireResponse", s["id"])]}
            entries.append(
                _pain_entry(PAIN_INTAKE, s["id"], patient_ref, when=s["submitted_at"], value=pain, extra=derived)
            )
        score = s.get("outcome_score")
        if score:
            extra = {"derivedFrom": [_ref("QuestionnaireResponse", s["id"])]}
            if score.get("band"):
                extra["interpretation"] = [{"text": score["band"]}]
            if score.get("percent") is not None:
                extra["component"] = [
                    {
                        "code": {"text": "percent of the maximum"},
                        "valueQuantity": {
                            "value": float(score["percent"]),
                            "unit": "%",
                            "system": "http://unitsofmeasure.org",
                            "code": "%",
                        },
                    }
                ]
            entries.append(
                (
                    "Observation",
                    f"score-{s['id']}",
                    _observation(
                        "outcome-score",
                        s["id"],
                        patient_ref=patient_ref,
                        code={"text": f"{score['questionnaire'].upper()} total score"},
                        when=score["scored_at"],
                        value=score["total"],
                        extra=extra,
                    ),
                )
            )

    for c in intake.get("consent_signatures", []):
        provision = {"type": "permit"}
        if not c["cervical_consent"]:
            provision["provision"] = [{"type": "deny", "code": [{"text": "neck (cervical) procedures"}]}]
        text = c["version_text"] or ""
        entries.append(
            (
                "Consent",
                c["id"],
                {
                    "resourceType": "Consent",
                    "identifier": [
                        *_ident("consent-signature", c["id"]),
                        {"system": f"{SYSTEM}:consent-text-sha256", "value": c["text_sha256"]},
                    ],
                    "status": "inactive" if c["withdrawn_at"] else "active",
                    "scope": {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/consentscope",
                                "code": "treatment",
                                "display": "Treatment",
                            }
                        ]
                    },
                    "category": [{"text": f"{c['version_title']} (version {c['version']})"}],
                    "patient": patient_ref,
                    "dateTime": _when(c["signed_at"]),
                    "performer": [{"display": f"{c['signer_name']} ({c['signer_role']})"}],
                    "sourceAttachment": {
                        "contentType": "text/plain; charset=utf-8",
                        "data": base64.b64encode(text.encode()).decode(),
                        "title": c["version_title"],
                    },
                    "policyRule": {"text": "Risks acknowledged: " + ", ".join(c["risks_acknowledged"] or [])},
                    "provision": provision,
                },
            )
        )

    for n in core["visit_notes"]:
        if n["status"] != "signed":
            continue
        note_pdf = pdf.note_pdf(data, n["id"])
        appointment_id = n["appointment_id"]
        context = {"period": {"start": _when(n["signed_at"])}}
        if appointment_id in encounter_of:
            context["encounter"] = [{"reference": encounter_of[appointment_id]}]
        entries.append(
            (
                "DocumentReference",
                n["id"],
                {
                    "resourceType": "DocumentReference",
                    "identifier": [
                        *_ident("visit-note", n["id"]),
                        {"system": f"{SYSTEM}:visit-note-sha256", "value": n["content_sha256"]},
                    ],
                    "status": "current",
                    "docStatus": "final",
                    "type": {"text": "Chiropractic visit note (SOAP)"},
                    "subject": patient_ref,
                    "date": _when(n["signed_at"]),
                    "author": [_ref("Practitioner", n["practitioner_id"], n["practitioner"])],
                    "authenticator": {"display": n["signed_by"]},
                    "description": n["content"].get("chief_complaint") or "Visit note",
                    "content": [
                        {
                            "attachment": {
                                "contentType": "application/pdf",
                                "data": base64.b64encode(note_pdf).decode(),
                                "size": len(note_pdf),
                                "hash": base64.b64encode(hashlib.sha1(note_pdf).digest()).decode(),
                                "title": f"Visit note {n['id']}.pdf",
                                "creation": _when(n["signed_at"]),
                            }
                        }
                    ],
                    "context": context,
                },
            )
        )
        pain = n["content"].get("pain_today")
        if pain is not None:
            extra = {"encounter": {"reference": encounter_of[appointment_id]}} if appointment_id in encounter_of else {}
            entries.append(_pain_entry(PAIN_VISIT, n["id"], patient_ref, when=n["signed_at"], value=pain, extra=extra))

    return {
        "resourceType": "Bundle",
        "identifier": {"system": f"{SYSTEM}:export", "value": str(uuid.uuid4())},
        "type": "collection",
        "timestamp": _when(data["exported_at"]),
        "entry": [{"fullUrl": full_url(kind, pk), "resource": resource} for kind, pk, resource in entries],
    }
