"""Every report page in a small, constant number of queries, and the retention probes answered from an index."""

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse

from reports import selectors
from reports.selectors import retention
from tests.reports.test_retention_report import JUNE
from tests.reports.test_retention_report import june as june  # the fixture

# The request's own five (session, user, second factor, ...) plus the report's: whatever the range.
PAGES = {
    "reports:utilisation": 5 + 4,  # practitioners, hours, booked per practitioner and room, rooms
    "reports:utilisation_gaps": 5 + 4,  # shortest type, practitioners, hours, the gaps (none here: nobody works)
    "reports:attendance": 5 + 1,
    "reports:attendance_patients": 5 + 2,  # the list and its audit row
    "reports:new_patients": 5 + 1,
    "reports:retention": 5 + 2,  # rebooking, lapsed count
    "reports:retention_patients": 5 + 2,  # the list and its audit row
    "reports:careplans": 5 + 1,
    "reports:outcomes": 5 + 3,  # pain scale, questionnaires, the measures
}


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("days", [6, 364])
def test_each_page_in_a_constant_number_of_queries(
    name, days, june, client_for, clinic_admin, django_assert_max_num_queries
):
    client = client_for(clinic_admin)
    params = {"range": "custom", "start": str(JUNE.last_day - dt.timedelta(days=days)), "end": str(JUNE.last_day)}
    client.get(reverse(name), params)  # the first request of a session reads a little more
    with django_assert_max_num_queries(PAGES[name]):
        response = client.get(reverse(name), params)
    assert response.status_code == 200


def _plan(sql: str, params, keep: str = "appt_patient_next_cover") -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # a test's few rows would be read in one scan
            # With a test's few rows PostgreSQL picks between `keep` and a plain (patient, start) index by the
            # statistics earlier tests left. Inside this test's transaction (rolled back after it) the other plain
            # indexes go, so the plan says whether the statement can be answered from `keep` at all.
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'scheduling_appointment' AND indexname <> %s "
                "AND indexdef LIKE '%%USING btree%%' AND indexname NOT IN (SELECT conname FROM pg_constraint)",
                [keep],
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP INDEX "{name}"')
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall())


def test_the_next_appointment_is_found_in_the_covering_index(june):
    visits = selectors.appointments_in(JUNE).annotate(next_booked_at=retention._next_booked_at())
    sql, params = visits.values("pk", "next_booked_at").query.sql_with_params()
    plan = _plan(sql, params)
    assert "appt_patient_next_cover" in plan
    if connection.vendor == "sqlite":
        assert "COVERING INDEX appt_patient_next_cover" in plan  # the probe never reads the rows


def test_the_lapsed_count_reads_the_covering_index(june):
    now = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
    qs = retention._lapsed(JUNE, weeks=6, now=now)
    sql, params = qs.values("pk").query.sql_with_params()
    assert "appt_patient_next_cover" in _plan(sql, params)
