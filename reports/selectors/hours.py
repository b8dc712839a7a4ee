"""The practitioners' working hours in a report's range, for utilisation and the idle gaps: who is covered,
their working intervals day by day, and the union of overlapping intervals (overlapping hours count once)."""

from __future__ import annotations

import datetime as dt

from clinic.models import Practitioner
from reports.selectors.common import Scope
from scheduling import availability


def _practitioner_hours(scope: Scope) -> tuple[dict[int, str], availability.ScheduleData]:
    """The practitioners a report covers (the active ones, or the one it is scoped to) as {pk: name} in name
    order, and their hours and exceptions in the range (`load_hours`). Two queries."""
    practitioners = Practitioner.objects.filter(active=True)
    if scope.practitioner_id:
        practitioners = Practitioner.objects.filter(pk=scope.practitioner_id)
    names = dict(practitioners.order_by("display_name").values_list("pk", "display_name"))
    data = availability.load_hours(practitioner_ids=list(names), first_day=scope.first_day, last_day=scope.last_day)
    return names, data


def _working_intervals_in(data, practitioner_ids: list[int], scope: Scope, zone):
    """(practitioner, day, interval) for every working interval in the range (`availability.working_intervals`).
    A day with no exception of the practitioner and no change of the clock has the intervals of the same weekday
    before it, moved by whole days (aware arithmetic keeps the wall-clock times): worked out once per practitioner
    and weekday, not once per day."""
    excepted = {(pk, e.date) for pk, rows in data.exceptions.items() for e in rows}
    usual: dict[tuple[int, int], tuple[dt.date, list]] = {}
    day = scope.first_day
    while day <= scope.last_day:
        midnight = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
        clock_changes = midnight.utcoffset() != (midnight + dt.timedelta(days=1)).utcoffset()
        for pk in practitioner_ids:
            if clock_changes or (pk, day) in excepted:
                intervals = availability.working_intervals(data, pk, day, zone)
            elif (pk, day.weekday()) in usual:
                seen_on, seen = usual[(pk, day.weekday())]
                shift = day - seen_on
                intervals = [availability.Interval(iv.start + shift, iv.end + shift, iv.location_id) for iv in seen]
            else:
                intervals = availability.working_intervals(data, pk, day, zone)
                usual[(pk, day.weekday())] = (day, intervals)
            for iv in intervals:
                yield pk, day, iv
        day += dt.timedelta(days=1)


def _union(intervals) -> list[tuple[dt.datetime, dt.datetime]]:
    """The union of these working intervals as (start, end), in order: overlapping or touching ones merged."""
    merged: list[tuple[dt.datetime, dt.datetime]] = []
    for iv in sorted(intervals, key=lambda iv: iv.start):
        if merged and iv.start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], iv.end))
        else:
            merged.append((iv.start, iv.end))
    return merged


def _union_hours(intervals: list) -> float:
    """Hours covered by the union of these intervals: a location's opening hours (it is open while anyone works
    there), or a practitioner's available hours (overlapping intervals count once)."""
    return sum(((end - start).total_seconds() / 3600 for start, end in _union(intervals)), 0.0)
