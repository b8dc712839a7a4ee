"""The patient chart draws the care plan's outcomes (issue 16, item 5): the plan questionnaires' results on the
chart's trend with the baseline, the goal and the meaningful-change line, the pain of every note on the same
chart (the plan page's chart code, `clinic.careplans.trend`), every result on the NDI/ODI trend too, and a
constant number of queries whatever the number of plans and results."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.careplans import discharge, outcomes, services
from clinic.models import AuditEvent, CarePlan
from clinic.notes import selectors as notes_selectors
from tests.clinic import note_factories as nf
from tests.clinic.careplan_factories import answered, ndi_plan, with_outcomes
from tests.intake import factories as intake_factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def plan_for(patient, practitioner, *, status="active", days_ago=30, **extra):
    created_at = nf.NOW - dt.timedelta(days=days_ago)
    fields = {"status": status, "created_at": created_at, "reason": "Moved away", **extra}
    return ndi_plan(patient, practitioner, weeks=6, re_exam_visit=6, **fields)


def svg_titled(text: str, title: str) -> str:
    start = text.index(f'<title id="chart-{re.sub(r"[^a-z0-9]", "-", title.lower())[:40]}')
    start = text.rindex("<svg", 0, start)
    return text[start : text.index("</svg>", start)]


def chart_page(client, patient) -> str:
    response = client.get(reverse("clinic:patient_chart", args=[patient.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_chart_draws_the_plans_results_with_baseline_goal_change_and_every_notes_pain(
    patient_a, practitioner_a, ndi, client_for
):
    plan = plan_for(patient_a, practitioner_a)
    with_outcomes(
        plan, results=[(3, 40, nf.at(-20, 8)), (6, 24, nf.at(-6, 8))], pains=[(nf.at(-21, 9), 7), (nf.at(-5, 9), 3)]
    )
    text = chart_page(client_for(practitioner_a.user), patient_a)
    svg = svg_titled(text, "Outcomes over the plan")
    assert 'data-points="4"' in svg  # two NDI results and two notes' pain, on one chart
    assert "NDI %: 40 on 2026-05-12" in svg and "NDI %: 24 on 2026-05-26" in svg
    assert "Pain x10: 70 on 2026-05-11" in svg and "Pain x10: 30 on 2026-05-27" in svg
    assert "Baseline NDI 40%" in svg
    assert "Goal: NDI below 20%" in svg
    assert "NDI: 10 percentage points better than first" in svg
    assert "Goal: pain at or below 2/10" in svg  # the pain goal, at 20 on the x10 scale
    assert "baseline 40% (12 May 2026), latest 24% (26 May 2026)" in text
    assert "first 7/10, latest 3/10" in text
    assert f'href="{plan.get_absolute_url()}"' in text
    # The NDI/ODI trend has the plan's results too, with the NDI's meaningful change.
    outcome_svg = svg_titled(text, "NDI and ODI over time")
    assert 'data-points="2"' in outcome_svg and "NDI: 24 on 2026-05-26" in outcome_svg
    assert "NDI: 10 percentage points better than first" in outcome_svg


def test_the_chart_and_the_plan_page_draw_the_same_chart(patient_a, practitioner_a, ndi, client_for):
    intake_factories.submitted(patient_a)  # an intake NDI: the baseline
    plan = plan_for(patient_a, practitioner_a)
    answered(plan, 3, 30, nf.NOW + dt.timedelta(minutes=5))
    nf.signed(patient_a, practitioner_a, start=nf.at(-3, 9), pain_today=5)
    chart = notes_selectors.patient_chart(patient_a)["plan_trend"]
    page = outcomes.plan_trend(plan)
    assert chart["svg"] == page["svg"]
    assert [r.source for r in chart["scores"]] == ["intake", "before visit 3"]


def test_a_patient_without_a_plan_has_no_plan_trend(patient_a, practitioner_a, client_for):
    nf.signed(patient_a, practitioner_a, start=nf.at(-3, 9), pain_today=5)
    text = chart_page(client_for(practitioner_a.user), patient_a)
    assert "Outcomes over the plan" not in text and "Pain over time" in text


def test_the_chart_follows_the_current_plan_else_the_latest_that_ended(patient_a, practitioner_a, ndi, client_for):
    ended = plan_for(patient_a, practitioner_a, status="discontinued", days_ago=90, questionnaire_code="odi")
    answered(ended, 3, 50, nf.at(-80, 8), code="odi")
    client = client_for(practitioner_a.user)
    text = chart_page(client, patient_a)
    assert "Baseline ODI 50%" in svg_titled(text, "Outcomes over the plan")
    assert reverse("clinic:careplan_discharge", args=[ended.pk]) in text
    current = plan_for(patient_a, practitioner_a, days_ago=10)
    answered(current, 3, 36, nf.at(-4, 8))
    text = chart_page(client, patient_a)
    svg = svg_titled(text, "Outcomes over the plan")
    assert "Baseline NDI 36%" in svg and "ODI" not in svg
    assert f'href="{current.get_absolute_url()}"' in text
    # The ended plan's ODI result stays on the NDI/ODI trend.
    assert "ODI: 50 on" in svg_titled(text, "NDI and ODI over time")


def test_the_discharge_summary_counts_a_plan_result_once(patient_a, practitioner_a, ndi):
    plan = plan_for(patient_a, practitioner_a)
    answered(plan, 3, 40, nf.at(-10, 8))
    answered(plan, 6, 14, nf.at(-2, 8))
    plan = services.careplan_set_status(plan=plan, actor=practitioner_a.user, status="completed")
    assert discharge.discharge_summary(plan)["score"] == (40.0, 14.0)
    assert len(notes_selectors.patient_chart(patient_a)["outcomes"]["NDI"]) == 2


def test_the_chart_is_one_audited_read_with_the_plan_on_it(patient_a, practitioner_a, ndi, client_for):
    answered(plan_for(patient_a, practitioner_a), 3, 40, nf.at(-10, 8))
    before = AuditEvent.objects.filter(action="view", patient=patient_a).count()
    chart_page(client_for(practitioner_a.user), patient_a)
    assert AuditEvent.objects.filter(action="view", patient=patient_a).count() == before + 1


def test_the_front_desk_sees_no_chart(patient_a, practitioner_a, ndi, client_for, front_desk):
    answered(plan_for(patient_a, practitioner_a), 3, 40, nf.at(-10, 8))
    response = client_for(front_desk).get(reverse("clinic:patient_chart", args=[patient_a.pk]))
    assert response.status_code in (403, 404)


def _queries(client, patient) -> int:
    with CaptureQueriesContext(connection) as ctx:
        chart_page(client, patient)
    return len(ctx)


def test_the_chart_reads_in_the_same_number_of_queries_with_one_plan_or_many(
    patient_a, practitioner_a, ndi, client_for
):
    client = client_for(practitioner_a.user)
    first = plan_for(patient_a, practitioner_a, status="completed", days_ago=200)
    answered(first, 3, 50, nf.at(-190, 8))
    nf.signed(patient_a, practitioner_a, start=nf.at(-191, 9), pain_today=8)
    one = _queries(client, patient_a)
    # More ended plans, a current plan with versions, many results and notes.
    for n in range(2, 5):
        ended = plan_for(patient_a, practitioner_a, status="discontinued", days_ago=200 - n * 30)
        for k in range(3):
            answered(ended, 3 * (k + 1), 50 - n - k, nf.at(-190 + n * 30 + k, 8))
    current = plan_for(patient_a, practitioner_a, days_ago=40)
    for _ in range(3):
        current = services.careplan_revise(
            plan=current, practitioner=practitioner_a, actor=practitioner_a.user, phases=current.phases,
            questionnaire_code="ndi", goals=current.goals,
        )  # fmt: skip
    for k in range(8):
        answered(current, 20 + k, 40 - k, nf.at(-30 + k, 8))
        nf.signed(patient_a, practitioner_a, start=nf.at(-30 + k, 10), pain_today=k)
    assert _queries(client, patient_a) == one
    assert CarePlan.objects.filter(patient=patient_a).count() == 8
