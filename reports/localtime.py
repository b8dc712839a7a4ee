"""The clinic's local weekday and hour of a stored time, computed by the database without a per-row Python call.

On SQLite, Django's time-zone-aware Extract runs a Python function for every row; here SQLite's own strftime does
the work, with the zone's UTC offset chosen by a CASE over the few offset changes (daylight saving) in the range.
PostgreSQL converts natively, so it keeps Django's Extract.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import (
    DateField,
    DateTimeField,
    DurationField,
    Expression,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
)
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncDate, TruncWeek


def _offsets(zone, start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime | None, int]]:
    """[(until, offset seconds)...]: the offset in force before each change in [start, end), the last until None."""
    step = dt.timedelta(hours=1)
    at = start.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    current = int(at.astimezone(zone).utcoffset().total_seconds())
    out = []
    day = dt.timedelta(days=1)
    while at < end:
        later = min(at + day, end)
        if int(later.astimezone(zone).utcoffset().total_seconds()) != current:
            while at < later:  # the change is inside this day: find its hour
                at += step
                offset = int(at.astimezone(zone).utcoffset().total_seconds())
                if offset != current:
                    out.append((at, current))
                    current = offset
                    break
        else:
            at = later
    out.append((None, current))
    return out


class _LocalPart(Expression):
    output_field = IntegerField()

    def __init__(self, expression, offsets, weekday: bool):
        super().__init__()
        self.expression = expression
        self.offsets = offsets
        self.weekday = weekday

    def get_source_expressions(self):
        return [self.expression]

    def set_source_expressions(self, exprs):
        (self.expression,) = exprs

    def as_sql(self, compiler, connection):
        # The local time as seconds since 1970 (UTC seconds plus the zone's offset then), split with integer
        # arithmetic: one strftime('%s') per row, cheaper than strftime with an offset modifier per part.
        column, column_params = compiler.compile(self.expression)
        whens, params = [], []
        for until, offset in self.offsets[:-1]:
            whens.append(f"WHEN {column} < %s THEN %s")
            params += [*column_params, connection.ops.adapt_datetimefield_value(until), offset]
        modifier = f"CASE {' '.join(whens)} ELSE %s END" if whens else "%s"
        params.append(self.offsets[-1][1])
        local = f"(CAST(strftime('%%s', {column}) AS INTEGER) + {modifier})"
        if self.weekday:  # 1 January 1970 was a Thursday (ISO 4)
            return f"(({local} / 86400 + 3) %% 7 + 1)", [*column_params, *params]
        return f"(({local} %% 86400) / 3600)", [*column_params, *params]


def local_weekday(field: str, zone, start: dt.datetime, end: dt.datetime):
    """ISO weekday (Monday 1) in `zone` of `field`, for times in [start, end)."""
    if connection.vendor != "sqlite":
        return ExtractIsoWeekDay(field, tzinfo=zone)
    return _LocalPart(F(field), _offsets(zone, start, end), weekday=True)


def local_hour(field: str, zone, start: dt.datetime, end: dt.datetime):
    if connection.vendor != "sqlite":
        return ExtractHour(field, tzinfo=zone)
    return _LocalPart(F(field), _offsets(zone, start, end), weekday=False)


class _ShiftedSqlite(Expression):
    """SQLite's datetime(column, '-N seconds'): the stored UTC text moved by N seconds, compared as text."""

    output_field = DateTimeField()

    def __init__(self, expression, seconds: int):
        super().__init__()
        self.expression = expression
        self.seconds = seconds

    def get_source_expressions(self):
        return [self.expression]

    def set_source_expressions(self, exprs):
        (self.expression,) = exprs

    def as_sql(self, compiler, connection):
        column, params = compiler.compile(self.expression)
        return f"datetime({column}, %s)", [*params, f"{self.seconds} seconds"]


def shifted(field: str, delta: dt.timedelta):
    """`field + delta`, without SQLite's per-row Python function for date arithmetic."""
    if connection.vendor != "sqlite":
        return F(field) + delta
    return _ShiftedSqlite(F(field), int(delta.total_seconds()))


class _LocalDateSqlite(_LocalPart):
    """SQLite's date(column, offset[, 'weekday 0', '-6 days']): the local day, or the Monday of its week."""

    output_field = DateField()

    def as_sql(self, compiler, connection):
        column, column_params = compiler.compile(self.expression)
        whens, params = [], []
        for until, offset in self.offsets[:-1]:
            whens.append(f"WHEN {column} < %s THEN %s")
            params += [*column_params, connection.ops.adapt_datetimefield_value(until), f"{offset} seconds"]
        modifier = f"CASE {' '.join(whens)} ELSE %s END" if whens else "%s"
        params.append(f"{self.offsets[-1][1]} seconds")
        week = ", 'weekday 0', '-6 days'" if self.weekday else ""
        return f"date({column}, {modifier}{week})", [*column_params, *params]


def local_day(field: str, zone, start: dt.datetime, end: dt.datetime, *, week: bool = False):
    """The local date of `field` (or the Monday of its week), for times in [start, end)."""
    if connection.vendor != "sqlite":
        return TruncWeek(field, tzinfo=zone) if week else TruncDate(field, tzinfo=zone)
    return _LocalDateSqlite(F(field), _offsets(zone, start, end), weekday=week)


class _HoursSqlite(Expression):
    output_field = FloatField()

    def __init__(self, start, end):
        super().__init__()
        self.start, self.end = start, end

    def get_source_expressions(self):
        return [self.start, self.end]

    def set_source_expressions(self, exprs):
        self.start, self.end = exprs

    def as_sql(self, compiler, connection):
        start, start_params = compiler.compile(self.start)
        end, end_params = compiler.compile(self.end)
        return f"((julianday({end}) - julianday({start})) * 24.0)", [*end_params, *start_params]


def hours_between(start: str, end: str):
    """`end - start` in hours (a float on SQLite, a duration elsewhere: see `as_hours`)."""
    if connection.vendor != "sqlite":
        return ExpressionWrapper(F(end) - F(start), output_field=DurationField())
    return _HoursSqlite(F(start), F(end))


def as_hours(value) -> float:
    if value is None:
        return 0.0
    return value.total_seconds() / 3600 if isinstance(value, dt.timedelta) else float(value)
