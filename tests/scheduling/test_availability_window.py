"""`load_schedule` for every practitioner ("any practitioner") reads the appointments in two parts on SQLite (those
starting from a day before the window, by the `start` index; those starting earlier, as for a few practitioners):
together they must be exactly the rows the one-part read finds, at both edges of each part. On PostgreSQL both
questions take its own two parts; the test holds there too."""

import datetime as dt
import zoneinfo

import pytest

from scheduling.availability import LOOKBACK, day_bounds, load_schedule, to_micros
from scheduling.models import WorkingHours
from tests.clinic.factories import LocationFactory, PractitionerFactory, RoomFactory
from tests.scheduling.factories import AppointmentFactory, AppointmentTypeFactory

NY = zoneinfo.ZoneInfo("America/New_York")
DAY = dt.date(2026, 10, 31)  # a Saturday
US = dt.timedelta(microseconds=1)


@pytest.fixture(autouse=True)
def _clinic_zone(settings):
    settings.TIME_ZONE = "America/New_York"


@pytest.mark.django_db
def test_every_practitioner_finds_the_same_rows_as_naming_them_all():
    main, annex = LocationFactory(name="Main"), LocationFactory(name="Annex")
    r1, r2 = RoomFactory(location=main, name="Room 1"), RoomFactory(location=main, name="Room 2")
    r3, r4 = RoomFactory(location=annex, name="Room A"), RoomFactory(location=main, name="Room 3")
    p1, p2, p3 = (PractitionerFactory(display_name=f"Dr. {n}") for n in ("Ames", "Bell", "Cole"))
    for p, location in ((p1, main), (p2, main), (p3, annex)):
        WorkingHours.objects.create(
            practitioner=p, location=location, weekday=DAY.weekday(), start_time=dt.time(8), end_time=dt.time(18)
        )
    kind = AppointmentTypeFactory(slug="window-test")
    window_start, window_end = day_bounds(DAY, NY)
    lookback = window_start - LOOKBACK

    def visit(p, room, start, end, blocks_until=None):
        return AppointmentFactory(
            practitioner=p, room=room, appointment_type=kind, start=start, end=end, blocks_until=blocks_until or end
        )

    wanted = [
        visit(p1, r1, lookback - dt.timedelta(days=5), window_start + dt.timedelta(hours=2)),  # long ago, still on
        visit(p2, r2, lookback, window_start + dt.timedelta(hours=1)),  # the first instant of the recent part
        visit(p3, r3, lookback - US, lookback, window_start + US),  # the last instant before it, room held into it
        visit(p1, r1, window_start + dt.timedelta(hours=9), window_start + dt.timedelta(hours=10)),
        visit(p2, r2, window_end - dt.timedelta(minutes=10), window_end),  # ends with the window
    ]
    visit(p3, r3, window_end, window_end + dt.timedelta(minutes=30))  # starts as the window ends: not wanted
    visit(p3, r4, lookback - dt.timedelta(hours=3), lookback - dt.timedelta(hours=2), window_start)  # freed as it opens

    every = load_schedule(practitioner_ids=None, first_day=DAY, last_day=DAY)
    named = load_schedule(practitioner_ids=[p1.pk, p2.pk, p3.pk], first_day=DAY, last_day=DAY)
    assert every.practitioner_ids == named.practitioner_ids == [p1.pk, p2.pk, p3.pk]
    assert sorted(every.busy_rows) == sorted(named.busy_rows)
    assert sorted(every.busy_rows) == sorted(
        (to_micros(a.start), to_micros(a.end), to_micros(a.blocks_until), a.practitioner_id, a.room_id) for a in wanted
    )
