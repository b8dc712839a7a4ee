"""Property test: the fast availability engine agrees with a brute-force check on random calendars."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduling.availability import Busy, HoursRow, ScheduleData, free_slots
from tests.scheduling.test_availability import LOC, MONDAY, NY

PRACTITIONERS = (1, 2, 3)
ROOMS = (101, 102)
UTC = dt.UTC


def local(minutes):
    return dt.datetime.combine(MONDAY, dt.time(0), tzinfo=NY) + dt.timedelta(minutes=minutes)


@st.composite
def calendars(draw):
    hours = {}
    for p in PRACTITIONERS:
        cuts = sorted(draw(st.sets(st.integers(28, 76), min_size=0, max_size=4)))  # quarter hours 07:00-19:00
        rows = [
            HoursRow(0, dt.time(a * 15 // 60, a * 15 % 60), dt.time(b * 15 // 60, b * 15 % 60), LOC)
            for a, b in zip(cuts[::2], cuts[1::2], strict=False)
            if a < b
        ]
        hours[p] = rows
    wanted = draw(
        st.lists(
            st.tuples(
                st.sampled_from(PRACTITIONERS),
                st.sampled_from(ROOMS),
                st.integers(7 * 60, 19 * 60),
                st.sampled_from([15, 20, 30, 45, 60]),
                st.sampled_from([0, 5, 10]),
            ),
            max_size=12,
        )
    )
    busy = []
    for p, r, start, minutes, buffer in wanted:  # keep only what the database would have accepted
        b = Busy(
            local(start),
            local(start + minutes),
            local(start + minutes + buffer),
            p,
            r,
        )
        clash = any(
            (o.practitioner_id == p and o.start < b.end and b.start < o.end)
            or (o.room_id == r and o.start < b.blocks_until and b.start < o.blocks_until)
            for o in busy
        )
        if not clash:
            busy.append(b)
    duration = draw(st.sampled_from([15, 30, 60]))
    buffer = draw(st.sampled_from([0, 5, 10]))
    return ScheduleData(list(PRACTITIONERS), hours, {}, {LOC: list(ROOMS)}, busy), duration, buffer


def brute_force(data, duration, buffer):
    expected = set()
    for p in PRACTITIONERS:
        for h in data.hours[p]:
            start = dt.datetime.combine(MONDAY, h.start_time, tzinfo=NY)
            end = dt.datetime.combine(MONDAY, h.end_time, tzinfo=NY)
            cand = start
            while cand + dt.timedelta(minutes=duration) <= end:
                cend = cand + dt.timedelta(minutes=duration)
                cblock = cend + dt.timedelta(minutes=buffer)
                p_free = not any(b.practitioner_id == p and b.start < cend and cand < b.end for b in data.busy)
                rooms = [
                    r
                    for r in ROOMS
                    if not any(b.room_id == r and b.start < cblock and cand < b.blocks_until for b in data.busy)
                ]
                if p_free and rooms:
                    expected.add((cand.astimezone(UTC), p, rooms[0]))
                cand += dt.timedelta(minutes=15)
    return expected


def engine(data, duration, buffer, **options):
    """The engine's slots on the calendar's Monday, seen from the day before, as (UTC start, practitioner, room)."""
    result = free_slots(
        data,
        duration=dt.timedelta(minutes=duration),
        buffer_after=dt.timedelta(minutes=buffer),
        first_day=MONDAY,
        days=1,
        now=local(0) - dt.timedelta(days=1),
        zone=NY,
        grid_minutes=15,
        **options,
    )
    return [(s.start.astimezone(UTC), s.practitioner_id, s.room_id) for s in result]


@settings(max_examples=150, deadline=None)
@given(calendars())
def test_engine_matches_brute_force(calendar):
    data, duration, buffer = calendar
    assert set(engine(data, duration, buffer)) == brute_force(data, duration, buffer)


@settings(max_examples=150, deadline=None)
@given(calendars())
def test_any_practitioner_is_the_first_free_one_in_order_at_each_start(calendar):
    data, duration, buffer = calendar
    result = engine(data, duration, buffer, one_per_start=True)
    first_per_start = {}
    for start, p, room in sorted(brute_force(data, duration, buffer), key=lambda s: (s[0], PRACTITIONERS.index(s[1]))):
        first_per_start.setdefault(start, (start, p, room))
    assert result == sorted(first_per_start.values())
