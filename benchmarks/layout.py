"""The benchmark scenario as plain data, shared by our seeding (Django, our models) and the peer's seeding
(django-appointment's models, run by another Python). No Django import here.

The issue asks for 10 practitioners working weekdays 08:00-18:00 with a lunch break, 3 rooms at each of 2
locations, and 20 booked appointments per practitioner per day for 60 days. Rooms bind: 200 sessions a day in
6 rooms x 9 hours leaves at most 16 minutes per session, so the booked sessions are 10-minute follow-ups,
seen five in a row (a 50-minute block in one room). A day has nine block times; each practitioner works four
of them, and at most three practitioners of a location use the same block time (one per room). What remains
free is real free time for a 30-minute session, limited by the practitioner and by the rooms.

The "busy day" (10 practitioners x 40 sessions) cannot fit 3 rooms a location (5 x 40 x 10 min > 3 x 540 min),
so it is seeded on a day outside the 60 days with 2 extra rooms per location, added only after the
availability and 10 x 20 day-view figures are taken.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass

PRACTITIONERS = 10
LOCATIONS = 2
ROOMS_PER_LOCATION = 3
BUSY_DAY_EXTRA_ROOMS = 2
DAYS = 60
SESSION_MINUTES = 10  # the booked follow-ups
SESSIONS_PER_BLOCK = 5
SERVICE_MINUTES = 30  # the type whose free times are measured (and the peer's one service)
HOURS = ((dt.time(8, 0), dt.time(12, 0)), (dt.time(13, 0), dt.time(18, 0)))  # lunch 12:00-13:00
LUNCH = (dt.time(12, 0), dt.time(13, 0))
BLOCK_STARTS = tuple(dt.time(h, 0) for h in (8, 9, 10, 11, 13, 14, 15, 16, 17))
WORKING_WEEKDAYS = (0, 1, 2, 3, 4)  # Monday..Friday
SEED = 20261125


@dataclass(frozen=True)
class Session:
    practitioner: int  # 0..9
    day: dt.date  # local date
    start: dt.time  # local wall clock
    minutes: int
    room: int  # index within the practitioner's location (0..2, or 0..4 on the busy day)
    patient: int  # 0..PATIENTS-1


PATIENTS = 200


def location_of(practitioner: int) -> int:
    return practitioner % LOCATIONS


def practitioners_at(location: int) -> list[int]:
    return [p for p in range(PRACTITIONERS) if location_of(p) == location]


def working_days(first_day: dt.date, days: int) -> list[dt.date]:
    return [d for d in (first_day + dt.timedelta(days=i) for i in range(days)) if d.weekday() in WORKING_WEEKDAYS]


def _block_sessions(p: int, day: dt.date, block_start: dt.time, room: int, patient_counter: list[int]) -> list:
    out = []
    base = dt.datetime.combine(day, block_start)
    for k in range(SESSIONS_PER_BLOCK):
        start = (base + dt.timedelta(minutes=k * SESSION_MINUTES)).time()
        out.append(Session(p, day, start, SESSION_MINUTES, room, patient_counter[0] % PATIENTS))
        patient_counter[0] += 1
    return out


def sessions(first_day: dt.date, days: int = DAYS, per_day: int = 20) -> list[Session]:
    """The booked sessions of the scenario: `per_day` per practitioner on each working day (deterministic)."""
    blocks_per_day = per_day // SESSIONS_PER_BLOCK
    rng = random.Random(SEED)
    counter = [0]
    out: list[Session] = []
    for day in working_days(first_day, days):
        for location in range(LOCATIONS):
            used = {b: 0 for b in BLOCK_STARTS}  # rooms taken per block time at this location
            for p in practitioners_at(location):
                free = [b for b in BLOCK_STARTS if used[b] < ROOMS_PER_LOCATION]
                for b in sorted(rng.sample(free, blocks_per_day)):
                    out.extend(_block_sessions(p, day, b, used[b], counter))
                    used[b] += 1
    return out


def busy_day_sessions(day: dt.date, per_day: int = 40) -> list[Session]:
    """`per_day` sessions for every practitioner on one day; each practitioner keeps one room all day."""
    blocks = per_day // SESSIONS_PER_BLOCK
    assert blocks <= len(BLOCK_STARTS)
    counter = [0]
    out: list[Session] = []
    for location in range(LOCATIONS):
        for room, p in enumerate(practitioners_at(location)):
            for b in BLOCK_STARTS[:blocks]:
                out.extend(_block_sessions(p, day, b, room, counter))
    return out


def check(rows: list[Session]) -> None:
    """No practitioner and no room is used twice at once (the same rule as the database constraints)."""
    by_key: dict[tuple, list] = {}
    for s in rows:
        start = dt.datetime.combine(s.day, s.start)
        end = start + dt.timedelta(minutes=s.minutes)
        by_key.setdefault(("practitioner", s.practitioner), []).append((start, end, s))
        by_key.setdefault(("room", location_of(s.practitioner), s.room), []).append((start, end, s))
    for periods in by_key.values():
        periods.sort(key=lambda x: x[0])
        for (_, end, _s), (start, _e, s) in itertools.pairwise(periods):
            if start < end:
                raise AssertionError(f"overlap in the scenario: {s}")


def first_day(today: dt.date) -> dt.date:
    """The scenario starts tomorrow (no half-gone day in the figures)."""
    return today + dt.timedelta(days=1)


def next_working_day(day: dt.date) -> dt.date:
    while day.weekday() not in WORKING_WEEKDAYS:
        day += dt.timedelta(days=1)
    return day


def busy_day(start: dt.date) -> dt.date:
    return next_working_day(start + dt.timedelta(days=DAYS))


def race_day(start: dt.date) -> dt.date:
    return next_working_day(busy_day(start) + dt.timedelta(days=1))
