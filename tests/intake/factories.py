"""Intake and consent rows for tests, made through the services so they obey the same rules."""

from __future__ import annotations

import datetime as dt

from intake import consent_text, services
from intake.models import ConsentSignature, ConsentVersion, IntakeSubmission, Questionnaire
from intake.questionnaire_data import DEFINITIONS

ABOUT = {
    "preferred_name": "",
    "date_of_birth": "1985-06-15",
    "sex": "female",
    "phone": "(555) 010-1234",
    "email": "someone@example.com",
    "address_line1": "1 Main Street",
    "city": "Portland",
    "region": "ME",
    "postal_code": "04101",
    "emergency_contact_name": "Pat Doe",
    "emergency_contact_phone": "(555) 019-0000",
    "emergency_contact_relationship": "Partner",
    "family_physician": "",
}
VISIT = {
    "complaint": "Stiff neck",
    "complaint_area": "neck",
    "onset": "Two weeks ago",
    "cause": "gradual",
    "cause_detail": "",
    "other_complaints": "",
    "pain_now": "4",
    "pain_regions": ["neck_back", "shoulder_back_left"],
}
HEALTH = {
    "conditions": ["none"],
    "conditions_other": "",
    "medications": "",
    "anticoagulants": "no",
    "allergies": "",
    "surgeries": "",
    "pregnant": "no",
}


def red_flags(*yes: str) -> dict:
    from intake.content import RED_FLAGS

    answers = {code: ("yes" if code in yes else "no") for code, _q, _a in RED_FLAGS}
    answers["details"] = ""
    return answers


def outcome_post(code: str = "ndi", **answers) -> dict:
    """Form data answering every item of questionnaire `code`: `answers` where given ("skip" skips one), else 0.
    The default is the NDI with pain 3, reading 2 and headaches skipped: 9 items, total 5, 11.1 %."""
    definition = next(d for d in DEFINITIONS if d["code"] == code)
    chosen = {"pain": 3, "reading": 2, "headaches": "skip"} if not answers and code == "ndi" else answers
    return {item["code"]: str(chosen.get(item["code"], 0)) for item in definition["items"]}


def outcome_answers(code: str = "ndi", **answers) -> dict:
    """The cleaned answers of `outcome_post` (as the step form gives them to the service)."""
    return {k: (v if v == "skip" else int(v)) for k, v in outcome_post(code, **answers).items()}


# What each intake step's form posts, valid (red flags all "no", the default NDI answers).
STEP_POSTS = {
    "about": ABOUT,
    "visit": VISIT,
    "health": HEALTH,
    "redflags": red_flags(),
    "outcome": outcome_post(),
}


def load_questionnaires() -> dict[str, Questionnaire]:
    return {d["code"]: services.questionnaire_load(definition=d) for d in DEFINITIONS}


def consent_version(version: int = 1, *, active: bool = True, text: str | None = None) -> ConsentVersion:
    row = services.consent_version_create(
        title=consent_text.TITLE,
        version=version,
        effective_date=dt.date(2026, 1, 1),
        text=text if text is not None else consent_text.V1_TEXT + f"\n(version {version})",
        risks=consent_text.RISKS,
    )
    if active:
        row = services.consent_version_activate(version=row)
    return row


def spanish_consent_version(
    version: int = 3, *, active: bool = True, text: str | None = None, **extra
) -> ConsentVersion:
    """The Spanish text of the default consent (a demo translation, as the demo seeds it), as its own version."""
    row = services.consent_version_create(
        title=consent_text.ES_TITLE,
        version=version,
        effective_date=dt.date(2026, 6, 1),
        text=text or consent_text.ES_V2_TEXT,
        risks=consent_text.ES_RISKS,
        language="es",
        translation_note=consent_text.ES_TRANSLATION_NOTE,
        **extra,
    )
    return services.consent_version_activate(version=row) if active else row


def sign(patient, version: ConsentVersion, *, cervical: bool = True, **extra) -> ConsentSignature:
    kwargs = {
        "patient": patient,
        "version": version,
        "text_sha256_shown": version.sha256,
        "read_to_end": True,
        "risks_acknowledged": [r["code"] for r in version.risks],
        "cervical_consent": cervical,
        "signer_name": patient.full_name,
    }
    kwargs.update(extra)
    return services.consent_sign(**kwargs)


def draft(patient, *, steps: tuple[str, ...] = ()) -> IntakeSubmission:
    """A draft with the given steps saved with valid answers (through the step forms)."""
    from intake.forms import STEP_FORMS, OutcomeForm

    submission = services.intake_start(patient=patient)
    # The about-you answers are the patient's own date of birth and sex: submitting copies them to the record.
    about = dict(ABOUT, date_of_birth=patient.date_of_birth.isoformat(), sex=patient.sex)
    answers = {"about": about, "visit": VISIT, "health": HEALTH, "redflags": red_flags()}
    for step in steps:
        if step == "outcome":
            form = OutcomeForm(data=outcome_post(), questionnaire=submission.questionnaire)
        else:
            form = STEP_FORMS[step](data=answers[step])
        assert form.is_valid(), form.errors
        submission = services.intake_save_step(submission=submission, step=step, answers=form.cleaned_data)
    return submission


def submitted(patient, *, flags: tuple[str, ...] = ()) -> IntakeSubmission:
    from intake.forms import STEP_FORMS

    submission = draft(patient, steps=("about", "visit", "health"))
    form = STEP_FORMS["redflags"](data=red_flags(*flags))
    assert form.is_valid(), form.errors
    submission = services.intake_save_step(submission=submission, step="redflags", answers=form.cleaned_data)
    submission = services.intake_save_step(submission=submission, step="outcome", answers=outcome_answers())
    return services.intake_submit(submission=submission)
