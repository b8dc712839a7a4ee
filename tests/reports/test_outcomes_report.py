"""The outcomes report: the share of patients improved by a meaningful change, counted by hand."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinic.models import CarePlan, Patient, PlanQuestionnaire, VisitNote
from reports import selectors
from scheduling.models import Appointment
from tests.clinic.factories import PatientFactory, PractitionerFactory
from tests.intake.factories import load_questionnaires
from tests.reports.common import june_params, outcome_score, page_and_csv
from tests.scheduling.factories import AppointmentFactory

ZONE = zoneinfo.ZoneInfo("America/New_York")
S = Appointment.Status
JUNE = selectors.Scope(dt.date(2026, 6, 1), dt.date(2026, 6, 30))


def at(month, day, hour=9):
    return dt.datetime(2026, month, day, hour, tzinfo=ZONE)


def visit(patient, practitioner, when, pain=None):
    appointment = AppointmentFactory(patient=patient, practitioner=practitioner, start=when, status=S.COMPLETED)
    if pain is not None:
        VisitNote.objects.create(appointment=appointment, patient=patient, practitioner=practitioner, pain_today=pain)
    return appointment


@pytest.fixture
def june(patient_a, patient_b, practitioner_a, practitioner_b):
    q = load_questionnaires()
    ndi, odi = q["ndi"], q["odi"]
    carol = PatientFactory(first_name="Carol", last_name="Cole")
    dan = PatientFactory(first_name="Dan", last_name="Dunn")
    eve = PatientFactory(first_name="Eve", last_name="Ernst")
    # Alice (Ada): pain 7 -> 4 (improved by 3 >= 2); NDI 40 -> 35 (5 < 10: not improved).
    visit(patient_a, practitioner_a, at(5, 5), pain=7)
    visit(patient_a, practitioner_a, at(6, 3), pain=4)
    outcome_score(patient_a, ndi, at(5, 5), "40")
    outcome_score(patient_a, ndi, at(6, 3), "35")
    # Bruno (Ada): one pain score only (not measured twice); NDI 50 -> 38 (improved by 12).
    visit(patient_b, practitioner_a, at(6, 2), pain=5)
    outcome_score(patient_b, ndi, at(4, 1), "50")
    outcome_score(patient_b, ndi, at(6, 2), "38")
    # Carol (Bo): pain 6 -> 5 (1: not improved; the 2 of July is after the range); ODI 30 -> 25 (not improved).
    visit(carol, practitioner_b, at(6, 1), pain=6)
    visit(carol, practitioner_b, at(6, 15), pain=5)
    visit(carol, practitioner_b, at(7, 1), pain=2)
    outcome_score(carol, odi, at(6, 1), "30")
    outcome_score(carol, odi, at(6, 15), "25")
    # Dan: much improved, but not seen in June: not counted.
    visit(dan, practitioner_b, at(5, 1), pain=9)
    visit(dan, practitioner_b, at(5, 20), pain=1)
    # Eve: seen in June, never measured.
    visit(eve, practitioner_b, at(6, 20))
    return carol


def _rows(figures):
    return {r.label: (r.measured, r.improved, r.pct) for r in figures.rows}


def test_the_shares_match_a_count_by_hand(june):
    figures = selectors.outcomes(JUNE)
    assert figures.seen == 4  # Alice, Bruno, Carol, Eve
    assert _rows(figures) == {
        "Pain": (2, 1, 50.0),  # Alice and Carol measured twice, Alice improved
        "NDI": (2, 1, 50.0),  # Alice and Bruno, Bruno improved
        "ODI": (1, 0, 0.0),  # Carol
        "Either measure": (3, 2, 66.7),  # Alice, Bruno, Carol; Alice and Bruno improved
    }


def test_the_change_must_reach_the_threshold_exactly_or_more(june):
    # July: Carol's latest pain is 2, 4 less than her first 6.
    july = selectors.outcomes(selectors.Scope(dt.date(2026, 7, 1), dt.date(2026, 7, 31)))
    assert july.seen == 1
    assert _rows(july)["Pain"] == (1, 1, 100.0)


def test_practitioner_filter(june, practitioner_a):
    mine = selectors.outcomes(selectors.Scope(JUNE.first_day, JUNE.last_day, practitioner_id=practitioner_a.pk))
    assert mine.seen == 2
    assert _rows(mine)["Either measure"] == (2, 2, 100.0)


def test_three_queries_with_small_and_larger_data(june, practitioner_a):
    with CaptureQueriesContext(connection) as small:
        selectors.outcomes(JUNE)
    other = PractitionerFactory()  # no overlap with the visits above
    for n in range(30):
        patient = PatientFactory()
        visit(patient, other, at(6, 1 + n % 20, 8 + n % 9), pain=8)
        visit(patient, other, at(6, 22 + n % 5, 8 + n % 9), pain=8 - n % 4)
    with CaptureQueriesContext(connection) as larger:
        figures = selectors.outcomes(selectors.Scope(dt.date(2025, 7, 1), dt.date(2026, 6, 30)))
    assert len(small) == len(larger) == 3  # the pain scale, the questionnaires, the figures
    # Dan now counts (seen in May), and the 30 new patients: drops 0, 1, 2, 3 in turn: 7 of 2 and 7 of 3 improved.
    assert _rows(figures)["Pain"] == (2 + 1 + 30, 1 + 1 + 14, round(100 * 16 / 33, 1))


def test_page_and_csv(june, client_for, clinic_admin):
    html, lines = page_and_csv(client_for(clinic_admin), "reports:outcomes", june_params())
    assert "<svg" in html and "<td>66.7%</td>" in html and "Alice" not in html
    assert lines[1:] == [
        "Pain,2 points of 10,2,1,50.0",
        "NDI,10 percentage points,2,1,50.0",
        "ODI,10 percentage points,1,0,0.0",
        "Either measure,either of the above,3,2,66.7",
    ]


def plan_answer(plan, number, when, percent):
    PlanQuestionnaire.objects.create(
        plan=plan,
        patient=plan.patient,
        questionnaire_code="ndi",
        visit_number=number,
        due_at=when,
        answered_at=when,
        percent=None if percent is None else Decimal(percent),
        items_answered=10,
    )


def test_the_care_plans_questionnaires_are_measures_too(june, practitioner_b):
    # Eve, seen in June and never measured: the intake's NDI 45 in May, then her care plan's NDI 30 on 20 June
    # (improved by 15); the plan's answer of 25 June is not scored and the one of 5 July is after the range.
    eve = Patient.objects.get(first_name="Eve")
    plan = CarePlan.objects.create(
        patient=eve,
        practitioner=practitioner_b,
        created_by=practitioner_b.user,
        phases=[{"visits_per_week": 1, "weeks": 4}],
    )
    outcome_score(eve, load_questionnaires()["ndi"], at(5, 10), "45")
    plan_answer(plan, 2, at(6, 20), "30")
    plan_answer(plan, 3, at(6, 25), None)
    plan_answer(plan, 4, at(7, 5), "60")
    rows = _rows(selectors.outcomes(JUNE))
    assert rows["NDI"] == (3, 2, 66.7)  # Alice, Bruno, Eve; Bruno and Eve improved
    assert rows["Either measure"] == (4, 3, 75.0)  # and Carol, not improved
