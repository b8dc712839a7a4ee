"""Reads of visit notes and the patient chart, with related rows fetched up front (fixed query counts)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from clinic.careplans import selectors as careplan_selectors
from clinic.careplans import trend as careplan_trend
from clinic.models import NoteTemplate, PainScale, Patient, PlanQuestionnaire, Practitioner, VisitNote
from intake import selectors as intake_selectors
from intake.models import Questionnaire
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


def _note_with_related():
    return VisitNote.objects.select_related(
        "patient",
        "practitioner",
        "appointment__appointment_type",
        "appointment__room__location",
        "signed_by",
        "consent_signature__version",
        "outcome_score__questionnaire",
        "copied_from__appointment",
    )


def note_detail(pk: int) -> VisitNote:
    return _note_with_related().prefetch_related("addenda__author").get(pk=pk)


def note_for_writing(pk: int) -> VisitNote:
    """The note for its author's pages (edit, autosave, copy forward, template): as `note_detail`, without the
    addenda, which only a signed note has (its pages redirect to the signed view)."""
    return _note_with_related().get(pk=pk)


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


def pain_meaningful_change() -> float:
    """The change on the 0-10 pain rating that matters, as the clinic set it (`PainScale`, in the admin; the
    DOMAIN default of 2 points when no row exists). One query."""
    value = PainScale.objects.order_by("pk").values_list("meaningful_change", flat=True).first()
    return float(PainScale.DEFAULT_MEANINGFUL_CHANGE if value is None else value)


def outcome_points(scores: list, plan_rows: list[PlanQuestionnaire] = ()) -> dict[str, list[Point]]:
    """Outcome-measure percents per questionnaire (NDI, ODI ...), oldest first: the intake's scores and the care
    plans' questionnaires answered from their links; unscored ones are left out."""
    points = [
        (score.questionnaire.code, Point(score.scored_at, float(score.percent), score.questionnaire.title))
        for score in scores
        if score.percent is not None
    ]
    points += [
        (
            row.questionnaire_code,
            Point(row.answered_at, float(row.percent), f"care plan, before visit {row.visit_number}"),
        )
        for row in plan_rows
        if row.percent is not None and row.answered_at is not None
    ]
    series: dict[str, list[Point]] = {}
    for code, point in sorted(points, key=lambda p: p[1].at):
        series.setdefault(code.upper(), []).append(point)
    return series


def plan_trend(
    plans: list, scores: list, plan_rows: list[PlanQuestionnaire], notes: list[VisitNote], *, pain_change: float
) -> dict | None:
    """The trend of the patient's current (else latest) care plan, drawn as the plan page draws it: its
    questionnaire with the baseline, the goals and the meaningful-change line, and every note's pain. At most one
    query (the questionnaire's meaningful change), whatever the number of plans and results."""
    plan = careplan_trend.trend_plan(plans)
    if plan is None:
        return None
    change = None
    if plan.questionnaire_code:
        questionnaire = Questionnaire.objects.filter(code=plan.questionnaire_code).only("meaningful_change").first()
        change = questionnaire.meaningful_change if questionnaire else None
    return careplan_trend.build(
        plan,
        scores=careplan_trend.questionnaire_results(plan, intake_scores=scores, plan_rows=plan_rows),
        pain=careplan_trend.note_pain(notes),
        meaningful_change=change,
        pain_change=pain_change,
    )


def patient_chart(patient: Patient) -> dict:
    """Everything the chart page shows, in a fixed number of queries whatever the number of visits, notes,
    scores, care plans and plan questionnaires."""
    submissions = list(intake_selectors.intake_submissions(patient))
    latest = next((s for s in submissions if s.status == "submitted"), None)
    summary = intake_selectors.submission_summary(latest) if latest else None
    notes = list(notes_for_patient(patient))
    scores = list(intake_selectors.outcome_scores(patient))
    appointments = list(scheduling_selectors.appointments_for_patient(patient))
    notes_by_appointment = {n.appointment_id: n for n in notes}
    plans = careplan_selectors.careplans_of_patient(patient)
    plan_rows = careplan_selectors.plan_questionnaires_answered(patient) if plans else []
    pain_change = pain_meaningful_change()
    trend = plan_trend(plans, scores, plan_rows, notes, pain_change=pain_change)
    changes = {
        s.questionnaire.code.upper(): float(s.questionnaire.meaningful_change)
        for s in scores
        if s.questionnaire.meaningful_change is not None
    }
    if trend and trend["code"] and trend["change"]:  # a questionnaire only the plan asked (no intake score)
        changes.setdefault(trend["code"], trend["change"])
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
        "outcomes": outcome_points(scores, plan_rows),
        "outcome_changes": changes,
        "plans": plans,
        "plan_trend": trend,
        "pain_change": pain_change,
    }
