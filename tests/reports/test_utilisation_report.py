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
from tests.reports.common import custom_range, page_and_csv
from tests.scheduling.factories import AppointmentFactory, AppointmentTypeFactory, WorkingHoursFactory

ZONE = zoneinfo.ZoneInfo("America/New_York")
MONDAY = dt.date(2026, 6, 1)
WEEK = selectors.Scope(MONDAY, MONDAY + dt.timedelta(days=6))
FIRST_WEEK = custom_range("2026-06-01", "2026-06-07")
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
    assert len(short) == len(long) == 4  # practitioners, hours, booked per practitioner and room, rooms


def test_page_and_csv(week, client_for, clinic_admin):
    html, csv = page_and_csv(client_for(clinic_admin), "reports:utilisation", FIRST_WEEK)
    assert "<svg" in html and "13.6%" in html
    assert "2026-06-01,Dr. Ada Adams,,1.5,7.0,21.4" in csv


def test_a_late_booking_counts_on_its_local_day(week, practitioner_a, patient_a):
    # 22:00-23:00 on Monday in New York is 02:00-03:00 on Tuesday in UTC.
    AppointmentFactory(practitioner=practitioner_a, patient=patient_a, start=at(0, 22), end=at(0, 23), status=S.BOOKED)
    rows = {r.period: r.booked_hours for r in selectors.utilisation(WEEK).rows}
    assert rows[MONDAY] == 2.5 and rows[MONDAY + dt.timedelta(days=1)] == 0.0
    weekly = selectors.utilisation(WEEK, by_week=True)
    assert [(r.period, r.booked_hours) for r in weekly.rows] == [(MONDAY, 2.5)]


# --- Per room ---------------------------------------------------------------------------------------------------


@pytest.fixture
def two_rooms(week, practitioner_b, patient_a):
    """A second practitioner at the same location works Monday 08:00-10:00 and books Room 2 08:00-09:00."""
    room_a = week.rooms.get()
    room_b = RoomFactory(location=week, name="Room 2")
    WorkingHoursFactory(
        practitioner=practitioner_b, location=week, weekday=0, start_time=dt.time(8), end_time=dt.time(10)
    )
    AppointmentFactory(practitioner=practitioner_b, patient=patient_a, room=room_b, start=at(0, 8), end=at(0, 9))
    return room_a, room_b


def test_booked_and_opening_hours_per_room(two_rooms):
    room_a, _ = two_rooms
    figures = selectors.utilisation(WEEK)
    # Opening hours, by hand: Monday Ada 09:00-12:00 and 13:00-17:00, Bo 08:00-10:00: the union is 08:00-12:00
    # and 13:00-17:00 = 8 h; Tuesday 11:00-13:00 = 2 h; Wednesday 10:00-12:00 = 2 h. Each room of the location has
    # those hours. Booked: Room A 1.5 h on Monday (Ada's two), Room 2 1 h (Bo's); no-shows and cancellations do
    # not count.
    label_a, label_b = f"{room_a.name} ({room_a.location.name})", f"Room 2 ({room_a.location.name})"
    rows = {(r.period, r.practitioner): (r.booked_hours, r.available_hours) for r in figures.room_rows}
    tuesday, wednesday = MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=2)
    assert rows == {
        (MONDAY, label_a): (1.5, 8.0),
        (MONDAY, label_b): (1.0, 8.0),
        (tuesday, label_a): (0.0, 2.0),
        (tuesday, label_b): (0.0, 2.0),
        (wednesday, label_a): (0.0, 2.0),
        (wednesday, label_b): (0.0, 2.0),
    }
    totals = {r.practitioner: (r.booked_hours, r.available_hours, r.pct) for r in figures.by_room}
    assert totals == {label_a: (1.5, 12.0, 12.5), label_b: (1.0, 12.0, 8.3)}
    weekly = selectors.utilisation(WEEK, by_week=True)
    assert {(r.period, r.practitioner): r.booked_hours for r in weekly.room_rows} == {
        (MONDAY, label_a): 1.5,
        (MONDAY, label_b): 1.0,
    }


def test_rooms_follow_the_location_filter_and_not_one_practitioner(two_rooms, practitioner_a):
    other = RoomFactory(location=LocationFactory(), name="Elsewhere")
    everyone = {r.practitioner for r in selectors.utilisation(WEEK).by_room}
    assert f"Elsewhere ({other.location.name})" in everyone  # open 0 h: nobody works there
    here = selectors.utilisation(selectors.Scope(WEEK.first_day, WEEK.last_day, location_id=two_rooms[0].location_id))
    assert len(here.by_room) == 2 and all("Elsewhere" not in r.practitioner for r in here.by_room)
    # One practitioner's report has no room figures: a room's bookings are everyone's.
    own = selectors.utilisation(selectors.Scope(WEEK.first_day, WEEK.last_day, practitioner_id=practitioner_a.pk))
    assert own.by_room == [] and own.room_rows == []


def test_room_page_and_csv(two_rooms, client_for, clinic_admin, django_assert_max_num_queries):
    client = client_for(clinic_admin)
    params = FIRST_WEEK
    with django_assert_max_num_queries(12):
        html = client.get(reverse("reports:utilisation"), params).content.decode()
    assert "By room" in html and "12.5%" in html and reverse("reports:utilisation_gaps") in html
    lines = client.get(reverse("reports:utilisation"), {**params, "format": "csv"}).content.decode().splitlines()
    assert lines[0] == "day,practitioner,room,booked_hours,available_hours,pct"
    assert f"2026-06-01,,Room 2 ({two_rooms[1].location.name}),1.0,8.0,12.5" in lines


# --- Idle gaps --------------------------------------------------------------------------------------------------


def test_idle_gaps_by_hand(week, practitioner_a, patient_a):
    room = week.rooms.get()
    # Monday 13:00-16:45 booked: 16:45-17:00 (15 min) is shorter than the shortest type (30 min).
    AppointmentFactory(practitioner=practitioner_a, patient=patient_a, room=room, start=at(0, 13), end=at(0, 16, 45))
    # Another practitioner's visit does not fill Ada's time.
    AppointmentFactory(patient=patient_a, room=room, start=at(0, 11), end=at(0, 11, 30))
    figures = selectors.idle_gaps(WEEK)
    assert figures.shortest == dt.timedelta(minutes=30)
    got = [(g.day, g.start.time(), g.end.time(), g.minutes) for g in figures.gaps if g.practitioner == "Dr. Ada Adams"]
    # Monday 09:00-12:00 less 09:00-10:30 booked; Tuesday 11:00-13:00 (the no-show frees it); Wednesday's extra
    # hours 10:00-12:00 (the cancellation frees it).
    assert got == [
        (MONDAY, dt.time(10, 30), dt.time(12), 90),
        (MONDAY + dt.timedelta(days=1), dt.time(11), dt.time(13), 120),
        (MONDAY + dt.timedelta(days=2), dt.time(10), dt.time(12), 120),
    ]
    assert figures.hours == 5.5  # the other practitioner has no working hours, so no gaps


def test_a_shorter_type_makes_the_short_gap_count(week, practitioner_a, patient_a):
    room = week.rooms.get()
    AppointmentFactory(practitioner=practitioner_a, patient=patient_a, room=room, start=at(0, 13), end=at(0, 16, 45))
    AppointmentTypeFactory(slug="quick", duration=dt.timedelta(minutes=15))
    gaps = selectors.idle_gaps(selectors.Scope(MONDAY, MONDAY, practitioner_id=practitioner_a.pk)).gaps
    assert [(g.start.time(), g.end.time()) for g in gaps] == [
        (dt.time(10, 30), dt.time(12)),
        (dt.time(16, 45), dt.time(17)),
    ]


def test_idle_gaps_at_a_location_and_visits_across_the_hours_edges(week, practitioner_a, patient_a):
    room = week.rooms.get()
    # One visit begun in the meeting (12:00-13:00) and running into the afternoon, one right after it, and one
    # running past the hours' end.
    AppointmentFactory(practitioner=practitioner_a, patient=patient_a, room=room, start=at(0, 12, 30), end=at(0, 14))
    AppointmentFactory(practitioner=practitioner_a, patient=patient_a, room=room, start=at(0, 14), end=at(0, 15))
    AppointmentFactory(practitioner=practitioner_a, patient=patient_a, room=room, start=at(0, 16), end=at(0, 18))
    gaps = selectors.idle_gaps(selectors.Scope(MONDAY, MONDAY, location_id=week.pk)).gaps
    assert [(g.start.time(), g.end.time()) for g in gaps] == [
        (dt.time(10, 30), dt.time(12)),
        (dt.time(15), dt.time(16)),
    ]
    assert selectors.idle_gaps(selectors.Scope(MONDAY, MONDAY, location_id=LocationFactory().pk)).gaps == []


def test_idle_gaps_query_count_does_not_grow_with_the_range(week):
    with CaptureQueriesContext(connection) as short:
        selectors.idle_gaps(WEEK)
    with CaptureQueriesContext(connection) as long:
        selectors.idle_gaps(selectors.Scope(MONDAY - dt.timedelta(days=360), WEEK.last_day))
    assert len(short) == len(long) == 4


def test_idle_gaps_page_and_csv(week, client_for, clinic_admin, django_assert_max_num_queries):
    client = client_for(clinic_admin)
    params = FIRST_WEEK
    with django_assert_max_num_queries(11):
        response = client.get(reverse("reports:utilisation_gaps"), params)
    html = response.content.decode()
    assert response.status_code == 200 and "10:30" in html and "4 gaps, 9.5 hours in all" in html
    lines = client.get(reverse("reports:utilisation_gaps"), {**params, "format": "csv"}).content.decode().splitlines()
    assert lines == [
        "day,practitioner,from,until,minutes",
        "2026-06-01,Dr. Ada Adams,10:30,12:00,90",
        "2026-06-01,Dr. Ada Adams,13:00,17:00,240",
        "2026-06-02,Dr. Ada Adams,11:00,13:00,120",
        "2026-06-03,Dr. Ada Adams,10:00,12:00,120",
    ]
