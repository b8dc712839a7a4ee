"""Free start times: working hours, minus exceptions, minus appointments (with buffers), minus taken rooms.

`load_schedule` fetches everything for a date range in a fixed number of queries (four, however many
practitioners, days or appointments); the rest are pure functions over that data, so they are unit-tested
without a database and give the same answer for the same data.

Working hours are local wall-clock times in the clinic's zone. Each day's intervals are built with
`datetime.combine(day, time, zone)` (zoneinfo computes the offset for that date, so both daylight-saving
changes are right) and candidate starts are stepped in UTC, so a grid never skips or repeats an hour.
"""

from __future__ import annotations

import bisect
import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connections
from django.utils import timezone

UTC = dt.UTC


@dataclass(frozen=True)
class Interval:
    start: dt.datetime
    end: dt.datetime
    location_id: int


@dataclass(frozen=True)
class Busy:
    """An active appointment as availability sees it: the practitioner until `end`, the room until `blocks_until`."""

    start: dt.datetime
    end: dt.datetime
    blocks_until: dt.datetime
    practitioner_id: int
    room_id: int


@dataclass(frozen=True)
class Slot:
    start: dt.datetime  # aware, in the clinic's zone
    practitioner_id: int
    room_id: int

    def as_json(self) -> dict:
        return {"start": self.start.isoformat(), "practitioner": self.practitioner_id, "room": self.room_id}


@dataclass(frozen=True)
class HoursRow:
    weekday: int
    start_time: dt.time
    end_time: dt.time
    location_id: int


@dataclass(frozen=True)
class ExceptionRow:
    date: dt.date
    kind: str  # "time_off" | "extra_hours"
    start_time: dt.time | None
    end_time: dt.time | None
    location_id: int | None


@dataclass
class ScheduleData:
    """What availability needs for one range of dates, fetched once."""

    practitioner_ids: list[int]
    hours: dict[int, list[HoursRow]] = field(default_factory=dict)
    exceptions: dict[int, list[ExceptionRow]] = field(default_factory=dict)
    rooms_by_location: dict[int, list[int]] = field(default_factory=dict)
    busy: list[Busy] = field(default_factory=list)


def clinic_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def day_bounds(day: dt.date, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """The instants at which a local day starts and ends (23 or 25 hours apart on DST change days)."""
    return (
        dt.datetime.combine(day, dt.time(0), tzinfo=zone),
        dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone),
    )


# --- Loading (a fixed number of queries) -----------------------------------------------------


def load_schedule(
    *,
    practitioner_ids: Sequence[int] | None,
    first_day: dt.date,
    last_day: dt.date,
    zone: dt.tzinfo | None = None,
    exclude_appointment_id: int | None = None,
) -> ScheduleData:
    """Hours, exceptions, rooms and active appointments for `first_day`..`last_day` (local dates). Four queries."""
    from clinic.models import Practitioner, Room
    from scheduling.models import Appointment

    zone = zone or clinic_zone()
    practitioners = Practitioner.objects.filter(active=True).order_by("display_name")
    if practitioner_ids is not None:
        practitioners = practitioners.filter(pk__in=list(practitioner_ids))
    data = load_hours(
        practitioner_ids=list(practitioners.values_list("pk", flat=True)), first_day=first_day, last_day=last_day
    )
    for room_id, location_id in Room.objects.filter(active=True, location__active=True).values_list(
        "pk", "location_id"
    ):
        data.rooms_by_location.setdefault(location_id, []).append(room_id)
    window_start = day_bounds(first_day, zone)[0]
    window_end = day_bounds(last_day, zone)[1]
    appointments = Appointment.objects.filter(
        status__in=Appointment.ACTIVE_STATUSES, start__lt=window_end, blocks_until__gt=window_start
    )
    if exclude_appointment_id is not None:
        appointments = appointments.exclude(pk=exclude_appointment_id)
    rows = _fetch_raw(
        appointments.values_list("start", "end", "blocks_until", "practitioner_id", "room_id").order_by("start")
    )
    # Appointments start and end on a shared grid, so the same instants recur: convert each one once.
    instants: dict[dt.datetime, dt.datetime] = {}

    def utc(value: dt.datetime) -> dt.datetime:
        aware = instants.get(value)
        if aware is None:
            aware = instants[value] = _utc(value)
        return aware

    data.busy = [Busy(utc(s), utc(e), utc(b), p, r) for s, e, b, p, r in rows]
    return data


def _fetch_raw(queryset) -> list[tuple]:
    """The queryset's rows as the database driver returns them, without Django's per-value converters.

    The busy rows are the bulk of availability's data (4,400 for ten practitioners over 30 days), and
    converting their three datetimes one by one through Django's converter (a settings lookup and a
    make_aware per value) took about half of the loading time. Same SQL, same single query."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _utc(value: dt.datetime) -> dt.datetime:
    # PostgreSQL's driver gives aware datetimes; SQLite's gives naive ones, stored in UTC (USE_TZ).
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def load_hours(*, practitioner_ids: Sequence[int], first_day: dt.date, last_day: dt.date) -> ScheduleData:
    """Only the working hours and exceptions of these practitioners (in this order), for `working_intervals`:
    what the calendar needs to shade hours. One query (both tables, UNION ALL); no rooms, no appointments."""
    from django.db.models import CharField, DateField, F, IntegerField, Value

    from scheduling.models import AvailabilityException, WorkingHours

    ids = list(practitioner_ids)
    data = ScheduleData(practitioner_ids=ids)
    # The same columns on both sides, named by alias so the UNION lines them up: weekly rows have no date,
    # exceptions no weekday.
    columns = ("p", "weekday_", "date_", "kind_", "start_", "end_", "location_")
    weekly = (
        WorkingHours.objects.filter(practitioner_id__in=ids, location__active=True)
        .order_by()
        .annotate(
            p=F("practitioner_id"),
            weekday_=F("weekday"),
            date_=Value(None, output_field=DateField()),
            kind_=Value("weekly", output_field=CharField()),
            start_=F("start_time"),
            end_=F("end_time"),
            location_=F("location_id"),
        )
        .values_list(*columns)
    )
    exceptions = (
        AvailabilityException.objects.filter(practitioner_id__in=ids, date__gte=first_day, date__lte=last_day)
        .order_by()
        .annotate(
            p=F("practitioner_id"),
            weekday_=Value(None, output_field=IntegerField()),
            date_=F("date"),
            kind_=F("kind"),
            start_=F("start_time"),
            end_=F("end_time"),
            location_=F("location_id"),
        )
        .values_list(*columns)
    )
    for pid, weekday, date, kind, start, end, location_id in weekly.union(exceptions, all=True):
        if kind == "weekly":
            data.hours.setdefault(pid, []).append(HoursRow(weekday, start, end, location_id))
        else:
            data.exceptions.setdefault(pid, []).append(ExceptionRow(date, kind, start, end, location_id))
    return data


# --- Pure functions ---------------------------------------------------------------------------


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

    def at(t: dt.time) -> dt.datetime:
        return dt.datetime.combine(day, t, tzinfo=zone)

    intervals = [
        Interval(at(h.start_time), at(h.end_time), h.location_id)
        for h in data.hours.get(practitioner_id, ())
        if h.weekday == day.weekday()
    ]
    exceptions = [e for e in data.exceptions.get(practitioner_id, ()) if e.date == day]
    for e in exceptions:
        if e.kind == "extra_hours" and e.start_time and e.end_time and e.location_id:
            intervals.append(Interval(at(e.start_time), at(e.end_time), e.location_id))
    for e in exceptions:
        if e.kind != "time_off":
            continue
        if e.start_time is None or e.end_time is None:
            return []
        intervals = _subtract(intervals, at(e.start_time), at(e.end_time))
    return sorted(intervals, key=lambda iv: iv.start)


class _Timeline:
    """Non-overlapping busy periods of one practitioner or one room, sorted; answers "free from s to e?"."""

    def __init__(self, periods: Iterable[tuple[dt.datetime, dt.datetime]]):
        ordered = sorted(periods)
        self.starts = [p[0] for p in ordered]
        self.ends = [p[1] for p in ordered]

    def is_free(self, start: dt.datetime, end: dt.datetime) -> bool:
        # Periods of one practitioner (or room) never overlap, so their ends are sorted too: the first
        # period ending after `start` is the only one that can overlap [start, end) (the next is checked too,
        # in case rows written around the service overlap).
        i = bisect.bisect_right(self.ends, start)
        starts = self.starts
        n = len(starts)
        return not ((i < n and starts[i] < end) or (i + 1 < n and starts[i + 1] < end))


def _timelines(data: ScheduleData) -> tuple[dict[int, _Timeline], dict[int, _Timeline]]:
    by_practitioner: dict[int, list] = defaultdict(list)
    by_room: dict[int, list] = defaultdict(list)
    for b in data.busy:
        by_practitioner[b.practitioner_id].append((b.start, b.end))
        by_room[b.room_id].append((b.start, b.blocks_until))
    empty = _Timeline(())
    return (
        defaultdict(lambda: empty, {k: _Timeline(v) for k, v in by_practitioner.items()}),
        defaultdict(lambda: empty, {k: _Timeline(v) for k, v in by_room.items()}),
    )


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
    type's buffer. `one_per_start` keeps only the first practitioner free at each time ("any practitioner").
    """
    practitioner_busy, room_busy = _timelines(data)
    earliest = now + min_notice
    # The horizon runs to the end of the local day it falls on ("bookable up to N days ahead").
    latest = day_bounds((now + horizon).astimezone(zone).date(), zone)[1] if horizon is not None else None
    grid = dt.timedelta(minutes=grid_minutes)
    order = {pid: i for i, pid in enumerate(data.practitioner_ids)}
    held = duration + buffer_after
    # The free room at a location for a start is the same whichever practitioner asks: answer it once.
    room_at: dict[tuple[int, dt.datetime], int | None] = {}

    def free_room(location_ids: list[int], cand: dt.datetime) -> int | None:
        for location_id in location_ids:
            key = (location_id, cand)
            if key not in room_at:
                until = cand + held
                room_at[key] = next(
                    (r for r in data.rooms_by_location[location_id] if room_busy[r].is_free(cand, until)), None
                )
            if room_at[key] is not None:
                return room_at[key]
        return None

    # Practitioners mostly share the same hours: step each distinct interval's grid once.
    grid_cache: dict[tuple[dt.datetime, dt.datetime], list[dt.datetime]] = {}

    def grid_starts(iv_start: dt.datetime, iv_end: dt.datetime) -> list[dt.datetime]:
        key = (iv_start, iv_end)
        if key not in grid_cache:
            # Align the first start to the grid on the local wall clock (minutes since local midnight).
            minutes = iv_start.hour * 60 + iv_start.minute
            skip = (-minutes) % grid_minutes
            cand = (iv_start + dt.timedelta(minutes=skip)).replace(second=0, microsecond=0).astimezone(UTC)
            end_limit = iv_end.astimezone(UTC)
            found = []
            while cand + duration <= end_limit:
                if cand >= earliest and (latest is None or cand < latest):
                    found.append(cand)
                cand += grid
            grid_cache[key] = found
        return grid_cache[key]

    slots: list[Slot] = []
    for offset in range(days):
        day = first_day + dt.timedelta(days=offset)
        # Each practitioner's grid starts inside their hours that day, with the locations of the intervals that
        # hold them (two when extra hours somewhere else overlap the weekly hours; the first one is tried first).
        starts: dict[int, dict[dt.datetime, list[int]]] = {}
        for pid in data.practitioner_ids:
            mine: dict[dt.datetime, list[int]] = {}
            for iv in working_intervals(data, pid, day, zone):
                if data.rooms_by_location.get(iv.location_id):
                    for cand in grid_starts(iv.start, iv.end):
                        locations = mine.setdefault(cand, [])
                        if iv.location_id not in locations:
                            locations.append(iv.location_id)
            starts[pid] = mine
        if one_per_start:
            # Walk the day's starts in time order and stop at the first practitioner (in order) who is free.
            for cand in sorted({c for mine in starts.values() for c in mine}):
                for pid in data.practitioner_ids:
                    locations = starts[pid].get(cand)
                    if locations is None:
                        continue
                    room = free_room(locations, cand)  # cheap after the first ask at this location
                    if room is not None and practitioner_busy[pid].is_free(cand, cand + duration):
                        slots.append(Slot(cand.astimezone(zone), pid, room))
                        break
            continue
        for pid, mine in starts.items():
            for cand, locations in mine.items():
                room = free_room(locations, cand)
                if room is not None and practitioner_busy[pid].is_free(cand, cand + duration):
                    slots.append(Slot(cand.astimezone(zone), pid, room))
    # Compare in UTC: two local times in the repeated hour of the autumn change look equal on the wall clock.
    slots.sort(key=lambda s: (s.start.astimezone(UTC), order[s.practitioner_id]))
    if one_per_start:
        # Days are separate local dates, so a start appears in one day only; kept as a guard all the same.
        unique: list[Slot] = []
        for s in slots:
            if not unique or unique[-1].start.astimezone(UTC) != s.start.astimezone(UTC):
                unique.append(s)
        return unique
    return slots


def location_for(
    data: ScheduleData, practitioner_id: int, start: dt.datetime, end: dt.datetime, zone: dt.tzinfo
) -> int | None:
    """The location where the practitioner works for the whole of [start, end), or None outside their hours."""
    day = start.astimezone(zone).date()
    for iv in working_intervals(data, practitioner_id, day, zone):
        if iv.start <= start and end <= iv.end:
            return iv.location_id
    return None


# --- Convenience entry points (load + compute) -----------------------------------------------


def find_slots(
    *,
    appointment_type,
    practitioner_ids: Sequence[int] | None,
    first_day: dt.date,
    days: int,
    now: dt.datetime | None = None,
    min_notice: dt.timedelta | None = None,
    horizon: dt.timedelta | bool | None = True,
    one_per_start: bool = False,
    exclude_appointment_id: int | None = None,
) -> list[Slot]:
    """Free starts for a type from the settings' grid, notice and horizon (pass `min_notice=timedelta(0)`,
    `horizon=None` for the front desk)."""
    zone = clinic_zone()
    now = now or timezone.now()
    if min_notice is None:
        min_notice = dt.timedelta(minutes=settings.SCHEDULING_MIN_NOTICE_MINUTES)
    if horizon is True:
        horizon = dt.timedelta(days=settings.SCHEDULING_HORIZON_DAYS)
    data = load_schedule(
        practitioner_ids=practitioner_ids,
        first_day=first_day,
        last_day=first_day + dt.timedelta(days=days - 1),
        zone=zone,
        exclude_appointment_id=exclude_appointment_id,
    )
    return free_slots(
        data,
        duration=appointment_type.duration,
        buffer_after=appointment_type.buffer_after,
        first_day=first_day,
        days=days,
        now=now,
        zone=zone,
        grid_minutes=settings.SCHEDULING_GRID_MINUTES,
        min_notice=min_notice,
        horizon=horizon or None,
        one_per_start=one_per_start,
    )


def nearest_free(
    *,
    appointment_type,
    practitioner_id: int | None,
    around: dt.datetime,
    count: int = 3,
    now: dt.datetime | None = None,
    exclude_appointment_id: int | None = None,
) -> list[Slot]:
    """The `count` free starts closest to `around` (same practitioner when given), in time order."""
    now = now or timezone.now()
    zone = clinic_zone()
    day = around.astimezone(zone).date()
    first_day = max(day - dt.timedelta(days=3), timezone.localdate(now, zone))
    slots = find_slots(
        appointment_type=appointment_type,
        practitioner_ids=[practitioner_id] if practitioner_id else None,
        first_day=first_day,
        days=(day - first_day).days + 8,
        now=now,
        min_notice=dt.timedelta(0),
        horizon=None,
        one_per_start=practitioner_id is None,
        exclude_appointment_id=exclude_appointment_id,
    )
    around = around.astimezone(UTC)
    closest = sorted(slots, key=lambda s: abs(s.start.astimezone(UTC) - around))[:count]
    return sorted(closest, key=lambda s: s.start.astimezone(UTC))
