"""The idle gaps when a practitioner works at two locations at overlapping or touching times: each free stretch
listed once (the working intervals merged first), counted by hand, on the page and in the CSV."""

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


def at(day_offset, hour, minute=0):
    return dt.datetime.combine(MONDAY + dt.timedelta(days=day_offset), dt.time(hour, minute), tzinfo=ZONE)


@pytest.fixture
def two_places(practitioner_a, practitioner_b, patient_a):
    """Ada: Monday 09:30-17:00 at North and 09:30-13:00 at South (overlapping); Wednesday 09:00-12:00 at North
    and extra hours 11:00-13:00 there (overlapping at one location). Bo: Tuesday 09:00-12:00 at South and
    12:00-14:00 at North (touching). The shortest type is 30 minutes (the factory's)."""
    places = TwoPlaces(patient_a)
    north, south = places.north, places.south
    places.start_overlap(practitioner_a, at)
    AvailabilityException.objects.create(
        practitioner=practitioner_a,
        kind=AvailabilityException.Kind.EXTRA_HOURS,
        date=MONDAY + dt.timedelta(days=2),
        start_time=dt.time(11),
        end_time=dt.time(13),
        location=north,
    )
    places.hours(practitioner_b, south, 1, dt.time(9), dt.time(12))
    places.hours(practitioner_b, north, 1, dt.time(12), dt.time(14))
    places.book(practitioner_b, south, at(1, 11), at(1, 11, 30))
    return north, south


# By hand. Ada, Monday, 09:30-17:00 (the union of both places) less 10:00-11:00, 12:00-12:30 and 14:00-15:00;
# Bo, Tuesday, 09:00-14:00 less 11:00-11:30; Ada, Wednesday, 09:00-13:00 free. 810 minutes, 13.5 hours.
EVERYWHERE = [
    ("2026-06-01", "Dr. Ada Adams", "09:30", "10:00", 30),
    ("2026-06-01", "Dr. Ada Adams", "11:00", "12:00", 60),
    ("2026-06-01", "Dr. Ada Adams", "12:30", "14:00", 90),
    ("2026-06-01", "Dr. Ada Adams", "15:00", "17:00", 120),
    ("2026-06-02", "Dr. Bo Brown", "09:00", "11:00", 120),
    ("2026-06-02", "Dr. Bo Brown", "11:30", "14:00", 150),
    ("2026-06-03", "Dr. Ada Adams", "09:00", "13:00", 240),
]
# At North: Ada's Monday is the same (her visit at South still fills her time); Bo's Tuesday is 12:00-14:00.
AT_NORTH = [*EVERYWHERE[:4], ("2026-06-02", "Dr. Bo Brown", "12:00", "14:00", 120), EVERYWHERE[6]]
# At South: Ada 09:30-13:00 less her three visits; Bo 09:00-12:00 less his. Nobody works at South on Wednesday.
AT_SOUTH = [
    *EVERYWHERE[:2],
    ("2026-06-01", "Dr. Ada Adams", "12:30", "13:00", 30),
    EVERYWHERE[4],
    ("2026-06-02", "Dr. Bo Brown", "11:30", "12:00", 30),
]


def _listed(figures):
    return [(str(g.day), g.practitioner, f"{g.start:%H:%M}", f"{g.end:%H:%M}", g.minutes) for g in figures.gaps]


def test_overlapping_and_touching_hours_are_one_stretch(two_places):
    figures = selectors.idle_gaps(WEEK)
    assert _listed(figures) == EVERYWHERE
    # Not 16.5: Ada's Monday at South (2 h) and the overlap of her Wednesday hours (1 h) are not counted again.
    assert figures.hours == 13.5


@pytest.mark.parametrize("place, expected, hours", [(0, AT_NORTH, 11.0), (1, AT_SOUTH, 4.5)])
def test_a_location_filter_counts_that_location_only(two_places, place, expected, hours):
    location = two_places[place]
    figures = selectors.idle_gaps(selectors.Scope(WEEK.first_day, WEEK.last_day, location_id=location.pk))
    assert _listed(figures) == expected
    assert figures.hours == hours


def test_still_four_queries(two_places):
    with CaptureQueriesContext(connection) as queries:
        selectors.idle_gaps(WEEK)
    assert len(queries) == 4


@pytest.mark.parametrize("place, expected, hours", [(None, EVERYWHERE, "13.5"), (1, AT_SOUTH, "4.5")])
def test_the_page_and_the_csv_show_the_same_gaps_and_total(
    two_places, client_for, clinic_admin, place, expected, hours
):
    params = PARAMS if place is None else {**PARAMS, "location": two_places[place].pk}
    html, lines = page_and_csv(client_for(clinic_admin), "reports:utilisation_gaps", params)
    assert f"{len(expected)} gaps, {hours} hours in all." in html
    assert html.count("<td>Dr. ") == len(expected)  # one row per gap
    for _day, _name, start, end, minutes in expected:
        assert f"<td>{start}</td><td>{end}</td><td>{minutes}</td>" in html
    assert lines == ["day,practitioner,from,until,minutes", *(",".join(map(str, row)) for row in expected)]
    assert sum(int(line.rsplit(",", 1)[1]) for line in lines[1:]) == float(hours) * 60  # the CSV adds up to it
