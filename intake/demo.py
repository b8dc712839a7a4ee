"""Demo data for intake and consent (called by seed_demo after clinic, before scheduling). Idempotent.

Consent versions 1 and 2 in English (2 active) and version 3, the Spanish text of version 2 (active for patients
who read Spanish, marked as a demo translation the clinic has not approved), the NDI- and ODI-style
questionnaires, and intakes for about half the demo patients: submitted and signed, one with red flags, one signed
on version 1 only (out of date), one minor signed by a parent, one intake in progress. Patients 1 and 2 are left
untouched to try the forms.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from clinic.demo import PATIENT_NAMES
from clinic.models import Patient
from intake import consent_text, content, services
from intake.forms import STEP_FORMS, OutcomeForm
from intake.models import ConsentSignature, ConsentVersion, IntakeSubmission, OutcomeScore
from intake.questionnaire_data import DEFINITIONS

NO_FLAGS = {code: "no" for code, _q, _a in content.RED_FLAGS}

# How long before today a back-dated patient's intake and consent were made (see PLAN, "days_ago").
PAPERWORK_DAYS_AGO = 30

# index in clinic.demo.PATIENT_NAMES (1-based) -> what the demo shows for that patient
PLAN = {
    3: {"area": "neck", "regions": ["neck_back", "shoulder_back_left"], "pain": 5, "consent": 2},
    4: {
        "area": "low_back",
        "regions": ["low_back", "buttock_left", "thigh_back_left"],
        "pain": 7,
        "consent": 2,
        "flags": ["night_pain", "leg_weakness"],
    },
    5: {"area": "low_back", "regions": ["low_back"], "pain": 4, "consent": 2, "cervical": False},
    6: {"area": "neck", "regions": ["neck_back", "head_back"], "pain": 3, "consent": 2},
    # Sophia Davis: the visit-notes demo's patient (clinic/notes_demo.py), so her paperwork is dated a month back,
    # before the first of her past visits.
    7: {
        "area": "low_back",
        "regions": ["low_back", "buttock_right"],
        "pain": 7,
        "consent": 2,
        "days_ago": PAPERWORK_DAYS_AGO,
    },
    8: {"area": "other", "regions": ["mid_back", "shoulder_back_right"], "pain": 4, "consent": 2},
    9: {"area": "low_back", "regions": ["low_back", "hip_right"], "pain": 5, "consent": 2},
    10: {"area": "neck", "regions": ["neck_back", "upper_back"], "pain": 4, "consent": 1},
    11: {"area": "neck", "regions": ["neck_back"], "pain": 6, "draft_until": "visit"},
    12: {"area": "low_back", "regions": ["low_back", "buttock_right"], "pain": 6, "consent": 2},
    16: {"area": "low_back", "regions": ["low_back"], "pain": 3, "consent": 2},
}


ENGLISH_VERSIONS = ((1, dt.date(2026, 1, 5), consent_text.V1_TEXT), (2, dt.date(2026, 6, 1), consent_text.V2_TEXT))


def _versions() -> tuple[ConsentVersion, ConsentVersion]:
    v1, v2 = (
        ConsentVersion.objects.filter(version=number).first()
        or services.consent_version_create(
            title=consent_text.TITLE, version=number, effective_date=effective, text=text, risks=consent_text.RISKS
        )
        for number, effective, text in ENGLISH_VERSIONS
    )
    return v1, v2


def _spanish_version() -> ConsentVersion:
    """Version 3: the Spanish text of version 2, marked as a demo translation not yet approved by the clinic."""
    return ConsentVersion.objects.filter(language="es").first() or services.consent_version_create(
        version=3, effective_date=dt.date(2026, 6, 1), **consent_text.ES_V2
    )


def _valid(step: str, data: dict, **kwargs) -> dict:
    form = OutcomeForm(data=data, **kwargs) if step == "outcome" else STEP_FORMS[step](data=data)
    if not form.is_valid():
        raise ValueError(f"demo {step} answers are invalid: {form.errors.as_json()}")
    return form.cleaned_data


def _fill(patient: Patient, plan: dict) -> None:
    draft = services.intake_start(patient=patient)
    about = {
        "preferred_name": "",
        "date_of_birth": patient.date_of_birth.isoformat(),
        "sex": patient.sex,
        "phone": patient.phone,
        "email": patient.email,
        "address_line1": patient.address_line1,
        "city": patient.city,
        "region": patient.region,
        "postal_code": patient.postal_code,
        "emergency_contact_name": patient.emergency_contact_name,
        "emergency_contact_phone": patient.emergency_contact_phone,
        "emergency_contact_relationship": patient.emergency_contact_relationship,
        "family_physician": "Dr. R. Patel, Harbour Family Practice",
    }
    draft = services.intake_save_step(submission=draft, step="about", answers=_valid("about", about))
    complaint = {"neck": "Stiff, aching neck", "low_back": "Low back pain", "other": "Pain between the shoulder blades"}
    visit = {
        "complaint": complaint[plan["area"]] + ", worse after long days at the desk.",
        "complaint_area": plan["area"],
        "onset": "About six weeks ago",
        "cause": "gradual",
        "cause_detail": "",
        "other_complaints": "",
        "pain_now": str(plan["pain"]),
        "pain_regions": plan["regions"],
    }
    draft = services.intake_save_step(submission=draft, step="visit", answers=_valid("visit", visit))
    if plan.get("draft_until") == "visit":
        return
    health = {
        "conditions": ["none"],
        "conditions_other": "",
        "medications": "Ibuprofen now and then",
        "anticoagulants": "no",
        "allergies": "",
        "surgeries": "",
        "pregnant": "not_applicable" if patient.sex == "male" else "no",
    }
    draft = services.intake_save_step(submission=draft, step="health", answers=_valid("health", health))
    flags = dict(NO_FLAGS, details="")
    for code in plan.get("flags", []):
        flags[code] = "yes"
    if plan.get("flags"):
        flags["details"] = "Pain wakes me most nights; my left leg feels weaker on stairs."
    draft = services.intake_save_step(submission=draft, step="redflags", answers=_valid("redflags", flags))
    outcome = {}
    if draft.questionnaire_id:
        items = list(draft.questionnaire.items.all())
        outcome = {item.code: str((plan["pain"] + n) % 4) for n, item in enumerate(items[:-1])}
        outcome[items[-1].code] = "skip"  # one left out on purpose: still scored (out of the other nine)
    answers = _valid("outcome", outcome, questionnaire=draft.questionnaire)
    draft = services.intake_save_step(submission=draft, step="outcome", answers=answers)
    services.intake_submit(submission=draft)


def _sign(patient: Patient, version: ConsentVersion, plan: dict) -> None:
    if not version.active:
        services.consent_version_activate(version=version)
    minor = patient.is_minor()
    services.consent_sign(
        patient=patient,
        version=version,
        text_sha256_shown=version.sha256,
        read_to_end=True,
        risks_acknowledged=[r["code"] for r in version.risks],
        cervical_consent=plan.get("cervical", True),
        signer_name=patient.guardian_name if minor else patient.full_name,
        signer_role=ConsentSignature.SignerRole.PARENT if minor else ConsentSignature.SignerRole.PATIENT,
        guardian_relationship=patient.guardian_relationship if minor else "",
        actor=_guardian_account(patient) if minor else None,  # Morgan Harris signed Theo's from their account
    )


def _guardian_account(patient: Patient):
    link = patient.guardian_links.filter(ended_at__isnull=True).select_related("guardian").first()
    return link.guardian if link is not None else None


def _back_date(patient: Patient, days_ago: int) -> None:
    """Date a demo patient's consent, intake and its score `days_ago` days back, at 10:00 (demo rows only: the
    services date what they write now)."""
    when = timezone.make_aware(dt.datetime.combine(timezone.localdate() - dt.timedelta(days=days_ago), dt.time(10)))
    ConsentSignature.objects.filter(patient=patient).update(signed_at=when - dt.timedelta(minutes=20))
    IntakeSubmission.objects.filter(patient=patient).update(
        created_at=when - dt.timedelta(minutes=15), updated_at=when, submitted_at=when
    )
    OutcomeScore.objects.filter(patient=patient).update(scored_at=when)


@transaction.atomic
def seed(stdout=None) -> None:
    for definition in DEFINITIONS:
        services.questionnaire_load(definition=definition)
    v1, v2 = _versions()
    # Version-1 signatures first (while version 1 is active), then version 2 becomes the current one.
    for consent_version in (v1, v2):
        for index, plan in PLAN.items():
            if plan.get("consent") != consent_version.version:
                continue
            first, last, born, _sex = PATIENT_NAMES[index - 1]
            patient = Patient.objects.filter(
                first_name=first, last_name=last, date_of_birth=dt.date.fromisoformat(born)
            ).first()
            if patient is None or patient.consent_signatures.exists():
                continue
            _sign(patient, consent_version, plan)
    if not v2.active:
        services.consent_version_activate(version=v2)
    v3 = _spanish_version()
    if not v3.active:
        services.consent_version_activate(version=v3)
    for index, plan in PLAN.items():
        first, last, born, _sex = PATIENT_NAMES[index - 1]
        patient = Patient.objects.filter(
            first_name=first, last_name=last, date_of_birth=dt.date.fromisoformat(born)
        ).first()
        if patient is None or IntakeSubmission.objects.filter(patient=patient).exists():
            continue
        _fill(patient, plan)
        if plan.get("days_ago"):
            _back_date(patient, plan["days_ago"])
    if stdout:
        stdout.write(
            f"intake: {IntakeSubmission.objects.count()} intakes, "
            f"{ConsentSignature.objects.count()} consent signatures, consent versions {v2.version} (English) and "
            f"{v3.version} (Spanish, a demo translation) active"
        )
