"""The plan's outcome trend as one chart (issue 16, item 5), drawn from rows the caller has loaded: the plan page
(`outcomes.plan_trend`) and the patient chart (`clinic.notes.selectors.patient_chart`) draw the same chart.

The questionnaire's percent and every visit note's pain (0-10, drawn x10) share one 0-100 scale, with the
baseline, the goal(s) and the meaningful-change line. This module runs no query and imports no selector, so
the chart's selector can use it without an import cycle (`outcomes` imports the notes' selectors).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from clinic.models import CarePlan, CarePlanStatus
from clinic.notes import charts

TITLE = "Outcomes over the plan"


@dataclass(frozen=True)
class Result:
    at: dt.datetime
    value: float
    source: str  # "intake", "before visit N" or "visit note"
    band: str = ""


def trend_plan(plans: Iterable[CarePlan]) -> CarePlan | None:
    """Which of the patient's plans the chart's trend follows: the current one, else the latest that ended (a
    replaced version is followed by its newer one)."""
    plans = [p for p in plans if p.status != CarePlanStatus.SUPERSEDED]
    current = next((p for p in plans if p.is_current), None)
    return current or max(plans, key=lambda p: (p.created_at, p.pk), default=None)


def questionnaire_results(plan: CarePlan, *, intake_scores: Iterable, plan_rows: Iterable) -> list[Result]:
    """The plan's questionnaire over time, oldest first: the intake's scores of that questionnaire (the
    baseline when there is one) and the patient's answered plan questionnaires of it; unscored ones left out."""
    code = plan.questionnaire_code
    if not code:
        return []
    results = [
        Result(s.scored_at, float(s.percent), "intake", s.band)
        for s in intake_scores
        if s.questionnaire.code == code and s.percent is not None
    ]
    results += [
        Result(r.answered_at, float(r.percent), f"before visit {r.visit_number}", r.band)
        for r in plan_rows
        if r.questionnaire_code == code and r.percent is not None and r.answered_at is not None
    ]
    return sorted(results, key=lambda r: r.at)


def note_pain(notes: Iterable) -> list[Result]:
    """Every visit note's pain today (NRS 0-10), oldest first."""
    return sorted(
        (Result(n.appointment.start, float(n.pain_today), "visit note") for n in notes if n.pain_today is not None),
        key=lambda r: r.at,
    )


def goal_target(plan: CarePlan, kind: str) -> float | None:
    return next((float(g["target"]) for g in plan.goals if g.get("kind") == kind and g.get("target") is not None), None)


# Two line labels closer than this (on the 0-100 scale) would print over each other.
LABEL_GAP = 8


def unclutter(thresholds: list) -> list:
    """Keep every line, but drop the label of a line that would print over the label of one listed before it
    (baseline, goal, meaningful change, pain goal: in that order of importance). Its title and the chart's text
    alternative still say it, and the page lists them all under the chart."""
    kept, labelled = [], []
    for line in thresholds:
        if any(abs(value - line.value) < LABEL_GAP for value in labelled):
            line = charts.Threshold(value=line.value, label="", description=line.description)
        else:
            labelled.append(line.value)
        kept.append(line)
    return kept


def build(
    plan: CarePlan, *, scores: list[Result], pain: list[Result], meaningful_change: float | None, pain_change: float
) -> dict:
    """The chart and the figures the page lists under it. `scores`: `questionnaire_results`; `pain`:
    `note_pain`; `meaningful_change`: the questionnaire's (data, `Questionnaire.meaningful_change`)."""
    code = (plan.questionnaire_code or "").upper()
    change = float(meaningful_change or 0)
    goal = goal_target(plan, "questionnaire_below")
    pain_goal = goal_target(plan, "pain_at_most")
    thresholds = []
    if scores:
        baseline = scores[0]
        thresholds.append(
            charts.Threshold(
                value=baseline.value,
                label=f"Baseline {code} {baseline.value:g}%",
                description=f"Baseline {code}: {baseline.value:g}% on {timezone.localtime(baseline.at):%Y-%m-%d}",
            )
        )
    if goal is not None and code:
        thresholds.append(
            charts.Threshold(
                value=goal, label=f"Goal: {code} below {goal:g}%", description=f"Goal: {code} below {goal:g}%"
            )
        )
    change_line = charts.meaningful_change_line(scores, change=change, unit="percentage points", name=code)
    if change_line is not None:
        thresholds.append(change_line)
    if pain_goal is not None:
        thresholds.append(
            charts.Threshold(
                value=pain_goal * 10,
                label=f"Goal: pain {pain_goal:g}/10 or less",
                description=f"Goal: pain at or below {pain_goal:g}/10 (drawn at {pain_goal * 10:g} on the x10 scale)",
            )
        )
    series = [charts.Series(f"{code} %", scores)] if code else []
    series.append(charts.Series("Pain x10", [Result(p.at, p.value * 10, p.source) for p in pain]))
    svg = charts.trend_svg(
        series,
        y_max=100,
        y_step=20,
        y_label=f"{code + ' % · ' if code else ''}pain x10",
        title=TITLE,
        empty_text="No scores yet",
        thresholds=unclutter(thresholds),
    )
    return {
        "plan": plan,
        "svg": svg,
        "code": code,
        "scores": scores,
        "pain": pain,
        "goal": goal,
        "pain_goal": pain_goal,
        "change": change,
        "pain_change": pain_change,
        "baseline": scores[0] if scores else None,
        "latest": scores[-1] if scores else None,
        "pain_first": pain[0] if pain else None,
        "pain_latest": pain[-1] if pain else None,
    }
