"""Reads of visit notes and the patient chart, with related rows fetched up front (fixed query counts)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from clinic.models import NoteTemplate, Patient, Practitioner, VisitNote
from intake import selectors as intake_selectors
from scheduling import selectors as scheduling_selectors


@dataclass(frozen=True)
class DayRow:
    appointment: object
    flags: scheduling_selectors.Flags
    readiness: intake_selectors.Readiness
    note: VisitNote | None


def my_day(practitioner: Practitioner, day: dt.date) -> list[DayRow]:
    """The practitioner's appointments of `day` in order, each with its flags, paperwork state and note.

    A fixed number of queries whatever the number of appointments.
    """
    appointments = list(scheduling_selectors.appointments_for_day(day, practitioner_id=practitioner.pk))
    flags = scheduling_selectors.flags_for(appointments)
    readiness = intake_selectors.readiness_for_patients({a.patient_id for a in appointments})
    notes = {
        n.appointment_id: n
        for n in VisitNote.objects.filter(appointment_id__in=[a.pk for a in appointments]).only(
            "id", "appointment_id", "status", "signed_at"
        )
    }
    return [
        DayRow(
            appointment=a,
            flags=flags[a.pk],
            readiness=readiness.get(a.patient_id) or intake_selectors.Readiness(),
            note=notes.get(a.pk),
        )
        for a in appointments
    ]


def notes_unsigned(practitioner: Practitioner) -> QuerySet[VisitNote]:
    """The practitioner's drafts, oldest visit first."""
    return (
        VisitNote.objects.filter(practitioner=practitioner, status=VisitNote.Status.DRAFT)
        .select_related("patient", "appointment__appointment_type")
        .only(
            "id",
            "status",
            "patient__first_name",
            "patient__last_name",
            "appointment__start",
            "appointment__appointment_type__name",
        )
        .order_by("appointment__start", "pk")
    )


def note_detail(pk: int) -> VisitNote:
    return (
        VisitNote.objects.select_related(
            "patient",
            "practitioner",
            "appointment__appointment_type",
            "appointment__room__location",
            "signed_by",
            "consent_signature__version",
            "outcome_score__questionnaire",
            "copied_from__appointment",
        )
        .prefetch_related("addenda__author")
        .get(pk=pk)
    )


def note_templates_active() -> QuerySet[NoteTemplate]:
    return NoteTemplate.objects.filter(active=True).order_by("name")


def notes_for_patient(patient: Patient) -> QuerySet[VisitNote]:
    """Every note of the patient, newest visit first, with its addenda."""
    return (
        VisitNote.objects.filter(patient=patient)
        .select_related("practitioner", "appointment__appointment_type", "signed_by", "consent_signature__version")
        .prefetch_related("addenda__author")
        .order_by("-appointment__start", "-pk")
    )


def note_states_for_patient(patient: Patient) -> QuerySet[VisitNote]:
    """What the front desk may know of a patient's notes: which visit, whose, and its state. No content."""
    return (
        VisitNote.objects.filter(patient=patient)
        .select_related("practitioner", "appointment")
        .only(
            "id",
            "status",
            "signed_at",
            "practitioner__display_name",
            "practitioner__credentials",
            "appointment__start",
        )
        .order_by("-appointment__start", "-pk")
    )


# --- The chart ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    at: dt.datetime
    value: float
    source: str


def pain_points(patient: Patient, notes: list[VisitNote], submissions: list) -> list[Point]:
    """Pain (NRS 0-10) over time: the intake answers and each note's "pain today", oldest first."""
    points = []
    for submission in submissions:
        pain = ((submission.data or {}).get("visit") or {}).get("pain_now")
        if submission.submitted_at and pain not in (None, ""):
            try:
                points.append(Point(submission.submitted_at, float(pain), "intake"))
            except (TypeError, ValueError):
                continue
    for note in notes:
        if note.pain_today is not None:
            points.append(Point(note.appointment.start, float(note.pain_today), "visit note"))
    return sorted(points, key=lambda p: p.at)


# A change of 2 points on the 0-10 pain rating is meaningful (Ostelo et al., Spine 2008).
PAIN_MEANINGFUL_CHANGE = 2


def outcome_points(scores: list) -> dict[str, list[Point]]:
    """Outcome-measure percents per questionnaire (NDI, ODI ...), oldest first; unscored rows are left out."""
    series: dict[str, list[Point]] = {}
    for score in sorted(scores, key=lambda s: s.scored_at):
        if score.percent is None:
            continue
        series.setdefault(score.questionnaire.code.upper(), []).append(
            Point(score.scored_at, float(score.percent), score.questionnaire.title)
        )
    return series


def patient_chart(patient: Patient) -> dict:
    """Everything the chart page shows, in a fixed number of queries."""
    submissions = list(intake_selectors.intake_submissions(patient))
    latest = next((s for s in submissions if s.status == "submitted"), None)
    summary = intake_selectors.submission_summary(latest) if latest else None
    notes = list(notes_for_patient(patient))
    scores = list(intake_selectors.outcome_scores(patient))
    appointments = list(scheduling_selectors.appointments_for_patient(patient))
    notes_by_appointment = {n.appointment_id: n for n in notes}
    return {
        "readiness": intake_selectors.patient_readiness(patient),
        "open_flags": list(intake_selectors.red_flags_open(patient)),
        "submissions": submissions,
        "latest_submission": latest,
        "summary": summary,
        "signatures": list(intake_selectors.consent_signatures(patient)),
        "scores": scores,
        "visits": [(a, notes_by_appointment.get(a.pk)) for a in appointments],
        "notes": notes,
        "pain": pain_points(patient, notes, submissions),
        "outcomes": outcome_points(scores),
        "outcome_changes": {
            s.questionnaire.code.upper(): float(s.questionnaire.meaningful_change)
            for s in scores
            if s.questionnaire.meaningful_change is not None
        },
    }
