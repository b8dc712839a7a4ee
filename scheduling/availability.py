"""Free start times: working hours, minus exceptions, minus appointments (with buffers), minus taken rooms.

`load_schedule` fetches what one question needs in a fixed number of queries (three, however many
practitioners, days or appointments): the practitioners asked, their hours and exceptions, the rooms of the
locations where they work, and the appointments that hold those practitioners or those rooms. The rest are
pure functions over that data, so they are unit-tested without a database and give the same answer for the
same data.

Working hours are local wall-clock times in the clinic's zone. Each day's intervals are built with
`datetime.combine(day, time, zone)` (zoneinfo computes the offset for that date, so both daylight-saving
changes are right) and candidate starts are stepped in UTC, so a grid never skips or repeats an hour.

Instants are compared as integers: microseconds since 1970 in UTC. The database computes them for the
appointments (`_ScheduleSQL._epoch`), so no timestamp is parsed in Python. Microseconds are what datetimes
count, so every comparison is exactly the one the datetimes would give (seconds or minutes would round a
stored end of 10:00:00.5 to a time that no longer overlaps 10:00).
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import operator
import sqlite3
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connections, router
from django.utils import timezone

UTC = dt.UTC
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = dt.timedelta(microseconds=1)
LOOKBACK = dt.timedelta(days=1)  # see _ScheduleSQL.busy


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


@dataclass(frozen=True, slots=True)  # slots: made by the hundred per call, twice as fast to make
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
    kind: str  # "time_off" | "meeting" | "extra_hours"
    start_time: dt.time | None
    end_time: dt.time | None
    location_id: int | None
    reason: str = ""  # shown on the calendar (`load_hours` reads it; availability does not need it)


# (start, end, blocks_until, practitioner_id, room_id), the instants in epoch microseconds (see `to_micros`).
BusyRow = tuple[int, int, int, int, int]


@dataclass
class ScheduleData:
    """What availability needs for one range of dates, fetched once.

    Appointments come in either form: `busy_rows` (integers, what `load_schedule` fills) or `busy` (datetimes,
    handy when building data by hand); `free_slots` reads both."""

    practitioner_ids: list[int]
    hours: dict[int, list[HoursRow]] = field(default_factory=dict)
    exceptions: dict[int, list[ExceptionRow]] = field(default_factory=dict)
    rooms_by_location: dict[int, list[int]] = field(default_factory=dict)
    busy: list[Busy] = field(default_factory=list)
    busy_rows: list[BusyRow] = field(default_factory=list)

    def all_busy_rows(self) -> list[BusyRow]:
        if not self.busy:
            return self.busy_rows
        return self.busy_rows + [
            (to_micros(b.start), to_micros(b.end), to_micros(b.blocks_until), b.practitioner_id, b.room_id)
            for b in self.busy
        ]


def clinic_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def day_bounds(day: dt.date, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """The instants at which a local day starts and ends (23 or 25 hours apart on DST change days)."""
    return (
        dt.datetime.combine(day, dt.time(0), tzinfo=zone),
        dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone),
    )


def to_micros(instant: dt.datetime) -> int:
    """An aware datetime as microseconds since 1970-01-01 UTC; exact, as datetimes count whole microseconds."""
    return (instant - EPOCH) // MICROSECOND


def from_micros(micros: int, zone: dt.tzinfo) -> dt.datetime:
    # fromtimestamp with whole seconds is exact (no float) and four times faster than adding a timedelta to the
    # epoch; the zone's fromutc sets the offset and the fold as astimezone would.
    seconds, fraction = divmod(micros, 1_000_000)
    instant = dt.datetime.fromtimestamp(seconds, zone)
    return instant.replace(microsecond=fraction) if fraction else instant


# --- Loading (a fixed number of queries) -----------------------------------------------------


def load_schedule(
    *,
    practitioner_ids: Sequence[int] | None,
    first_day: dt.date,
    last_day: dt.date,
    zone: dt.tzinfo | None = None,
    exclude_appointment_id: int | None = None,
) -> ScheduleData:
    """Hours, exceptions, rooms and active appointments for `first_day`..`last_day` (local dates). Three queries.

    Only what the answer depends on: the active practitioners asked (in name order) with their hours and
    exceptions, the rooms of the locations where they work, and the appointments that hold one of those
    practitioners or one of those rooms in these dates. The SQL is written out (`_ScheduleSQL`) because
    building querysets took longer than running them, and the appointments' instants come back as integers
    (see the module docstring)."""
    from scheduling.models import Appointment

    zone = zone or clinic_zone()
    connection = connections[router.db_for_read(Appointment)]
    sql = _ScheduleSQL(connection.vendor, connection.ops.quote_name)
    adapt_date, adapt_datetime = connection.ops.adapt_datefield_value, connection.ops.adapt_datetimefield_value
    ids = None if practitioner_ids is None else [int(pid) for pid in practitioner_ids]
    data = ScheduleData(practitioner_ids=[])
    with connection.cursor() as cursor:
        cursor.execute(*sql.hours(ids, adapt_date(first_day), adapt_date(last_day)))
        for pid, _name, weekday, date, kind, start, end, location_id in cursor.fetchall():
            if not data.practitioner_ids or data.practitioner_ids[-1] != pid:
                data.practitioner_ids.append(pid)
            if kind == "weekly":
                data.hours.setdefault(pid, []).append(HoursRow(weekday, _time(start), _time(end), location_id))
            else:
                date = dt.date.fromisoformat(date) if isinstance(date, str) else date
                row = ExceptionRow(date, kind, _time(start), _time(end), location_id)
                data.exceptions.setdefault(pid, []).append(row)
        if not data.practitioner_ids:
            return data
        location_ids = {h.location_id for rows in data.hours.values() for h in rows}
        location_ids |= {e.location_id for rows in data.exceptions.values() for e in rows if e.location_id}
        cursor.execute(*sql.rooms(sorted(location_ids)))
        for room_id, location_id in cursor.fetchall():
            data.rooms_by_location.setdefault(location_id, []).append(room_id)
        room_ids = [r for rooms in data.rooms_by_location.values() for r in rooms]
        window_start = day_bounds(first_day, zone)[0]
        window = (adapt_datetime(window_start), adapt_datetime(day_bounds(last_day, zone)[1]))
        cursor.execute(
            *sql.busy(
                data.practitioner_ids,
                room_ids,
                window,
                exclude_appointment_id,
                every_practitioner=ids is None,
                lookback=adapt_datetime(window_start - LOOKBACK),
            )
        )
        data.busy_rows = cursor.fetchall()
    return data


def _time(value) -> dt.time | None:
    # SQLite hands back the text of a time column when its declared type is lost in the UNION.
    return dt.time.fromisoformat(value) if isinstance(value, str) else value


def _in(column: str, values: Sequence) -> tuple[str, list]:
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def epoch_micros_sql(vendor: str, column: str) -> str:
    """The SQL of a datetime column (`column`, already quoted) as microseconds since 1970 UTC, computed by the
    database: reading integers is ten times cheaper than reading timestamps (`to_micros`, `from_micros`).

    PostgreSQL: from the seconds since 1970 that `date_part` gives. SQLite stores Django's datetimes as UTC text
    "YYYY-MM-DD HH:MM:SS[.ffffff]": the whole seconds parsed by SQLite, the six digits of the fraction (absent
    when it is zero) read from the text. (`%%` as `cursor.execute` with parameters wants it.)"""
    c = column
    if vendor == "postgresql":
        # In floating point, three times cheaper than EXTRACT's numeric. Still exact: an epoch in seconds
        # below 2**32 (until 2106) is within 0.25 us of its double, so rounding finds the microsecond: the
        # cast to bigint rounds to the nearest integer (no round() needed).
        return f"(date_part('epoch', {c}) * 1000000)::bigint"
    if vendor == "sqlite":
        # The seconds from the first 19 characters only: SQLite keeps milliseconds and would round
        # "...:00.999999" up to the next second. unixepoch() (SQLite 3.38) is twice as fast as strftime.
        # A text of 19 characters has no fraction (the usual case, a time on the grid): its seconds alone,
        # which halves the cost of the load for SQLite (the substr and CAST are most of it).
        def seconds(text: str) -> str:
            return f"unixepoch({text})" if sqlite3.sqlite_version_info >= (3, 38) else f"strftime('%%s', {text})"

        exact = f"CAST({seconds(f'substr({c}, 1, 19)')} AS INTEGER) * 1000000 + CAST(substr({c}, 21, 6) AS INTEGER)"
        return f"(CASE WHEN length({c}) = 19 THEN CAST({seconds(c)} AS INTEGER) * 1000000 ELSE {exact} END)"
    raise NotImplementedError(f"availability has no epoch expression for {vendor}")


class _ScheduleSQL:
    """The three reads of `load_schedule`, with table and column names taken from the models."""

    def __init__(self, vendor: str, quote_name):
        from clinic.models import Location, Practitioner, Room
        from scheduling.models import Appointment, AvailabilityException, WorkingHours

        self.vendor = vendor
        self.q = quote_name
        self.practitioner = quote_name(Practitioner._meta.db_table)
        self.location = quote_name(Location._meta.db_table)
        self.room = quote_name(Room._meta.db_table)
        self.working_hours = quote_name(WorkingHours._meta.db_table)
        self.exception = quote_name(AvailabilityException._meta.db_table)
        self.appointment = quote_name(Appointment._meta.db_table)
        self.active_statuses = [str(s) for s in Appointment.ACTIVE_STATUSES]

    def hours(self, ids: list[int] | None, first_day, last_day) -> tuple[str, list]:
        """Exceptions in the dates, then weekly hours at active locations, of active practitioners, sorted by
        name as `order_by("display_name")` sorts (the database's collation). Exceptions come first so that
        SQLite keeps the declared types (date, time) of the columns."""
        q = self.q
        exceptions_of, hours_of = "", ""
        exception_params: list = [first_day, last_day]
        hours_params: list = []
        if ids is not None:
            clause, values = _in("e.practitioner_id", ids or [0])  # [0]: nobody asked, no row
            exceptions_of, exception_params = f" AND {clause}", [*exception_params, *values]
            clause, hours_params = _in("h.practitioner_id", ids or [0])
            hours_of = f" AND {clause}"
        sql = (
            f"SELECT e.practitioner_id, p.display_name, NULL, e.{q('date')}, e.kind, e.start_time, e.end_time, "
            f"e.location_id FROM {self.exception} e INNER JOIN {self.practitioner} p ON p.id = e.practitioner_id "
            f"WHERE p.active AND e.{q('date')} >= %s AND e.{q('date')} <= %s{exceptions_of} "
            "UNION ALL "
            f"SELECT h.practitioner_id, p.display_name, h.weekday, NULL, 'weekly', h.start_time, h.end_time, "
            f"h.location_id FROM {self.working_hours} h INNER JOIN {self.practitioner} p ON p.id = h.practitioner_id "
            f"INNER JOIN {self.location} l ON l.id = h.location_id WHERE p.active AND l.active{hours_of} "
            "ORDER BY 2, 1, 6"
        )
        return sql, [*exception_params, *hours_params]

    def rooms(self, location_ids: list[int]) -> tuple[str, list]:
        """Active rooms at these active locations, in `Room`'s order (location name, room name)."""
        clause, values = _in("r.location_id", location_ids or [0])
        sql = (
            f"SELECT r.id, r.location_id FROM {self.room} r INNER JOIN {self.location} l ON l.id = r.location_id "
            f"WHERE r.active AND l.active AND {clause} ORDER BY l.{self.q('name')}, r.{self.q('name')}"
        )
        return sql, values

    def busy(
        self, practitioner_ids, room_ids, window, exclude_id, *, every_practitioner: bool = False, lookback=None
    ) -> tuple[str, list]:
        """(start, end, blocks_until, practitioner, room) of the active appointments of these practitioners or
        in these rooms that start before the window ends and hold their room after it starts; in no order
        (`free_slots` sorts them: sorting in Python is cheaper than the database sorting by the computed
        instants).

        "Start before the window ends" alone would read every earlier appointment, a clinic's whole history. On
        PostgreSQL the rows are found in two bounded parts instead, one UNION ALL: those starting at most a day
        before the window (a range of the btree on `start`), and those starting earlier, which must then still
        hold their room a day before the window, a point the room exclusion constraint's GiST index finds
        directly. (One WHERE with an OR of the two made PostgreSQL walk the whole `start` index.) SQLite has no
        such index and reads the history (it is the development database).

        On SQLite, when the question is about every practitioner (`every_practitioner`: "any practitioner"),
        nearly every row of the window is wanted, and the OR of the practitioner and room indexes finds each of
        them twice (once per index, then drops the copy): the window's rows are read once instead, a range of
        the `start` index (`+column` keeps SQLite off the other two), and the earlier ones as before. A fifth
        less time for 10 practitioners x 30 days (benchmarks/README.md, issue 14); for a few practitioners the
        OR reads fewer rows and stays."""
        q = self.q
        window_start, window_end = window
        statuses, status_params = _in("status", self.active_statuses)

        def select_of(prefix: str = "") -> tuple[str, list]:
            whose, params = [], [*status_params]
            for column, values in (("practitioner_id", practitioner_ids), ("room_id", room_ids)):
                if values:
                    clause, values = _in(f"{prefix}{column}", values)
                    whose.append(clause)
                    params += values
            columns = ", ".join(self._epoch(c) for c in ("start", "end", "blocks_until"))
            sql = (
                f"SELECT {columns}, practitioner_id, room_id FROM {self.appointment} "
                f"WHERE {statuses} AND ({' OR '.join(whose)}) AND blocks_until > %s"
            )
            params.append(window_start)
            if exclude_id is not None:
                sql += " AND id <> %s"
                params.append(exclude_id)
            return sql, params

        select, common = select_of()
        if self.vendor == "postgresql":
            lookback = window_start - LOOKBACK
            recent = f"{select} AND {q('start')} >= %s AND {q('start')} < %s"
            earlier = (
                f"{select} AND {q('start')} < %s AND TSTZRANGE({q('start')}, blocks_until, '[)') @> %s::timestamptz"
            )
            return (
                f"{recent} UNION ALL {earlier}",
                [*common, lookback, window_end, *common, lookback, lookback],
            )
        if every_practitioner and lookback is not None:
            in_window, window_params = select_of("+")
            return (
                f"{in_window} AND {q('start')} >= %s AND {q('start')} < %s UNION ALL {select} AND {q('start')} < %s",
                [*window_params, lookback, window_end, *common, lookback],
            )
        return f"{select} AND {q('start')} < %s", [*common, window_end]

    def booking_facts(
        self, *, practitioner_id, patient_id, weekday, day, start, end, blocks_until, room_id, exclude_id
    ) -> tuple[str, list]:
        """`load_booking_facts`' statement: rows of (kind, n1, n2, date, start time, end time, name), where kind
        is "weekly" (n1 the weekday, n2 the location), an exception's kind (n2 its location), "~clash" (n1 the
        appointment) or "~room" (n1 the room, n2 its location, and its name), sorted so that the rooms come in
        name order (the database's collation, as `order_by("name")`)."""
        q = self.q
        statuses, status_params = _in("a.status", self.active_statuses)
        other, other_params = ("", []) if exclude_id is None else (" AND a.id <> %s", [exclude_id])
        chosen, chosen_params = ("", []) if room_id is None else (" OR r.id = %s", [room_id])
        start_col, end_col = f"a.{q('start')}", f"a.{q('end')}"
        if self.vendor == "postgresql":
            # The overlaps as the exclusion constraints state them, so that their GiST indexes (range, and the
            # practitioner or the room) find the few rows that overlap. `start < %s AND end > %s` is the same
            # test, but bounded on one side only it walked the practitioner's and every room's whole history
            # (40-70 ms with a year of it; see benchmarks/README.md). The patient has no such index: their
            # (patient, start) btree reads their own visits, a few dozen.
            def overlaps(until: str) -> str:
                wanted = "TSTZRANGE(%s::timestamptz, %s::timestamptz, '[)')"
                return f"TSTZRANGE({start_col}, a.{q(until)}, '[)') && {wanted}"

            practitioner_overlap, practitioner_params = overlaps("end"), [start, end]
            room_overlap, room_params = overlaps("blocks_until"), [start, blocks_until]
        else:
            practitioner_overlap, practitioner_params = f"{start_col} < %s AND {end_col} > %s", [end, start]
            room_overlap, room_params = f"{start_col} < %s AND a.blocks_until > %s", [blocks_until, start]
        clash = (
            f"SELECT '~clash', a.id, NULL, NULL, NULL, NULL, NULL FROM {self.appointment} a "
            f"WHERE a.practitioner_id = %s AND {statuses} AND {practitioner_overlap}{other} "
        )
        clash_params = [practitioner_id, *status_params, *practitioner_params, *other_params]
        if patient_id is not None:  # both parts may name one visit (the practitioner's, with this patient): fine
            clash += (
                "UNION ALL "
                f"SELECT '~clash', a.id, NULL, NULL, NULL, NULL, NULL FROM {self.appointment} a "
                f"WHERE a.patient_id = %s AND {statuses} AND {start_col} < %s AND {end_col} > %s{other} "
            )
            clash_params += [patient_id, *status_params, end, start, *other_params]
        sql = (
            f"SELECT e.kind, NULL, e.location_id, e.{q('date')}, e.start_time, e.end_time, NULL "
            f"FROM {self.exception} e WHERE e.practitioner_id = %s AND e.{q('date')} = %s "
            "UNION ALL "
            f"SELECT 'weekly', h.weekday, h.location_id, NULL, h.start_time, h.end_time, NULL "
            f"FROM {self.working_hours} h INNER JOIN {self.location} l ON l.id = h.location_id "
            "WHERE l.active AND h.practitioner_id = %s AND h.weekday = %s "
            "UNION ALL "
            f"{clash}"
            "UNION ALL "
            f"SELECT '~room', r.id, r.location_id, NULL, NULL, NULL, r.{q('name')} FROM {self.room} r "
            "WHERE ((r.active AND r.location_id IN ("
            f"SELECT h.location_id FROM {self.working_hours} h WHERE h.practitioner_id = %s AND h.weekday = %s "
            f"UNION SELECT e.location_id FROM {self.exception} e WHERE e.practitioner_id = %s "
            f"AND e.{q('date')} = %s AND e.kind = 'extra_hours')){chosen}) "
            f"AND NOT EXISTS (SELECT 1 FROM {self.appointment} a WHERE a.room_id = r.id AND {statuses} "
            f"AND {room_overlap}{other}) "
            "ORDER BY 1, 7, 2"
        )
        params = [
            *(practitioner_id, day),
            *(practitioner_id, weekday),
            *clash_params,
            *(practitioner_id, weekday, practitioner_id, day),
            *chosen_params,
            *status_params,
            *room_params,
            *other_params,
        ]
        return sql, params

    def _epoch(self, column: str) -> str:
        """A datetime column as microseconds since 1970 UTC (`epoch_micros_sql`)."""
        return epoch_micros_sql(self.vendor, self.q(column))


@dataclass
class BookingFacts:
    """What booking one time needs to know, read in one statement by `load_booking_facts`."""

    hours: ScheduleData  # the practitioner's hours and exceptions that day (for `location_for`)
    clash_ids: list[int]  # active visits of the practitioner or the patient overlapping the session
    free_rooms: list[tuple[int, int, str]]  # (room, location, name) free for the whole hold, in name order


def load_booking_facts(
    *,
    practitioner_id: int,
    patient_id: int | None,
    start: dt.datetime,
    end: dt.datetime,
    blocks_until: dt.datetime,
    room_id: int | None = None,
    exclude_appointment_id: int | None = None,
    zone: dt.tzinfo | None = None,
) -> BookingFacts:
    """The booking checks' reads in one statement (UNION ALL): the practitioner's weekly hours and that day's
    exceptions, the overlapping visits of the practitioner or of the patient (their ids: a refusal reads them
    again to name them), and the rooms free from `start` to `blocks_until`, active ones at the locations where
    the practitioner works that day and `room_id` (a room the desk chose) wherever it is.

    One statement instead of four because each cost more to build than to run (see benchmarks/README.md); the
    exclusion constraints stay the guard against a booking that commits in between."""
    from scheduling.models import Appointment

    zone = zone or clinic_zone()
    day = start.astimezone(zone).date()
    connection = connections[router.db_for_write(Appointment)]
    sql, params = _ScheduleSQL(connection.vendor, connection.ops.quote_name).booking_facts(
        practitioner_id=practitioner_id,
        patient_id=patient_id,
        weekday=day.weekday(),
        day=connection.ops.adapt_datefield_value(day),
        start=connection.ops.adapt_datetimefield_value(start),
        end=connection.ops.adapt_datetimefield_value(end),
        blocks_until=connection.ops.adapt_datetimefield_value(blocks_until),
        room_id=room_id,
        exclude_id=exclude_appointment_id,
    )
    facts = BookingFacts(hours=ScheduleData(practitioner_ids=[practitioner_id]), clash_ids=[], free_rooms=[])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for kind, n1, n2, date, start_time, end_time, name in rows:
        if kind == "weekly":
            row = HoursRow(n1, _time(start_time), _time(end_time), n2)
            facts.hours.hours.setdefault(practitioner_id, []).append(row)
        elif kind == "~clash":
            facts.clash_ids.append(n1)
        elif kind == "~room":
            facts.free_rooms.append((n1, n2, name))
        else:
            date = dt.date.fromisoformat(date) if isinstance(date, str) else date
            row = ExceptionRow(date, kind, _time(start_time), _time(end_time), n2)
            facts.hours.exceptions.setdefault(practitioner_id, []).append(row)
    return facts


def load_hours(*, practitioner_ids: Sequence[int], first_day: dt.date, last_day: dt.date) -> ScheduleData:
    """Only the working hours and exceptions of these practitioners (in this order), for `working_intervals`:
    what the calendar needs to shade hours. One query (both tables, UNION ALL); no rooms, no appointments."""
    from django.db.models import CharField, DateField, F, IntegerField, Value

    from scheduling.models import AvailabilityException, WorkingHours

    ids = list(practitioner_ids)
    data = ScheduleData(practitioner_ids=ids)
    if not ids:
        return data
    # The same columns on both sides, named by alias so the UNION lines them up: weekly rows have no date,
    # exceptions no weekday.
    columns = ("p", "weekday_", "date_", "kind_", "start_", "end_", "location_", "reason_")
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
            reason_=Value("", output_field=CharField()),
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
            reason_=F("reason"),
        )
        .values_list(*columns)
    )
    for pid, weekday, date, kind, start, end, location_id, reason in weekly.union(exceptions, all=True):
        if kind == "weekly":
            data.hours.setdefault(pid, []).append(HoursRow(weekday, start, end, location_id))
        else:
            data.exceptions.setdefault(pid, []).append(ExceptionRow(date, kind, start, end, location_id, reason))
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
