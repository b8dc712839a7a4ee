"""The discharge summary of a completed or discontinued plan (issue 16, item 7): one page for the chart and for
printing, read from the patient chart's own figures so that both say the same."""

from __future__ import annotations

from clinic.careplans import selectors
from clinic.models import CarePlan, GoalKind
from clinic.notes import selectors as notes_selectors


def discharge_summary(plan: CarePlan) -> dict:
    """Baseline against final pain and questionnaire scores, visits attended and missed, and which goals were
    met (measurable goals are judged from the last score; free-text goals are left to the practitioner). The
    scores are the chart's: the intake's and the plan questionnaires' answered from their links."""
    chart = notes_selectors.patient_chart(plan.patient)
    pain = chart["pain"]
    code = (plan.questionnaire_code or "").upper()
    scores = chart["outcomes"].get(code, []) if code else []
    phases = selectors.phase_progress(plan)

    def pair(points):
        return (points[0].value, points[-1].value) if points else (None, None)

    pain_first, pain_last = pair(pain)
    score_first, score_last = pair(scores)
    goals = []
    for goal, text in zip(plan.goals, plan.goal_texts(), strict=True):
        if goal.get("kind") == GoalKind.PAIN_AT_MOST:
            met = None if pain_last is None else pain_last <= goal["target"]
        elif goal.get("kind") == GoalKind.QUESTIONNAIRE_BELOW:
            met = None if score_last is None else score_last < goal["target"]
        else:
            met = None
        goals.append({"text": text, "met": met})
    return {
        "pain": (pain_first, pain_last),
        "score": (score_first, score_last),
        "score_code": code,
        "attended": sum(p["attended"] for p in phases),
        "missed": sum(p["missed"] for p in phases),
        "planned": plan.total_visits,
        "goals": goals,
    }
