"""Availability as pure functions: no database, data built by hand."""

import datetime as dt
import itertools
import zoneinfo

from scheduling.availability import Busy, ExceptionRow, HoursRow, ScheduleData, free_slots, location_for

NY = zoneinfo.ZoneInfo("America/New_York")
UTC = dt.UTC
MONDAY = dt.date(2026, 6, 1)
LOC = 10
A, B = 1, 2
ROOM1, ROOM2 = 101, 102
MIN = dt.timedelta(minutes=1)


def weekday_hours(*intervals, weekday=0):
    return [HoursRow(weekday, dt.time(*s), dt.time(*e), LOC) for s, e in intervals]


def data(hours=None, exceptions=None, busy=(), rooms=(ROOM1,), practitioners=(A,)):
    default = weekday_hours(((8, 0), (12, 0)), ((13, 0), (18, 0)))
    return ScheduleData(
        practitioner_ids=list(practitioners),
        hours={p: (hours if hours is not None else default) for p in practitioners},
        exceptions=exceptions or {},
        rooms_by_location={LOC: list(rooms)},
        busy=list(busy),
    )


def local(day, h, m=0):
    return dt.datetime.combine(day, dt.time(h, m), tzinfo=NY)


def slots(d, *, day=MONDAY, days=1, duration=30, buffer=0, now=None, notice=0, horizon=None, one=False):
    return free_slots(
        d,
        duration=dt.timedelta(minutes=duration),
        buffer_after=dt.timedelta(minutes=buffer),
        first_day=day,
        days=days,
        now=now or local(day, 0) - dt.timedelta(days=1),
        zone=NY,
        grid_minutes=15,
        min_notice=dt.timedelta(minutes=notice),
        horizon=horizon,
        one_per_start=one,
    )


def times(result):
    return [s.start.strftime("%H:%M") for s in result]


def busy(practitioner, room, start, minutes, buffer=0):
    return Busy(start, start + minutes * MIN, start + (minutes + buffer) * MIN, practitioner, room)


def test_working_hours_with_a_lunch_break():
    t = times(slots(data()))
    assert t[0] == "08:00"
    assert "11:30" in t and "11:45" not in t and "12:00" not in t and "12:45" not in t
    assert "13:00" in t and t[-1] == "17:30"
    assert len(t) == 15 + 19


def test_offered_starts_are_in_the_clinic_zone_with_offset():
    first = slots(data())[0]
    assert first.start.isoformat() == "2026-06-01T08:00:00-04:00"
    assert first.start.astimezone(UTC).hour == 12


def test_no_slots_on_a_day_without_hours():
    assert slots(data(), day=MONDAY + dt.timedelta(days=1)) == []


def test_time_off_for_some_hours_removes_only_those():
    exc = {A: [ExceptionRow(MONDAY, "time_off", dt.time(9), dt.time(10), None)]}
    t = times(slots(data(exceptions=exc)))
    assert "08:30" in t and "08:45" not in t and "09:45" not in t and "10:00" in t


def test_whole_day_time_off_removes_the_day():
    exc = {A: [ExceptionRow(MONDAY, "time_off", None, None, None)]}
    assert slots(data(exceptions=exc)) == []


def test_extra_hours_on_a_saturday():
    saturday = MONDAY + dt.timedelta(days=5)
    exc = {A: [ExceptionRow(saturday, "extra_hours", dt.time(9), dt.time(10), LOC)]}
    assert times(slots(data(exceptions=exc), day=saturday)) == ["09:00", "09:15", "09:30"]


def test_practitioner_busy_blocks_overlapping_starts():
    d = data(busy=[busy(A, ROOM2, local(MONDAY, 10), 30)], rooms=(ROOM1, ROOM2))
    t = times(slots(d))
    assert "09:30" in t and "09:45" not in t and "10:15" not in t and "10:30" in t


def test_room_buffer_after_an_existing_appointment_holds_the_room():
    # B holds the only room 10:00-10:30 plus a 10-minute turnover: A cannot use it at 10:30.
    d = data(busy=[busy(B, ROOM1, local(MONDAY, 10), 30, buffer=10)], practitioners=(A, B))
    a_times = times(s for s in slots(d) if s.practitioner_id == A)
    assert "10:30" not in a_times and "10:45" in a_times


def test_new_appointments_buffer_must_fit_before_the_next_in_the_room():
    d = data(busy=[busy(B, ROOM1, local(MONDAY, 10), 30)], practitioners=(A, B))
    with_buffer = times(s for s in slots(d, buffer=10) if s.practitioner_id == A)
    without = times(s for s in slots(d, buffer=0) if s.practitioner_id == A)
    assert "09:30" in without and "09:30" not in with_buffer and "09:15" in with_buffer


def test_minimum_notice():
    now = local(MONDAY, 9, 5)
    t = times(slots(data(), now=now, notice=120))
    assert t[0] == "11:15"


def test_booking_horizon():
    now = local(MONDAY, 0)
    result = slots(data(), days=14, now=now, horizon=dt.timedelta(days=7))
    # Up to and including the local date seven days ahead, nothing after it.
    assert result[-1].start.date() == MONDAY + dt.timedelta(days=7)
    assert result[-1].start.strftime("%H:%M") == "17:30"
    assert {s.start.date() for s in result} == {MONDAY, MONDAY + dt.timedelta(days=7)}


def test_spring_forward_keeps_wall_clock_hours_and_utc_shifts():
    # US DST starts Sunday 8 March 2026. Monday before/after: 08:00 local both weeks, UTC moves by an hour.
    before = slots(data(), day=dt.date(2026, 3, 2))[0].start
    after = slots(data(), day=dt.date(2026, 3, 9))[0].start
    assert before.strftime("%H:%M") == after.strftime("%H:%M") == "08:00"
    assert before.astimezone(UTC).hour == 13 and after.astimezone(UTC).hour == 12


def test_fall_back_keeps_wall_clock_hours_and_utc_shifts():
    before = slots(data(), day=dt.date(2026, 10, 26))[0].start
    after = slots(data(), day=dt.date(2026, 11, 2))[0].start
    assert before.strftime("%H:%M") == after.strftime("%H:%M") == "08:00"
    assert before.astimezone(UTC).hour == 12 and after.astimezone(UTC).hour == 13


def test_hours_across_the_spring_change_skip_the_missing_hour():
    sunday = dt.date(2026, 3, 8)
    d = data(hours=weekday_hours(((0, 0), (6, 0)), weekday=6))
    result = slots(d, day=sunday, duration=15)
    assert len(result) == 5 * 4  # 00:00-06:00 local is five real hours
    t = times(result)
    assert "01:45" in t and "02:00" not in t and "03:00" in t
    assert len({s.start.astimezone(UTC) for s in result}) == len(result)


def test_hours_across_the_fall_change_include_the_repeated_hour():
    sunday = dt.date(2026, 11, 1)
    d = data(hours=weekday_hours(((0, 0), (6, 0)), weekday=6))
    result = slots(d, day=sunday, duration=15)
    assert len(result) == 7 * 4  # 00:00-06:00 local is seven real hours
    utc = [s.start.astimezone(UTC) for s in result]
    assert all(b - a == dt.timedelta(minutes=15) for a, b in itertools.pairwise(utc))
    assert [s.start.strftime("%H:%M") for s in result].count("01:15") == 2


def test_any_practitioner_offers_each_start_once_and_fills_from_whoever_is_free():
    d = data(busy=[busy(A, ROOM1, local(MONDAY, 10), 30)], rooms=(ROOM1, ROOM2), practitioners=(A, B))
    result = slots(d, one=True)
    starts = [s.start for s in result]
    assert len(starts) == len(set(starts))
    at_ten = next(s for s in result if s.start == local(MONDAY, 10))
    assert at_ten.practitioner_id == B and at_ten.room_id == ROOM2
    at_nine = next(s for s in result if s.start == local(MONDAY, 9))
    assert at_nine.practitioner_id == A


def test_room_exhaustion_leaves_the_second_practitioner_without_that_time():
    d = data(busy=[busy(A, ROOM1, local(MONDAY, 10), 30)], practitioners=(A, B))
    b_times = times(s for s in slots(d) if s.practitioner_id == B)
    assert "10:00" not in b_times and "09:30" in b_times and "10:30" in b_times


def test_no_room_at_the_location_means_no_slots():
    assert slots(data(rooms=())) == []


def test_location_for_requires_the_whole_session_inside_hours():
    d = data()
    assert location_for(d, A, local(MONDAY, 11, 30), local(MONDAY, 12), NY) == LOC
    assert location_for(d, A, local(MONDAY, 11, 45), local(MONDAY, 12, 15), NY) is None
    assert location_for(d, A, local(MONDAY, 19), local(MONDAY, 19, 30), NY) is None


def test_extra_hours_elsewhere_overlapping_weekly_hours_offer_a_room_there_when_the_first_location_is_full():
    other_loc, other_room = 20, 201
    d = data(
        exceptions={A: [ExceptionRow(MONDAY, "extra_hours", dt.time(9), dt.time(10), other_loc)]},
        busy=[busy(B, ROOM1, local(MONDAY, 9), 60)],  # the only room at LOC is taken 09:00-10:00
    )
    d.rooms_by_location[other_loc] = [other_room]
    for one in (False, True):
        offered = {s.start.strftime("%H:%M"): s.room_id for s in slots(d, one=one)}
        assert offered["09:00"] == offered["09:30"] == other_room
        assert offered["08:00"] == offered["10:00"] == ROOM1
