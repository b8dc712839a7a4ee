"""Idle gaps: the free stretches of the practitioners' working hours long enough to take a visit."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from reports.selectors.common import Scope
from reports.selectors.hours import _practitioner_hours, _union, _working_intervals_in
from scheduling.models import Appointment, AppointmentType


@dataclass(frozen=True)
class IdleGap:
    day: dt.date  # local
    practitioner: str
    start: dt.datetime  # local
    end: dt.datetime

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


@dataclass(frozen=True)
class IdleGaps:
    shortest: dt.timedelta | None  # the shortest active appointment type: a gap is at least this long
    gaps: list[IdleGap]

    @property
    def hours(self) -> float:
        return round(sum(g.minutes for g in self.gaps) / 60, 2)


# The practitioners' working intervals arrive as one JSON array of [practitioner, start, end] in Unix seconds (one
# parameter however long the range); each interval with the active appointments that overlap it (found by the
# (practitioner, start) index: a visit starts at most a day before the interval), plus a sentinel at its end; a gap
# runs from the latest end before an appointment (or the interval's start) to its start. PostgreSQL is given the
# appointments as a LATERAL join, so that it probes the index per interval rather than hashing on the practitioner.
_GAPS_SQL = """
WITH w AS ({intervals}),
c AS (
    SELECT w.p, w.ws, a.s, a.e
    FROM w {appointments}
    UNION ALL
    SELECT p, ws, we, we FROM w
),
g AS (
    SELECT p, s AS ge,
        COALESCE(MAX(e) OVER (PARTITION BY p, ws ORDER BY s, e ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), ws)
            AS gs
    FROM c
)
SELECT p, {epoch_gs}, {epoch_ge} FROM g WHERE ge > gs AND {epoch_ge} - {epoch_gs} >= %s ORDER BY p, gs
"""
_GAPS_PARTS = {
    "sqlite": {
        "intervals": "SELECT json_extract(value, '$[0]') AS p,"
        " datetime(json_extract(value, '$[1]'), 'unixepoch') AS ws,"
        " datetime(json_extract(value, '$[2]'), 'unixepoch') AS we FROM json_each(%s)",
        "appointments": 'JOIN (SELECT practitioner_id, start AS s, "end" AS e FROM scheduling_appointment'
        " WHERE status IN ({statuses})) a ON a.practitioner_id = w.p AND a.s >= datetime(w.ws, '-1 day')"
        " AND a.s < w.we AND a.e > w.ws",
        "epoch_gs": "CAST(strftime('%%s', gs) AS INTEGER)",
        "epoch_ge": "CAST(strftime('%%s', ge) AS INTEGER)",
    },
    "postgresql": {
        "intervals": "SELECT (x->>0)::integer AS p, to_timestamp((x->>1)::bigint) AS ws,"
        " to_timestamp((x->>2)::bigint) AS we FROM jsonb_array_elements(%s::jsonb) x",
        "appointments": 'CROSS JOIN LATERAL (SELECT start AS s, "end" AS e FROM scheduling_appointment'
        " WHERE practitioner_id = w.p AND start >= w.ws - interval '1 day' AND start < w.we AND \"end\" > w.ws"
        " AND status IN ({statuses}) OFFSET 0) a",  # OFFSET 0: not flattened into a hash join
        "epoch_gs": "EXTRACT(EPOCH FROM gs)::bigint",
        "epoch_ge": "EXTRACT(EPOCH FROM ge)::bigint",
    },
}


def idle_gaps(scope: Scope) -> IdleGaps:
    """The free stretches of each practitioner's working hours (weekly hours plus extra hours, minus time off and
    meetings; at the location, when the report has one) at least as long as the shortest active appointment type:
    the time that could take a visit. Listed per practitioner and day, each stretch once: the practitioner's
    intervals are merged first (the union over the locations, `_union`). Four queries: the shortest type, the
    practitioners, their hours (`load_hours`), then one that cuts the working intervals by the active
    appointments (a window over the appointments of each interval)."""
    shortest = AppointmentType.objects.filter(active=True).order_by("duration").values_list("duration", flat=True)
    shortest = shortest.first()
    if shortest is None:
        return IdleGaps(None, [])
    names, data = _practitioner_hours(scope)
    zone = timezone.get_current_timezone()
    # One practitioner works in one place at a time: their intervals at two locations (or weekly and extra hours)
    # that overlap or touch are one stretch of working time, cut once (else each gap would be listed per location).
    # With a location filter, only that location's intervals count.
    worked: dict[int, list] = {}
    for pk, _day, iv in _working_intervals_in(data, list(names), scope, zone):
        if not scope.location_id or iv.location_id == scope.location_id:
            worked.setdefault(pk, []).append(iv)
    intervals = [
        [pk, int(start.timestamp()), int(end.timestamp())] for pk, ivs in worked.items() for start, end in _union(ivs)
    ]
    if not intervals:
        return IdleGaps(shortest, [])
    statuses = list(Appointment.ACTIVE_STATUSES)
    parts = dict(_GAPS_PARTS.get(connection.vendor, _GAPS_PARTS["postgresql"]))
    parts["appointments"] = parts["appointments"].format(statuses=", ".join(["%s"] * len(statuses)))
    with connection.cursor() as cursor:
        cursor.execute(_GAPS_SQL.format(**parts), [json.dumps(intervals), *statuses, int(shortest.total_seconds())])
        found = cursor.fetchall()
    gaps = []
    for pk, start, end in found:
        start, end = dt.datetime.fromtimestamp(start, zone), dt.datetime.fromtimestamp(end, zone)
        gaps.append(IdleGap(start.date(), names[pk], start, end))
    gaps.sort(key=lambda g: (g.day, g.practitioner, g.start))
    return IdleGaps(shortest, gaps)
