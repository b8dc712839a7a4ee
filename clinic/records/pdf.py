"""PDFs of a patient's record (WeasyPrint): a signed visit note, a consent signature, an intake summary, and
the whole record for a date range. Every page carries the clinic's name, the patient's name and date of birth,
page x of y and the time the PDF was produced.

Input is the dict `clinic.services.patient_export` returns; see `clinic.records.services` for the audited calls.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinic.models import Patient, VisitNote

NOTE_LABELS = {name: VisitNote._meta.get_field(name).verbose_name for name in VisitNote.CONTENT_FIELDS}
NOTE_CHOICES = {
    name: dict(VisitNote._meta.get_field(name).choices or ())
    for name in VisitNote.CONTENT_FIELDS
    if VisitNote._meta.get_field(name).choices
}
SEX_LABELS = dict(Patient.Sex.choices)
DIAGRAM_STYLE = ".region{fill:#eeeeee;stroke:#777777;stroke-width:0.6}.region.marked{fill:#c0392b;stroke:#7b241c}"


class RecordNotFound(LookupError):
    """The asked-for note, signature or intake is not in this patient's record (or is not signed)."""


def _shown(value: Any) -> str:
    if value is None or value == "":
        return ""
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    if isinstance(value, list):
        parts = []
        for item in value:
            if isinstance(item, dict):
                parts.append(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in item.items() if v not in ("", None)))
            else:
                parts.append(str(item))
        return "; ".join(p for p in parts if p)
    if isinstance(value, dict):
        return ", ".join(f"{k.replace('_', ' ')}: {_shown(v)}" for k, v in value.items() if v not in ("", None, []))
    return str(value)


def _note_rows(note: dict) -> list[tuple[str, str]]:
    rows = []
    for name in VisitNote.CONTENT_FIELDS:
        value = note["content"].get(name)
        if name in NOTE_CHOICES and value:
            value = NOTE_CHOICES[name].get(value, value)
        text = _shown(value)
        if text:
            label = str(NOTE_LABELS[name])
            rows.append((label[:1].upper() + label[1:], text))
    return rows


# The intake form's steps as the record PDF names its sections (the step keys as they read before, now marked).
INTAKE_SECTION_NAMES = {
    "about": gettext_lazy("About"),
    "visit": gettext_lazy("Visit"),
    "health": gettext_lazy("Health"),
    "redflags": gettext_lazy("Redflags"),
    "outcome": gettext_lazy("Outcome"),
}


def _section_name(step: str) -> str:
    name = INTAKE_SECTION_NAMES.get(step)
    return str(name) if name is not None else step.replace("_", " ").capitalize()


def _answer_sections(answers: dict) -> list[tuple[str, list[tuple[str, str]]]]:
    sections = []
    for step, values in (answers or {}).items():
        if not isinstance(values, dict):
            continue
        rows = [
            (key.replace("_", " ").capitalize(), _shown(value))
            for key, value in values.items()
            if key != "pain_regions" and _shown(value)
        ]
        if rows:
            sections.append((_section_name(step), rows))
    return sections


def _in_range(when, start: dt.date | None, end: dt.date | None) -> bool:
    if when is None:
        return start is None and end is None
    day = timezone.localdate(when) if isinstance(when, dt.datetime) else when
    return (start is None or day >= start) and (end is None or day <= end)


def _find(items: list[dict], item_id: int) -> dict:
    for item in items:
        if item["id"] == item_id:
            return item
    raise RecordNotFound(item_id)


def _intake_view(submission: dict) -> dict:
    answers = submission.get("answers") or {}
    return {
        **submission,
        "regions": (answers.get("visit") or {}).get("pain_regions") or [],
        "sections": _answer_sections(answers),
    }


def _note_view(note: dict) -> dict:
    return {**note, "rows": _note_rows(note)}


def _render(data: dict, *, title: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # loaded on use: it pulls in Pango

    patient = data["records"]["clinic"]["patient"]
    html = render_to_string(
        "records/record.html",
        {
            "title": title,
            "clinic_name": data["clinic"],
            "patient": patient,
            "sex": str(SEX_LABELS.get(patient.get("sex"), "")),
            "produced_at": timezone.localtime(timezone.now()),
            **context,
        },
    )
    # WeasyPrint draws inline SVG with the SVG's own styles only: give the body diagram's figures theirs.
    html = html.replace('class="body-diagram__svg">', f'class="body-diagram__svg"><style>{DIAGRAM_STYLE}</style>')
    return HTML(string=html).write_pdf()


def note_pdf(data: dict, note_id: int) -> bytes:
    """One signed visit note with its addenda, signer, signing time and SHA-256."""
    note = _find(data["records"]["clinic"]["visit_notes"], note_id)
    if note["status"] != VisitNote.Status.SIGNED:
        raise RecordNotFound(note_id)
    return _render(data, title=_("Visit note"), context={"notes": [_note_view(note)]})


def consent_pdf(data: dict, signature_id: int) -> bytes:
    """One consent signature: the exact text the patient saw, acknowledgements, scope and signer."""
    signature = _find(data["records"].get("intake", {}).get("consent_signatures", []), signature_id)
    return _render(data, title=_("Consent to care"), context={"consents": [signature]})


def intake_pdf(data: dict, submission_id: int) -> bytes:
    """One intake: answers, the body diagram of where it hurts, and the outcome score."""
    submission = _find(data["records"].get("intake", {}).get("submissions", []), submission_id)
    return _render(data, title=_("Intake summary"), context={"intakes": [_intake_view(submission)]})


def record_pdf(data: dict, *, start: dt.date | None = None, end: dt.date | None = None) -> bytes:
    """The whole record between `start` and `end` (inclusive, either may be open): demographics, consents,
    intakes, signed notes and appointments."""
    records = data["records"]
    intake = records.get("intake", {})
    scheduling = records.get("scheduling", {})
    notes = [
        _note_view(n)
        for n in records["clinic"]["visit_notes"]
        if n["status"] == VisitNote.Status.SIGNED and _in_range(n["signed_at"], start, end)
    ]
    return _render(
        data,
        title=_("Patient record"),
        context={
            "whole": True,
            "start": start,
            "end": end,
            "consents": [c for c in intake.get("consent_signatures", []) if _in_range(c["signed_at"], start, end)],
            "intakes": [
                _intake_view(s)
                for s in intake.get("submissions", [])
                if s["submitted_at"] and _in_range(s["submitted_at"], start, end)
            ],
            "notes": notes,
            "appointments": [a for a in scheduling.get("appointments", []) if _in_range(a["start"], start, end)],
        },
    )
