"""The clinic's local weekday and hour of a stored time, computed by the database without a per-row Python call.

On SQLite, Django's time-zone-aware Extract runs a Python function for every row; here SQLite's own strftime does
the work, with the zone's UTC offset chosen by a CASE over the few offset changes (daylight saving) in the range.
PostgreSQL converts natively, so it keeps Django's Extract.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import DateTimeField, Expression, F, IntegerField
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay


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

    def __init__(self, expression, fmt: str, offsets, weekday: bool):
        super().__init__()
        self.expression = expression
        self.fmt = fmt
        self.offsets = offsets
        self.weekday = weekday

    def get_source_expressions(self):
        return [self.expression]

    def set_source_expressions(self, exprs):
        (self.expression,) = exprs

    def as_sql(self, compiler, connection):
        column, column_params = compiler.compile(self.expression)
        whens, params = [], []
        for until, offset in self.offsets[:-1]:
            whens.append(f"WHEN {column} < %s THEN %s")
            params += [*column_params, connection.ops.adapt_datetimefield_value(until), f"{offset} seconds"]
        modifier = f"CASE {' '.join(whens)} ELSE %s END" if whens else "%s"
        params.append(f"{self.offsets[-1][1]} seconds")
        sql = f"CAST(strftime('{self.fmt}', {column}, {modifier}) AS INTEGER)"
        if self.weekday:  # strftime's %w counts from Sunday = 0; ISO from Monday = 1
            sql = f"(({sql} + 6) %% 7 + 1)"
        return sql, [*column_params, *params]


def local_weekday(field: str, zone, start: dt.datetime, end: dt.datetime):
    """ISO weekday (Monday 1) in `zone` of `field`, for times in [start, end)."""
    if connection.vendor != "sqlite":
        return ExtractIsoWeekDay(field, tzinfo=zone)
    return _LocalPart(F(field), "%%w", _offsets(zone, start, end), weekday=True)


def local_hour(field: str, zone, start: dt.datetime, end: dt.datetime):
    if connection.vendor != "sqlite":
        return ExtractHour(field, tzinfo=zone)
    return _LocalPart(F(field), "%%H", _offsets(zone, start, end), weekday=False)


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
