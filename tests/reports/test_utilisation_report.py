"""The utilisation report: booked vs available hours, computed by hand on one known week."""

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports import selectors
from scheduling.models import Appointment, AvailabilityException
from tests.clinic.factories import LocationFactory, RoomFactory
from tests.scheduling.factories import AppointmentFactory, WorkingHoursFactory

ZONE = zoneinfo.ZoneInfo("America/New_York")
MONDAY = dt.date(2026, 6, 1)
WEEK = selectors.Scope(MONDAY, MONDAY + dt.timedelta(days=6))
S = Appointment.Status
K = AvailabilityException.Kind


def at(day_offset, hour, minute=0):
    return dt.datetime.combine(MONDAY + dt.timedelta(days=day_offset), dt.time(hour, minute), tzinfo=ZONE)


@pytest.fixture
def week(practitioner_a, patient_a):
    location = LocationFactory()
    room = RoomFactory(location=location)
    WorkingHoursFactory(
        practitioner=practitioner_a, location=location, weekday=0, start_time=dt.time(9), end_time=dt.time(17)
    )
    WorkingHoursFactory(
        practitioner=practitioner_a, location=location, weekday=1, start_time=dt.time(9), end_time=dt.time(13)
    )

    def block(offset, kind, start, end, **extra):
        AvailabilityException.objects.create(
            practitioner=practitioner_a,
            kind=kind,
            date=MONDAY + dt.timedelta(days=offset),
            start_time=dt.time(start),
            end_time=dt.time(end),
            **extra,
        )

    block(0, K.MEETING, 12, 13)  # Monday: 8 h - 1 h = 7 h
    block(1, K.TIME_OFF, 9, 11)  # Tuesday: 4 h - 2 h = 2 h
    block(2, K.EXTRA_HOURS, 10, 12, location=location)  # Wednesday: 2 h extra

    def book(start, end, status):
        AppointmentFactory(
            practitioner=practitioner_a, patient=patient_a, room=room, start=start, end=end, status=status
        )

    book(at(0, 9), at(0, 10), S.COMPLETED)  # 1 h
    book(at(0, 10), at(0, 10, 30), S.BOOKED)  # 0.5 h
    book(at(1, 11), at(1, 12), S.NO_SHOW)  # not booked time
    book(at(2, 10), at(2, 11), S.CANCELLED)  # not booked time
    return location


def test_booked_and_available_hours_by_day(week):
    figures = selectors.utilisation(WEEK)
    assert not figures.by_week
    rows = {(r.period, r.practitioner): (r.booked_hours, r.available_hours) for r in figures.rows}
    assert rows == {
        (MONDAY, "Dr. Ada Adams"): (1.5, 7.0),
        (MONDAY + dt.timedelta(days=1), "Dr. Ada Adams"): (0.0, 2.0),
        (MONDAY + dt.timedelta(days=2), "Dr. Ada Adams"): (0.0, 2.0),
        **{(MONDAY + dt.timedelta(days=d), "Dr. Ada Adams"): (0.0, 0.0) for d in range(3, 7)},
    }
    (total,) = figures.by_practitioner
    assert (total.booked_hours, total.available_hours, total.pct) == (1.5, 11.0, 13.6)


def test_by_week_and_by_location(week):
    weekly = selectors.utilisation(WEEK, by_week=True)
    assert [(r.period, r.booked_hours, r.available_hours) for r in weekly.rows] == [(MONDAY, 1.5, 11.0)]
    elsewhere = selectors.utilisation(selectors.Scope(WEEK.first_day, WEEK.last_day, location_id=LocationFactory().pk))
    assert [(r.booked_hours, r.available_hours) for r in elsewhere.by_practitioner] == [(0.0, 0.0)]


def test_query_count_does_not_grow_with_the_range(week):
    with CaptureQueriesContext(connection) as short:
        selectors.utilisation(WEEK)
    with CaptureQueriesContext(connection) as long:
        selectors.utilisation(selectors.Scope(MONDAY - dt.timedelta(days=360), WEEK.last_day))
    assert len(short) == len(long) == 3


def test_page_and_csv(week, client_for, clinic_admin):
    client = client_for(clinic_admin)
    params = {"range": "custom", "start": "2026-06-01", "end": "2026-06-07"}
    html = client.get(reverse("reports:utilisation"), params).content.decode()
    assert "<svg" in html and "13.6%" in html
    csv = client.get(reverse("reports:utilisation"), {**params, "format": "csv"}).content.decode().splitlines()
    assert "2026-06-01,Dr. Ada Adams,1.5,7.0,21.4" in csv


def test_a_late_booking_counts_on_its_local_day(week, practitioner_a, patient_a):
    # 22:00-23:00 on Monday in New York is 02:00-03:00 on Tuesday in UTC.
    AppointmentFactory(practitioner=practitioner_a, patient=patient_a, start=at(0, 22), end=at(0, 23), status=S.BOOKED)
    rows = {r.period: r.booked_hours for r in selectors.utilisation(WEEK).rows}
    assert rows[MONDAY] == 2.5 and rows[MONDAY + dt.timedelta(days=1)] == 0.0
    weekly = selectors.utilisation(WEEK, by_week=True)
    assert [(r.period, r.booked_hours) for r in weekly.rows] == [(MONDAY, 2.5)]
