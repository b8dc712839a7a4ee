"""The new-patients report: first visits per week, by booking source, came back within 30 days (by hand)."""

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports import selectors
from scheduling.models import Appointment
from tests.clinic.factories import PatientFactory
from tests.reports.common import custom_range, page_and_csv
from tests.scheduling.factories import AppointmentFactory

ZONE = zoneinfo.ZoneInfo("America/New_York")
S = Appointment.Status
TWO_WEEKS = selectors.Scope(dt.date(2026, 6, 1), dt.date(2026, 6, 14))


def at(month, day, hour=9):
    return dt.datetime(2026, month, day, hour, tzinfo=ZONE)


@pytest.fixture
def visits(patient_a, patient_b, practitioner_a):
    carol = PatientFactory(first_name="Carol", last_name="Cole")

    def visit(patient, start, status=S.COMPLETED, source=Appointment.Source.FRONT_DESK):
        AppointmentFactory(patient=patient, practitioner=practitioner_a, start=start, status=status, source=source)

    visit(patient_a, at(6, 1), source=Appointment.Source.ONLINE)  # new, week of 1 June, online
    visit(patient_a, at(6, 15))  # back within 30 days (outside the range: still counts)
    visit(patient_b, at(5, 1))  # seen before the range: not new
    visit(patient_b, at(6, 2))
    visit(carol, at(6, 3), status=S.NO_SHOW)  # a missed appointment is not a visit
    visit(carol, at(6, 9))  # new, week of 8 June, front desk
    visit(carol, at(7, 20))  # more than 30 days later: not "came back"


def test_first_visits_per_week_match_a_count_by_hand(visits):
    rows = selectors.new_patients(TWO_WEEKS)
    assert [(r.week, r.online, r.front_desk, r.returned) for r in rows] == [
        (dt.date(2026, 6, 1), 1, 0, 1),
        (dt.date(2026, 6, 8), 0, 1, 0),
    ]


def test_one_query_whatever_the_range(visits):
    with CaptureQueriesContext(connection) as short:
        selectors.new_patients(TWO_WEEKS)
    with CaptureQueriesContext(connection) as long:
        selectors.new_patients(selectors.Scope(dt.date(2025, 7, 1), dt.date(2026, 6, 30)))
    assert len(short) == len(long) == 1


def test_page_and_csv(visits, client_for, clinic_admin):
    html, lines = page_and_csv(
        client_for(clinic_admin), "reports:new_patients", custom_range("2026-06-01", "2026-06-14")
    )
    assert "<svg" in html and "8 Jun 2026" in html
    assert lines[1:] == ["2026-06-01,1,0,1,1,100.0", "2026-06-08,0,1,1,0,0.0"]
