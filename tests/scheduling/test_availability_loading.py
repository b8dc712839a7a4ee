"""Availability against the database: random calendars written as rows, `find_slots` (the three queries of
`load_schedule`, instants as integers from the database, then `free_slots`) compared with a brute-force check
that reads the same rows through the ORM as datetimes. Runs on SQLite and, with DATABASE_URL, on PostgreSQL,
whose exclusion constraints accept every calendar generated here."""

import datetime as dt
import zoneinfo

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic.models import Practitioner, Room
from scheduling import availability
from scheduling.availability import Busy, ScheduleData, find_slots, load_schedule, working_intervals
from scheduling.models import Appointment, AvailabilityException, WorkingHours
from tests.clinic.factories import LocationFactory, PatientFactory, PractitionerFactory, RoomFactory
from tests.scheduling.factories import AppointmentFactory, AppointmentTypeFactory

NY = zoneinfo.ZoneInfo("America/New_York")
UTC = dt.UTC
# Saturday 31 October 2026: the calendars run over the autumn clock change (Sunday 1 November).
FIRST_DAY = dt.date(2026, 10, 31)
DAYS = 3
NOW = dt.datetime.combine(FIRST_DAY, dt.time(0), tzinfo=NY) - dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _clinic_zone(settings):
    settings.TIME_ZONE = "America/New_York"


@pytest.fixture
def cast(db):
    """Three practitioners (one inactive), two locations and an inactive one, rooms (one inactive)."""
    main, other, closed = (
        LocationFactory(name="Harbour Street"),
        LocationFactory(name="Annex"),
        LocationFactory(name="Closed", active=False),
    )
    rooms = {
        main.pk: [RoomFactory(location=main, name=n) for n in ("Room 2", "Room 1")],  # order is by name
        other.pk: [RoomFactory(location=other, name="Room A")],
        closed.pk: [RoomFactory(location=closed, name="Room Z")],
    }
    RoomFactory(location=main, name="Room 0", active=False)
    practitioners = [
        PractitionerFactory(display_name="Dr. Cy Cole"),
        PractitionerFactory(display_name="Dr. Ada Adams"),
        PractitionerFactory(display_name="Dr. Bo Brown"),
        PractitionerFactory(display_name="Dr. Gone", active=False),
    ]
    return {
        "locations": [main, other, closed],
        "rooms": rooms,
        "practitioners": practitioners,
        "type": AppointmentTypeFactory(slug="loading-test"),
        "patient": PatientFactory(),
    }


def quarter(n: int) -> dt.time:
    return dt.time(n * 15 // 60, n * 15 % 60)


@st.composite
def calendars(draw, cast):
    practitioners = cast["practitioners"]
    locations = cast["locations"]
    hours = []
    for p in practitioners:
        for weekday in draw(st.sets(st.sampled_from([5, 6, 0]), max_size=3)):  # Saturday, Sunday, Monday
            cuts = sorted(draw(st.sets(st.integers(0, 95), min_size=0, max_size=4)))
            for a, b in zip(cuts[::2], cuts[1::2], strict=False):
                location = draw(st.sampled_from(locations))
                hours.append(
                    WorkingHours(
                        practitioner=p, location=location, weekday=weekday, start_time=quarter(a), end_time=quarter(b)
                    )
                )
    exceptions = []
    for p in practitioners:
        for _ in range(draw(st.integers(0, 2))):
            day = FIRST_DAY + dt.timedelta(days=draw(st.integers(-1, DAYS)))
            kind = draw(st.sampled_from(["time_off", "extra_hours"]))
            a, b = sorted(draw(st.sets(st.integers(28, 80), min_size=2, max_size=2)))
            whole = kind == "time_off" and draw(st.booleans())
            exceptions.append(
                AvailabilityException(
                    practitioner=p,
                    kind=kind,
                    date=day,
                    start_time=None if whole else quarter(a),
                    end_time=None if whole else quarter(b),
                    location=draw(st.sampled_from(locations)) if kind == "extra_hours" else None,
                )
            )
    all_rooms = [r for rooms in cast["rooms"].values() for r in rooms]
    busy = []
    start_of = dt.datetime.combine(FIRST_DAY, dt.time(0), tzinfo=NY)
    for _ in range(draw(st.integers(0, 14))):
        p = draw(st.sampled_from(practitioners))
        room = draw(st.sampled_from(all_rooms))
        # Minutes from local midnight of the day before the first day, with odd seconds and microseconds now and
        # then (rows written around the booking service): the loading must keep them exactly.
        start = (
            start_of
            + dt.timedelta(minutes=draw(st.integers(-24 * 60, (DAYS + 1) * 24 * 60)))
            + dt.timedelta(microseconds=draw(st.sampled_from([0, 0, 0, 1, 500_000, 59_999_999])))
        )
        end = start + dt.timedelta(minutes=draw(st.sampled_from([15, 30, 45, 60, 24 * 60 + 90])))
        blocks = end + dt.timedelta(minutes=draw(st.sampled_from([0, 5, 10])))
        status = draw(st.sampled_from(["booked", "booked", "completed", "checked_in", "cancelled", "no_show"]))
        row = (start, end, blocks, p, room, status)
        active = status not in ("cancelled", "no_show")
        clash = active and any(
            o[5] not in ("cancelled", "no_show")
            and ((o[3] == p and o[0] < end and start < o[1]) or (o[4] == room and o[0] < blocks and start < o[2]))
            for o in busy
        )
        if not clash:  # keep only what PostgreSQL's exclusion constraints accept
            busy.append(row)
    asked = draw(st.sampled_from([None, [practitioners[0].pk], [practitioners[1].pk, practitioners[3].pk]]))
    duration = draw(st.sampled_from([15, 30, 60]))
    buffer = draw(st.sampled_from([0, 5, 10]))
    exclude = draw(st.booleans())
    return hours, exceptions, busy, asked, duration, buffer, exclude


def brute_force(*, asked, duration, buffer, one_per_start, exclude_id) -> list[tuple]:
    """The rule written plainly over ORM rows: every grid start of every working interval, every appointment
    and room checked one by one."""
    duration, held = dt.timedelta(minutes=duration), dt.timedelta(minutes=duration + buffer)
    practitioners = Practitioner.objects.filter(active=True).order_by("display_name")
    if asked is not None:
        practitioners = practitioners.filter(pk__in=asked)
    data = ScheduleData(practitioner_ids=[p.pk for p in practitioners])
    for h in WorkingHours.objects.filter(location__active=True, practitioner__in=practitioners):
        data.hours.setdefault(h.practitioner_id, []).append(
            availability.HoursRow(h.weekday, h.start_time, h.end_time, h.location_id)
        )
    for e in AvailabilityException.objects.filter(practitioner__in=practitioners):
        data.exceptions.setdefault(e.practitioner_id, []).append(
            availability.ExceptionRow(e.date, e.kind, e.start_time, e.end_time, e.location_id)
        )
    rooms: dict[int, list[int]] = {}
    for r in Room.objects.filter(active=True, location__active=True):  # Room's own order
        rooms.setdefault(r.location_id, []).append(r.pk)
    window_start = dt.datetime.combine(FIRST_DAY, dt.time(0), tzinfo=NY)
    window_end = dt.datetime.combine(FIRST_DAY + dt.timedelta(days=DAYS), dt.time(0), tzinfo=NY)
    busy = list(
        Appointment.objects.filter(
            status__in=Appointment.ACTIVE_STATUSES, start__lt=window_end, blocks_until__gt=window_start
        ).exclude(pk=exclude_id)
    )
    found = []
    for offset in range(DAYS):
        day = FIRST_DAY + dt.timedelta(days=offset)
        for order, pid in enumerate(data.practitioner_ids):
            mine = {}
            for iv in working_intervals(data, pid, day, NY):
                if not rooms.get(iv.location_id):
                    continue
                cand = iv.start + dt.timedelta(minutes=(-(iv.start.hour * 60 + iv.start.minute)) % 15)
                cand = cand.astimezone(UTC)
                while cand + duration <= iv.end:
                    p_free = not any(
                        b.practitioner_id == pid and b.start < cand + duration and cand < b.end for b in busy
                    )
                    room = next(
                        (
                            r
                            for r in rooms[iv.location_id]
                            if not any(b.room_id == r and b.start < cand + held and cand < b.blocks_until for b in busy)
                        ),
                        None,
                    )
                    if cand >= NOW and p_free and room is not None and cand not in mine:
                        mine[cand] = room
                    cand += dt.timedelta(minutes=15)
            found += [(start, order, pid, room) for start, room in mine.items()]
    found.sort()
    if one_per_start:
        first = {}
        for start, _order, pid, room in found:
            first.setdefault(start, (start, pid, room))
        return list(first.values())
    return [(start, pid, room) for start, _order, pid, room in found]


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_loaded_from_the_database_matches_brute_force(cast, data):
    hours, exceptions, busy, asked, duration, buffer, exclude = data.draw(calendars(cast))
    appointment_type = cast["type"]
    with transaction.atomic():
        WorkingHours.objects.bulk_create(hours)
        AvailabilityException.objects.bulk_create(exceptions)
        rows = Appointment.objects.bulk_create(
            [
                Appointment(
                    patient=cast["patient"],
                    practitioner=p,
                    room=room,
                    appointment_type=appointment_type,
                    start=start,
                    end=end,
                    blocks_until=blocks,
                    status=status,
                )
                for start, end, blocks, p, room, status in busy
            ]
        )
        exclude_id = rows[0].pk if exclude and rows else None
        appointment_type.duration = dt.timedelta(minutes=duration)
        appointment_type.buffer_after = dt.timedelta(minutes=buffer)
        for one_per_start in (False, True):
            result = find_slots(
                appointment_type=appointment_type,
                practitioner_ids=asked,
                first_day=FIRST_DAY,
                days=DAYS,
                now=NOW,
                min_notice=dt.timedelta(0),
                horizon=None,
                one_per_start=one_per_start,
                exclude_appointment_id=exclude_id,
            )
            expected = brute_force(
                asked=asked, duration=duration, buffer=buffer, one_per_start=one_per_start, exclude_id=exclude_id
            )
            assert [(s.start.astimezone(UTC), s.practitioner_id, s.room_id) for s in result] == expected
            assert all(s.start.tzinfo == NY for s in result)
        transaction.set_rollback(True)


def test_three_queries_whatever_the_range(cast):
    p = cast["practitioners"][1]
    main = cast["locations"][0]
    for weekday in range(7):
        WorkingHours.objects.create(
            practitioner=p, location=main, weekday=weekday, start_time=dt.time(8), end_time=dt.time(12)
        )
    for offset in range(0, 60, 2):
        start = dt.datetime.combine(FIRST_DAY + dt.timedelta(days=offset), dt.time(9), tzinfo=NY)
        AppointmentFactory(practitioner=p, room=cast["rooms"][main.pk][0], appointment_type=cast["type"], start=start)
    counts = []
    for days in (1, 30, 60):
        with CaptureQueriesContext(connection) as queries:
            data = load_schedule(
                practitioner_ids=None, first_day=FIRST_DAY, last_day=FIRST_DAY + dt.timedelta(days=days - 1)
            )
        counts.append(len(queries))
        assert len(data.busy_rows) == (days + 1) // 2
    assert counts == [3, 3, 3]


def test_instants_come_back_as_exact_epoch_microseconds(cast):
    p = cast["practitioners"][1]
    room = cast["rooms"][cast["locations"][0].pk][0]
    WorkingHours.objects.create(
        practitioner=p, location=cast["locations"][0], weekday=5, start_time=dt.time(8), end_time=dt.time(12)
    )
    start = dt.datetime(2026, 10, 31, 13, 0, 0, 1, tzinfo=UTC)
    AppointmentFactory(
        practitioner=p,
        room=room,
        appointment_type=cast["type"],
        start=start,
        end=start + dt.timedelta(minutes=30, microseconds=499_999),
        blocks_until=start + dt.timedelta(minutes=40, microseconds=999_998),
    )
    data = load_schedule(practitioner_ids=[p.pk], first_day=FIRST_DAY, last_day=FIRST_DAY)
    ((s, e, b, pid, room_id),) = data.busy_rows
    assert (pid, room_id) == (p.pk, room.pk)
    assert availability.from_micros(s, UTC) == start
    assert availability.from_micros(e, UTC) == start + dt.timedelta(minutes=30, microseconds=499_999)
    assert availability.from_micros(b, UTC) == start + dt.timedelta(minutes=40, microseconds=999_998)


def test_an_appointment_that_began_days_before_still_holds_its_room(cast):
    """Found on PostgreSQL by the room constraint's index, on SQLite by reading the history."""
    p, other = cast["practitioners"][1], cast["practitioners"][2]
    main = cast["locations"][0]
    room_2, room_1 = cast["rooms"][main.pk]
    WorkingHours.objects.create(practitioner=p, location=main, weekday=5, start_time=dt.time(8), end_time=dt.time(9))
    long_ago = dt.datetime.combine(FIRST_DAY - dt.timedelta(days=5), dt.time(8), tzinfo=NY)
    AppointmentFactory(
        practitioner=other,
        room=room_1,
        appointment_type=cast["type"],
        start=long_ago,
        end=long_ago + dt.timedelta(days=6),
        blocks_until=long_ago + dt.timedelta(days=6),
    )
    slots = find_slots(
        appointment_type=cast["type"],
        practitioner_ids=[p.pk],
        first_day=FIRST_DAY,
        days=1,
        now=NOW,
        min_notice=dt.timedelta(0),
        horizon=None,
    )
    assert {s.room_id for s in slots} == {room_2.pk}  # "Room 1" comes first by name, but it is taken all day


def test_hand_built_and_loaded_appointments_count_alike():
    """`busy` (datetimes) and `busy_rows` (integers) are two spellings of the same appointments."""
    start = dt.datetime(2026, 6, 1, 10, 0, tzinfo=NY)
    hand_built = Busy(start, start + dt.timedelta(minutes=30), start + dt.timedelta(minutes=40), 1, 101)
    loaded = (
        availability.to_micros(start),
        availability.to_micros(start) + 30 * 60_000_000,
        availability.to_micros(start) + 40 * 60_000_000,
        1,
        101,
    )
    assert ScheduleData([1], busy=[hand_built]).all_busy_rows() == [loaded]
    assert ScheduleData([1], busy_rows=[loaded]).all_busy_rows() == [loaded]
    assert availability.from_micros(loaded[0], NY) == start
