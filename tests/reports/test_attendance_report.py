"""The attendance report: figures computed by hand on a small known week, in a constant number of queries."""

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.models import AuditEvent
from reports import selectors
from scheduling.models import Appointment
from tests.clinic.factories import RoomFactory
from tests.scheduling.factories import AppointmentFactory

ZONE = zoneinfo.ZoneInfo("America/New_York")
MONDAY = dt.date(2026, 6, 1)
WEEK = selectors.Scope(MONDAY, MONDAY + dt.timedelta(days=6))
S = Appointment.Status


def at(day_offset, hour):
    return dt.datetime.combine(MONDAY + dt.timedelta(days=day_offset), dt.time(hour), tzinfo=ZONE)


@pytest.fixture
def week(patient_a, patient_b, practitioner_a, practitioner_b):
    room_a, room_b = RoomFactory(), RoomFactory()

    def make(practitioner, room, patient, start, status, cancelled_hours_before=None):
        extra = {}
        if cancelled_hours_before is not None:
            extra["cancelled_at"] = start - dt.timedelta(hours=cancelled_hours_before)
        return AppointmentFactory(
            practitioner=practitioner, room=room, patient=patient, start=start, status=status, **extra
        )

    make(practitioner_a, room_a, patient_a, at(0, 9), S.COMPLETED)
    make(practitioner_a, room_a, patient_a, at(0, 10), S.NO_SHOW)
    make(practitioner_a, room_a, patient_a, at(1, 9), S.NO_SHOW)
    make(practitioner_a, room_a, patient_b, at(1, 10), S.CANCELLED, cancelled_hours_before=2)  # late
    make(practitioner_a, room_a, patient_b, at(2, 9), S.CANCELLED, cancelled_hours_before=48)  # in good time
    make(practitioner_b, room_b, patient_b, at(0, 9), S.COMPLETED)
    make(practitioner_b, room_b, patient_b, at(0, 10), S.NO_SHOW)
    make(practitioner_b, room_b, patient_b, at(7, 9), S.NO_SHOW)  # the next week: outside the range
    return room_a, room_b


def _rows(rows):
    return {r.label: (r.due, r.no_shows, r.late_cancels) for r in rows}


def test_the_figures_match_a_count_by_hand(week):
    figures = selectors.attendance(WEEK)
    # 7 appointments in the week, one cancelled in good time: 6 due, 3 no-shows, 1 late cancellation.
    assert (figures.total.due, figures.total.no_shows, figures.total.late_cancels) == (6, 3, 1)
    assert figures.total.no_show_pct == 50.0
    assert _rows(figures.by_practitioner) == {"Dr. Ada Adams": (4, 2, 1), "Dr. Bo Brown": (2, 1, 0)}
    assert _rows(figures.by_weekday) == {"Monday": (4, 2, 0), "Tuesday": (2, 1, 1), "Wednesday": (0, 0, 0)}
    assert _rows(figures.by_hour) == {"09:00": (3, 1, 0), "10:00": (3, 2, 1)}


def test_location_and_practitioner_filters(week, practitioner_a):
    room_a, _ = week
    by_location = selectors.attendance(selectors.Scope(WEEK.first_day, WEEK.last_day, location_id=room_a.location_id))
    assert _rows(by_location.by_practitioner) == {"Dr. Ada Adams": (4, 2, 1)}
    mine = selectors.attendance(selectors.Scope(WEEK.first_day, WEEK.last_day, practitioner_id=practitioner_a.pk))
    assert (mine.total.due, mine.total.no_shows) == (4, 2)


def test_repeated_no_shows_names_only_patients_with_two(week, patient_a):
    rows = selectors.repeated_no_shows(WEEK)
    assert [(r["patient_id"], r["no_shows"]) for r in rows] == [(patient_a.pk, 2)]
    two_weeks = selectors.Scope(MONDAY, MONDAY + dt.timedelta(days=13))
    assert len(selectors.repeated_no_shows(two_weeks)) == 2  # Bruno's second no-show is in the second week


def test_query_count_does_not_grow_with_the_range(week):
    with CaptureQueriesContext(connection) as short:
        selectors.attendance(WEEK)
    with CaptureQueriesContext(connection) as long:
        selectors.attendance(selectors.Scope(MONDAY - dt.timedelta(days=360), MONDAY + dt.timedelta(days=6)))
    assert len(short) == len(long) == 1


def _get(client, name, **params):
    return client.get(reverse(name), params)


def test_the_page_for_an_admin_shows_the_table_and_chart(week, client_for, clinic_admin):
    client = client_for(clinic_admin)
    params = {"range": "custom", "start": "2026-06-01", "end": "2026-06-07"}
    response = _get(client, "reports:attendance", **params)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and "Dr. Bo Brown" in html
    assert "<td>50.0%</td>" in html  # Ada: 2 no-shows of 4 due
    with CaptureQueriesContext(connection) as short:
        _get(client, "reports:attendance", **params)
    with CaptureQueriesContext(connection) as long:
        _get(client, "reports:attendance", **{**params, "start": "2025-06-10"})
    assert len(short) == len(long)


def test_the_csv_holds_the_same_figures(week, client_for, clinic_admin):
    client = client_for(clinic_admin)
    response = _get(client, "reports:attendance", range="custom", start="2026-06-01", end="2026-06-07", format="csv")
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert "All,All,6,3,50.0,1,16.7" in lines
    assert "Practitioner,Dr. Ada Adams,4,2,50.0,1,25.0" in lines


def test_a_practitioner_sees_their_own_figures_only(week, client_for, practitioner_a, practitioner_b):
    client = client_for(practitioner_a.user)
    params = {"range": "custom", "start": "2026-06-01", "end": "2026-06-07", "practitioner": practitioner_b.pk}
    response = _get(client, "reports:attendance", **params)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Dr. Ada Adams" in html and "Dr. Bo Brown" not in html


def test_a_bad_range_is_named_next_to_the_field(client_for, clinic_admin):
    response = _get(
        client_for(clinic_admin), "reports:attendance", range="custom", start="2026-06-07", end="2026-06-01"
    )
    assert response.status_code == 400
    assert "The last day comes before the first day." in response.content.decode()


def test_the_list_of_patients_is_audited(week, client_for, clinic_admin):
    client = client_for(clinic_admin)
    before = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).count()
    response = _get(client, "reports:attendance_patients", range="custom", start="2026-06-01", end="2026-06-07")
    assert "Alice Arnold" in response.content.decode() and "Bruno Berg" not in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).count() == before + 1
    # The aggregate page writes no read row.
    _get(client, "reports:attendance", range="custom", start="2026-06-01", end="2026-06-07")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).count() == before + 1


def test_weekday_and_hour_are_the_clinics_across_daylight_saving(practitioner_a, patient_a):
    # 9:00 local in winter (UTC-5) and summer (UTC-4), and 3:30 on the Sunday clocks went forward (8 March 2026).
    times = [
        dt.datetime(2026, 1, 5, 9, tzinfo=ZONE),
        dt.datetime(2026, 3, 9, 9, tzinfo=ZONE),
        dt.datetime(2026, 11, 2, 9, tzinfo=ZONE),
        dt.datetime(2026, 3, 8, 3, 30, tzinfo=ZONE),
        dt.datetime(2026, 11, 1, 1, 30, tzinfo=ZONE).replace(fold=1),  # the second 1:30, after the clocks went back
    ]
    for start in times:
        AppointmentFactory(practitioner=practitioner_a, patient=patient_a, start=start, status=S.COMPLETED)
    figures = selectors.attendance(selectors.Scope(dt.date(2026, 1, 1), dt.date(2026, 12, 31)))
    assert {r.label: r.due for r in figures.by_weekday} == {"Monday": 3, "Sunday": 2}
    assert {r.label: r.due for r in figures.by_hour} == {"01:00": 1, "03:00": 1, "09:00": 3}
