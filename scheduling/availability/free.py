"""Pure functions over loaded rows: working intervals, free start times and where a practitioner works.
No database here (tests/scheduling/test_availability_layout.py): the same data gives the same answer."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import operator
from collections.abc import Sequence

from scheduling.availability.rows import (
    MICROSECOND,
    BusyRow,
    ExceptionRow,
    HoursRow,
    Interval,
    ScheduleData,
    Slot,
    day_bounds,
    from_micros,
    to_micros,
)


def _subtract(intervals: list[Interval], cut_start: dt.datetime, cut_end: dt.datetime) -> list[Interval]:
    result = []
    for iv in intervals:
        if cut_end <= iv.start or cut_start >= iv.end:
            result.append(iv)
            continue
        if iv.start < cut_start:
            result.append(Interval(iv.start, cut_start, iv.location_id))
        if cut_end < iv.end:
            result.append(Interval(cut_end, iv.end, iv.location_id))
    return result


def working_intervals(data: ScheduleData, practitioner_id: int, day: dt.date, zone: dt.tzinfo) -> list[Interval]:
    """When the practitioner works on a local date: weekly hours plus extra hours, minus time off."""
    return _working_intervals(
        data.hours.get(practitioner_id, ()),
        [e for e in data.exceptions.get(practitioner_id, ()) if e.date == day],
        day,
        zone,
    )


def _working_intervals(
    hours: Sequence[HoursRow], exceptions: Sequence[ExceptionRow], day: dt.date, zone: dt.tzinfo
) -> list[Interval]:
    def at(t: dt.time) -> dt.datetime:
        return dt.datetime.combine(day, t, tzinfo=zone)

    weekday = day.weekday()
    intervals = [Interval(at(h.start_time), at(h.end_time), h.location_id) for h in hours if h.weekday == weekday]
    for e in exceptions:
        if e.kind == "extra_hours" and e.start_time and e.end_time and e.location_id:
            intervals.append(Interval(at(e.start_time), at(e.end_time), e.location_id))
    for e in exceptions:
        if e.kind not in ("time_off", "meeting"):  # AvailabilityException.BLOCKING_KINDS
            continue
        if e.start_time is None or e.end_time is None:
            return []
        intervals = _subtract(intervals, at(e.start_time), at(e.end_time))
    return sorted(intervals, key=lambda iv: iv.start)


class _FreeTime:
    """When one practitioner (or one room) is free long enough for a session of `length`: the gaps between
    their busy periods, as integers. Answers "which grid starts leave [start, start + length) free?" a gap at a
    time instead of a start at a time."""

    __slots__ = ("firsts", "lasts")

    def __init__(self, starts: list[int], ends: list[int], length: int):
        """`starts` sorted, `ends` in the same order. Periods that overlap (rows written around the booking
        service; the database constraints forbid them on PostgreSQL) are merged first."""
        if not all(map(operator.le, ends, starts[1:])):
            merged_starts: list[int] = []
            merged_ends: list[int] = []
            for s, e in zip(starts, ends, strict=True):
                if merged_starts and s < merged_ends[-1]:
                    merged_ends[-1] = max(merged_ends[-1], e)
                else:
                    merged_starts.append(s)
                    merged_ends.append(e)
            starts, ends = merged_starts, merged_ends
        # Gap k runs from the end of period k - 1 to the start of period k; a session may start in it from
        # its beginning up to its end minus the length. Gaps too short (back-to-back sessions) are dropped.
        # (map and compress run the loops in C: this is the one place that touches every appointment.)
        firsts = [_MIN, *ends]
        lasts = list(map(operator.sub, [*starts, _MAX], itertools.repeat(length)))
        fits = list(map(operator.le, firsts, lasts))
        self.firsts = list(itertools.compress(firsts, fits))
        self.lasts = list(itertools.compress(lasts, fits))

    @classmethod
    def group(cls, rows: list[BusyRow], key: int, end: int, length: int) -> dict[int, _FreeTime]:
        """The free time of each row[key] around the periods (start, row[end]) of its rows, `rows` sorted by
        start: per practitioner (key 3, end 1) or per room (key 4, end 2)."""
        by_key = operator.itemgetter(key)
        found = {}
        for k, group in itertools.groupby(sorted(rows, key=by_key), key=by_key):  # stable: starts stay sorted
            group = list(group)
            found[k] = cls(list(map(_START, group)), list(map(operator.itemgetter(end), group)), length)
        return found

    def free_starts(self, lo: int, hi: int, step: int) -> list[range]:
        """The grid points lo, lo + step, ... up to hi at which a session of `length` fits in a gap."""
        firsts, lasts = self.firsts, self.lasts
        out = []
        for k in range(bisect.bisect_left(lasts, lo), len(firsts)):
            first = firsts[k]
            if first > hi:
                break
            # The first grid point at or after the gap opens.
            first = lo if first <= lo else lo + -((lo - first) // step) * step
            last = lasts[k] if lasts[k] < hi else hi
            if first <= last:
                out.append(range(first, last + 1, step))
        return out


_MIN, _MAX = -(2**62), 2**62  # before and after any instant (in epoch microseconds)


_START = operator.itemgetter(0)


def free_slots(
    data: ScheduleData,
    *,
    duration: dt.timedelta,
    buffer_after: dt.timedelta,
    first_day: dt.date,
    days: int,
    now: dt.datetime,
    zone: dt.tzinfo,
    grid_minutes: int,
    min_notice: dt.timedelta = dt.timedelta(0),
    horizon: dt.timedelta | None = None,
    one_per_start: bool = False,
) -> list[Slot]:
    """Every free start (practitioner, room) on the grid, sorted by time then by practitioner order.

    A start is free when the whole session lies inside the practitioner's working hours, the practitioner has
    no appointment overlapping it, and a room at that location is free from the start until the end plus the
    type's buffer (the first such room in the location's order). `one_per_start` keeps only the first
    practitioner free at each time ("any practitioner").
    """
    length = duration // MICROSECOND
    held = (duration + buffer_after) // MICROSECOND
    step = grid_minutes * 60_000_000
    earliest = to_micros(now + min_notice)
    # The horizon runs to the end of the local day it falls on ("bookable up to N days ahead").
    latest = to_micros(day_bounds((now + horizon).astimezone(zone).date(), zone)[1]) if horizon is not None else None

    rows = sorted(data.all_busy_rows())  # already sorted by start when loaded: linear
    practitioner_free = _FreeTime.group(rows, 3, 1, length)  # the practitioner is held [start, end)
    room_free = _FreeTime.group(rows, 4, 2, held)  # the room [start, blocks_until)
    always_free = _FreeTime([], [], 0)

    def grid_of(iv: Interval) -> tuple[int, int] | None:
        """The first and last start of the interval's grid, or None."""
        # Align the first start to the grid on the local wall clock (minutes since local midnight).
        skip = (-(iv.start.hour * 60 + iv.start.minute)) % grid_minutes
        first = to_micros((iv.start + dt.timedelta(minutes=skip)).replace(second=0, microsecond=0))
        if first < earliest:
            first += -((first - earliest) // step) * step
        last = to_micros(iv.end) - length  # the session must end by the interval's end
        if latest is not None:
            last = min(last, latest - 1)
        return (first, first + (last - first) // step * step) if last >= first else None

    def plan(intervals: list[Interval]) -> tuple[list[tuple[int, int, int]], bool]:
        """(location, first start, last start) of each interval with a grid and rooms, in time order, and
        whether their grids are apart (the usual case: then no start can come from two of them)."""
        grids = []
        for iv in intervals:
            if data.rooms_by_location.get(iv.location_id):
                grid = grid_of(iv)
                if grid is not None:
                    grids.append((iv.location_id, *grid))
        return grids, all(a[2] < b[1] for a, b in itertools.pairwise(grids))

    # The first free room at a location for each start of a grid; the same whichever practitioner asks.
    room_maps: dict[tuple[int, int, int], dict[int, int]] = {}

    def rooms_free(location_id: int, first: int, last: int) -> dict[int, int]:
        key = (location_id, first, last)
        found = room_maps.get(key)
        if found is None:
            found = {}
            for room in reversed(data.rooms_by_location[location_id]):  # earlier rooms overwrite later ones
                for starts in room_free.get(room, always_free).free_starts(first, last, step):
                    found.update(dict.fromkeys(starts, room))
            room_maps[key] = found
        return found

    # Practitioners mostly share hours: plan each (weekday hours, date) once for those without exceptions that
    # day. Equal hours share one tuple, so that the cache finds them by identity.
    by_weekday: dict[int, dict[int, tuple[HoursRow, ...]]] = {}
    shared: dict[tuple[HoursRow, ...], tuple[HoursRow, ...]] = {}
    for pid in data.practitioner_ids:
        hours = data.hours.get(pid, ())
        by_weekday[pid] = {
            wd: shared.setdefault(weekly, weekly)
            for wd in range(7)
            for weekly in [tuple(h for h in hours if h.weekday == wd)]
        }
    exceptions_on: dict[int, dict[dt.date, list[ExceptionRow]]] = {}
    for pid in data.practitioner_ids:
        for e in data.exceptions.get(pid, ()):
            exceptions_on.setdefault(pid, {}).setdefault(e.date, []).append(e)
    plans: dict[tuple[int, dt.date], tuple[list[tuple[int, int, int]], bool]] = {}

    # Per practitioner: start -> room, for every free start (when intervals at two locations overlap, the one
    # tried first, in time order, keeps a start it has a room for). With `one_per_start`, one map for everyone,
    # start -> (practitioner, room): practitioners are tried in order each day, so the first free one keeps it.
    found_by_practitioner: dict[int, dict[int, int]] = {pid: {} for pid in data.practitioner_ids}
    first_free: dict[int, tuple[int, int]] = {}
    for offset in range(days):
        day = first_day + dt.timedelta(days=offset)
        weekday = day.weekday()
        for pid in data.practitioner_ids:
            todays = exceptions_on.get(pid, {}).get(day)
            if todays:
                grids, apart = plan(_working_intervals(data.hours.get(pid, ()), todays, day, zone))
            else:
                weekly = by_weekday[pid][weekday]
                if not weekly:
                    continue
                key = (id(weekly), day)  # equal hours are one tuple (see `shared`): no hashing of the rows
                planned = plans.get(key)
                if planned is None:
                    planned = plans[key] = plan(_working_intervals(weekly, (), day, zone))
                grids, apart = planned
            mine = found_by_practitioner[pid]
            free = practitioner_free.get(pid, always_free)
            for location_id, first, last in grids:
                rooms = rooms_free(location_id, first, last)
                if not rooms:
                    continue
                for starts in free.free_starts(first, last, step):
                    if one_per_start:
                        first_free.update({s: (pid, rooms[s]) for s in starts if s in rooms and s not in first_free})
                    elif apart:
                        mine.update({start: rooms[start] for start in starts if start in rooms})
                    else:
                        mine.update({start: rooms[start] for start in starts if start in rooms and start not in mine})

    local: dict[int, dt.datetime] = {}

    def at(micros: int) -> dt.datetime:
        instant = local.get(micros)
        if instant is None:
            instant = local[micros] = from_micros(micros, zone)
        return instant

    if one_per_start:
        return [Slot(at(start), pid, room) for start, (pid, room) in sorted(first_free.items())]
    order = {pid: i for i, pid in enumerate(data.practitioner_ids)}
    rows = sorted(
        (start, order[pid], pid, room) for pid, found in found_by_practitioner.items() for start, room in found.items()
    )
    return [Slot(at(start), pid, room) for start, _, pid, room in rows]


def free_per_day(slots: Sequence[Slot], *, first_day: dt.date, days: int) -> list[dict]:
    """How many free starts fall on each local date of the range, every date listed (0 when full)."""
    counts = dict.fromkeys((first_day + dt.timedelta(days=n) for n in range(days)), 0)
    for slot in slots:
        day = slot.start.date()
        if day in counts:
            counts[day] += 1
    return [{"date": day.isoformat(), "free": n} for day, n in counts.items()]


def location_for(
    data: ScheduleData, practitioner_id: int, start: dt.datetime, end: dt.datetime, zone: dt.tzinfo
) -> int | None:
    """The location where the practitioner works for the whole of [start, end), or None outside their hours."""
    day = start.astimezone(zone).date()
    for iv in working_intervals(data, practitioner_id, day, zone):
        if iv.start <= start and end <= iv.end:
            return iv.location_id
    return None
