"""What keeps the day view cheap on a busy day (issue 15 item 6), checked as behaviour: the "completed a visit
before" lookup has its own partial index and the day's query uses it, patients with the same paperwork share one
`Flags`, and the grid's rows come out as before (free times, taken rows, hours) with their instants computed once
per day."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scheduling import selectors
from scheduling.models import Appointment
from tests.clinic.factories import PatientFactory
from tests.scheduling.conftest import MONDAY, NY
from tests.scheduling.factories import AppointmentFactory, fixed_visit

pytestmark = pytest.mark.django_db
TUESDAY = MONDAY + dt.timedelta(days=1)


def _at(day, hour, minute=0):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=NY)


def _visit(patient, practitioner, adjustment, start, status=Appointment.Status.BOOKED):
    return fixed_visit(patient, practitioner, adjustment, start, status=status)


def test_the_completed_visits_index_exists_and_holds_only_completed_visits():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Appointment._meta.db_table)
    index = constraints["appointment_completed_visits"]
    assert index["index"] and index["columns"] == ["patient_id", "start"]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'appointment_completed_visits'")
            (sql,) = cursor.fetchone()
        assert "WHERE" in sql and "'completed'" in sql


def _day_query_plan(day) -> str:
    """SQLite's plan of the day's one statement."""
    with CaptureQueriesContext(connection) as ctx:
        selectors.calendar_day(day)
    (query,) = ctx.captured_queries
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
        return " ".join(str(row) for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the plan of a tiny PostgreSQL table is a scan anyway")
def test_the_day_query_finds_earlier_completed_visits_from_an_index_alone(clinic, practitioner_a, adjustment, rooms):
    patient = PatientFactory()
    _visit(patient, practitioner_a, adjustment, _at(MONDAY - dt.timedelta(days=7), 9), Appointment.Status.COMPLETED)
    _visit(patient, practitioner_a, adjustment, _at(TUESDAY, 9))
    plan = _day_query_plan(TUESDAY)
    # The "completed a visit before" probe reads an index, never the patient's rows: the partial index of
    # completed visits, or the reports' covering (patient, start, status, ...) index, which holds the status too
    # (SQLite picks the covering one once both exist; either answers without a table read).
    probe = [step for step in plan.split(") (") if "patient_id=?" in step]
    assert probe, plan
    assert all(
        "appointment_completed_visits" in step or "COVERING INDEX appt_patient_next_cover" in step for step in probe
    ), plan


def test_new_patient_flag_counts_only_completed_visits_before(clinic, practitioner_a, practitioner_b, adjustment):
    returning, cancelled_only, first_time = PatientFactory(), PatientFactory(), PatientFactory()
    _visit(returning, practitioner_a, adjustment, _at(MONDAY - dt.timedelta(days=7), 9), Appointment.Status.COMPLETED)
    _visit(cancelled_only, practitioner_a, adjustment, _at(MONDAY - dt.timedelta(days=7), 10), "cancelled")
    shown = [
        _visit(returning, practitioner_a, adjustment, _at(TUESDAY, 9)),
        _visit(cancelled_only, practitioner_a, adjustment, _at(TUESDAY, 10)),
        _visit(first_time, practitioner_b, adjustment, _at(TUESDAY, 9)),
    ]
    _practitioners, appointments = selectors.calendar_day(TUESDAY)
    flags = selectors.flags_for(appointments)
    assert [flags[a.pk].new_patient for a in shown] == [False, True, True]


def test_patients_with_the_same_paperwork_share_one_flags(clinic, practitioner_a, practitioner_b, adjustment):
    """Two new patients with no intake and no consent: one Flags object (the calendar writes its markup once)."""
    one = _visit(PatientFactory(), practitioner_a, adjustment, _at(TUESDAY, 9))
    two = _visit(PatientFactory(), practitioner_b, adjustment, _at(TUESDAY, 9))
    returning = PatientFactory()
    _visit(returning, practitioner_a, adjustment, _at(MONDAY - dt.timedelta(days=7), 9), Appointment.Status.COMPLETED)
    three = _visit(returning, practitioner_a, adjustment, _at(TUESDAY, 10))
    _practitioners, appointments = selectors.calendar_day(TUESDAY)
    flags = selectors.flags_for(appointments)
    assert flags[one.pk] is flags[two.pk]
    assert flags[three.pk] is not flags[one.pk] and not flags[three.pk].new_patient
    assert flags[three.pk].intake_missing and flags[three.pk].consent_missing


def test_grid_rows_free_taken_and_off_hours(client_for, front_desk, clinic, practitioner_a, practitioner_b, adjustment):
    """The conftest's hours (08:00-12:00, 13:00-18:00): a booked 09:00-09:30 takes two rows of its column only;
    12:00-13:00 is outside hours; the block's time is its local start."""
    _visit(PatientFactory(), practitioner_a, adjustment, _at(TUESDAY, 9))
    response = client_for(front_desk).get("/frontdesk/", {"date": TUESDAY.isoformat()})
    grid = response.context["grid"]
    a, b = ({c.practitioner.pk: c for c in grid.columns}[p.pk] for p in (practitioner_a, practitioner_b))
    rows_a = {r.label: r for r in a.rows}
    rows_b = {r.label: r for r in b.rows}
    assert rows_a["09:00"].taken and rows_a["09:15"].taken and not rows_a["09:00"].bookable
    assert rows_a["09:30"].bookable and rows_b["09:00"].bookable and rows_b["09:15"].bookable
    assert not rows_a["12:00"].working and not rows_a["12:00"].bookable
    assert rows_a["08:00"].book_url.endswith(f"practitioner={practitioner_a.pk}&start={TUESDAY}T08%3A00")
    assert [r.label for r in a.rows] == [r.label for r in grid.time_labels]
    (block,) = a.blocks
    assert block.time == "09:00" and block.offset == 60


def test_the_day_shows_appointments_begun_before_it_that_still_run(
    clinic, practitioner_a, practitioner_b, adjustment, rooms
):
    """Read from both sides (a day before the day, to its end) plus the rare active one begun earlier (the week
    views too): an
    appointment from the evening before that crosses midnight, and one begun two days before that runs into the
    day, are on the day's column; one that ended before the day, or a cancelled one from two days before, not."""
    overnight = _visit(PatientFactory(), practitioner_a, adjustment, _at(MONDAY, 23, 45))
    long_start = _at(MONDAY - dt.timedelta(days=1), 9)
    long_one = AppointmentFactory(
        patient=PatientFactory(),
        practitioner=practitioner_b,
        appointment_type=adjustment,
        start=long_start,
        end=_at(TUESDAY, 8, 30),
        blocks_until=_at(TUESDAY, 8, 30),
        room=rooms[1],
    )
    ended = _visit(PatientFactory(), practitioner_a, adjustment, _at(MONDAY, 20))
    cancelled = AppointmentFactory(
        patient=PatientFactory(),
        practitioner=practitioner_a,
        appointment_type=adjustment,
        start=long_start,
        end=_at(TUESDAY, 10),
        blocks_until=_at(TUESDAY, 10),
        room=rooms[1],
        status=Appointment.Status.CANCELLED,
    )
    practitioners, appointments = selectors.calendar_day(TUESDAY)
    shown = {a.pk for a in appointments}
    assert overnight.pk in shown and long_one.pk in shown
    assert ended.pk not in shown and cancelled.pk not in shown
    assert {practitioner_a.pk, practitioner_b.pk} <= {p.pk for p in practitioners}
    # The week views read the same way.
    start, end = _at(TUESDAY, 0), _at(TUESDAY + dt.timedelta(days=1), 0)
    week = {a.pk for a in selectors.calendar_appointments_between(start, end)}
    assert week == shown
    mine = selectors.calendar_appointments_between(start, end, practitioner_id=practitioner_b.pk)
    assert [a.pk for a in mine] == [long_one.pk]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan names the index range")
def test_the_day_query_reads_the_days_appointments_from_both_sides(clinic, practitioner_a, adjustment):
    _visit(PatientFactory(), practitioner_a, adjustment, _at(TUESDAY, 9))
    plan = _day_query_plan(TUESDAY)
    assert "start>? AND start<?" in plan, plan
