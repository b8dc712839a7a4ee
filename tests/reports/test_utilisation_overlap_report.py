"""The utilisation report when a practitioner's working intervals overlap (two locations at once, or weekly hours
and extra hours at one): the available hours are the union of the intervals, counted by hand, in the selector, on
the page and in the CSV. The rooms' opening hours were already a union and do not change."""

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports import selectors
from scheduling.models import AvailabilityException
from tests.reports.common import TwoPlaces, custom_range, page_and_csv

ZONE = zoneinfo.ZoneInfo("America/New_York")
MONDAY = dt.date(2026, 6, 1)
WEEK = selectors.Scope(MONDAY, MONDAY + dt.timedelta(days=6))
PARAMS = custom_range("2026-06-01", "2026-06-07")
K = AvailabilityException.Kind
ADA, BO = "Dr. Ada Adams", "Dr. Bo Brown"


def at(day_offset, hour, minute=0):
    return dt.datetime.combine(MONDAY + dt.timedelta(days=day_offset), dt.time(hour, minute), tzinfo=ZONE)


def day(offset):
    return MONDAY + dt.timedelta(days=offset)


@pytest.fixture
def two_places(practitioner_a, practitioner_b, patient_a):
    """Ada: Monday 09:30-17:00 at North and 09:30-13:00 at South (overlapping); Wednesday 09:00-12:00 at North,
    extra hours 11:00-13:00 there (overlapping at one location) and time off 09:00-10:00. Bo: Tuesday 09:00-12:00
    at South and 12:00-14:00 at North (touching: nothing to count twice). One room at each location."""
    places = TwoPlaces(patient_a)
    north, south = places.north, places.south

    def exception(kind, offset, start, end, **extra):
        AvailabilityException.objects.create(
            practitioner=practitioner_a, kind=kind, date=day(offset), start_time=start, end_time=end, **extra
        )

    places.start_overlap(practitioner_a, at)
    exception(K.EXTRA_HOURS, 2, dt.time(11), dt.time(13), location=north)
    exception(K.TIME_OFF, 2, dt.time(9), dt.time(10))
    places.book(practitioner_a, north, at(2, 11), at(2, 11, 30))
    places.hours(practitioner_b, south, 1, dt.time(9), dt.time(12))
    places.hours(practitioner_b, north, 1, dt.time(12), dt.time(14))
    places.book(practitioner_b, south, at(1, 11), at(1, 11, 30))
    places.book(practitioner_b, north, at(1, 12), at(1, 13))
    return north, south


# By hand, (booked, available, pct) per practitioner and day.
# Everywhere. Ada, Monday: 09:30-17:00 (the union of North's 7.5 h and South's 3.5 h; 11 h when added up), booked
# 1 h + 0.5 h + 1 h. Wednesday: 10:00-12:00 and 11:00-13:00 after the time off, the union 10:00-13:00 = 3 h (4 h
# added up), booked 0.5 h. Bo, Tuesday: 09:00-12:00 and 12:00-14:00 = 5 h, booked 0.5 h + 1 h.
EVERYWHERE = {
    (day(0), ADA): (2.5, 7.5, 33.3),
    (day(1), BO): (1.5, 5.0, 30.0),
    (day(2), ADA): (0.5, 3.0, 16.7),
}
EVERYWHERE_TOTALS = {ADA: (3.0, 10.5, 28.6), BO: (1.5, 5.0, 30.0)}  # added up: Ada 3.0 of 15.0 h, 20.0%
# At North: Ada, Monday 09:30-17:00 (7.5 h), her two North visits; Wednesday as everywhere (all at North). Bo,
# Tuesday 12:00-14:00, his North visit.
AT_NORTH = {
    (day(0), ADA): (2.0, 7.5, 26.7),
    (day(1), BO): (1.0, 2.0, 50.0),
    (day(2), ADA): (0.5, 3.0, 16.7),
}
AT_NORTH_TOTALS = {ADA: (2.5, 10.5, 23.8), BO: (1.0, 2.0, 50.0)}  # added up: Ada 2.5 of 11.5 h, 21.7%
# At South: Ada, Monday 09:30-13:00 and her South visit; Bo, Tuesday 09:00-12:00 and his South visit.
AT_SOUTH = {
    (day(0), ADA): (0.5, 3.5, 14.3),
    (day(1), BO): (0.5, 3.0, 16.7),
    (day(2), ADA): (0.0, 0.0, 0.0),
}
AT_SOUTH_TOTALS = {ADA: (0.5, 3.5, 14.3), BO: (0.5, 3.0, 16.7)}
# The rooms (a location is open while anyone works there, as before). N1: Monday 7.5 h, Tuesday 2 h, Wednesday
# 3 h; booked 2 h + 1 h + 0.5 h. S1: Monday 3.5 h, Tuesday 3 h; booked 0.5 h + 0.5 h.
ROOM_TOTALS = {"N1 (North)": (3.5, 12.5, 28.0), "S1 (South)": (1.0, 6.5, 15.4)}
SCOPES = {"everywhere": None, "north": 0, "south": 1}
EXPECTED = {
    "everywhere": (EVERYWHERE, EVERYWHERE_TOTALS),
    "north": (AT_NORTH, AT_NORTH_TOTALS),
    "south": (AT_SOUTH, AT_SOUTH_TOTALS),
}


def _scope(two_places, where, **extra):
    place = SCOPES[where]
    location_id = None if place is None else two_places[place].pk
    return selectors.Scope(WEEK.first_day, WEEK.last_day, location_id=location_id, **extra)


def _figures(rows):
    return {(r.period, r.practitioner): (r.booked_hours, r.available_hours, r.pct) for r in rows}


@pytest.mark.parametrize("where", ["everywhere", "north", "south"])
def test_available_hours_are_the_union_of_the_intervals(two_places, where):
    daily, totals = EXPECTED[where]
    figures = selectors.utilisation(_scope(two_places, where))
    got = _figures(figures.rows)
    assert {key: got[key] for key in daily} == daily
    assert {got[key] for key in got.keys() - daily.keys()} == {(0.0, 0.0, 0.0)}  # every other day: no hours
    assert {r.practitioner: (r.booked_hours, r.available_hours, r.pct) for r in figures.by_practitioner} == totals


@pytest.mark.parametrize("where", ["everywhere", "north", "south"])
def test_by_week_the_same_totals(two_places, where):
    _, totals = EXPECTED[where]
    weekly = selectors.utilisation(_scope(two_places, where), by_week=True)
    assert {(r.period, r.practitioner): (r.booked_hours, r.available_hours, r.pct) for r in weekly.rows} == {
        (MONDAY, name): figures for name, figures in totals.items()
    }


def test_one_practitioners_report(two_places, practitioner_a):
    own = selectors.utilisation(_scope(two_places, "everywhere", practitioner_id=practitioner_a.pk))
    assert [(r.practitioner, r.booked_hours, r.available_hours) for r in own.by_practitioner] == [(ADA, 3.0, 10.5)]


def test_the_rooms_opening_hours_do_not_change(two_places):
    figures = selectors.utilisation(WEEK)
    assert {r.practitioner: (r.booked_hours, r.available_hours, r.pct) for r in figures.by_room} == ROOM_TOTALS
    rows = _figures(figures.room_rows)
    assert rows[(day(0), "N1 (North)")] == (2.0, 7.5, 26.7) and rows[(day(0), "S1 (South)")] == (0.5, 3.5, 14.3)
    assert rows[(day(2), "N1 (North)")] == (0.5, 3.0, 16.7)


def test_still_four_queries(two_places):
    with CaptureQueriesContext(connection) as everywhere:
        selectors.utilisation(WEEK)
    with CaptureQueriesContext(connection) as north:
        selectors.utilisation(_scope(two_places, "north"))
    assert len(everywhere) == len(north) == 4


@pytest.mark.parametrize("where", ["everywhere", "north", "south"])
def test_the_page_and_the_csv(two_places, client_for, clinic_admin, where):
    daily, totals = EXPECTED[where]
    place = SCOPES[where]
    params = PARAMS if place is None else {**PARAMS, "location": two_places[place].pk}
    html, lines = page_and_csv(client_for(clinic_admin), "reports:utilisation", params)
    for name, (booked, available, pct) in totals.items():  # the per-practitioner table
        assert f'<th scope="row">{name}</th><td>{booked}</td><td>{available}</td><td>{pct}%</td>' in html
    for (when, name), (booked, available, pct) in daily.items():  # the per-day table
        shown = f"{when:%a} {when.day} {when:%b %Y}"
        assert f"<td>{shown}</td><td>{name}</td><td>{booked}</td><td>{available}</td><td>{pct}%</td>" in html
    assert lines[0] == "day,practitioner,room,booked_hours,available_hours,pct"
    for (when, name), (booked, available, pct) in daily.items():
        assert f"{when},{name},,{booked},{available},{pct}" in lines
    ada_available = sum(float(line.split(",")[4]) for line in lines[1:] if f",{ADA},," in line)
    assert ada_available == totals[ADA][1]  # the CSV's days add up to the total
    if place is None:
        for room, (booked, available, pct) in ROOM_TOTALS.items():
            assert f'<th scope="row">{room}</th><td>{booked}</td><td>{available}</td><td>{pct}%</td>' in html
