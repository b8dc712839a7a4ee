"""Everything availability reads from the database, in a fixed number of queries: the schedule for a question
(`load_schedule`), the facts one booking is checked against (`load_booking_facts`) and the hours alone."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connections, router
from django.db.models import CharField, DateField, F, IntegerField, Value

from clinic.models import Location, Practitioner, Room
from scheduling.availability.rows import LOOKBACK, ExceptionRow, HoursRow, ScheduleData, clinic_zone, day_bounds
from scheduling.models import Appointment, AvailabilityException, WorkingHours


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
