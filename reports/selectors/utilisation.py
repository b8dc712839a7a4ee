"""Utilisation: booked vs available hours per practitioner and per room, per day or week."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, Sum
from django.utils import timezone

from clinic.models import Room
from reports.localtime import as_hours, hours_between, local_day
from reports.selectors.common import Scope, _as_date, _bounds, appointments_in
from reports.selectors.hours import _practitioner_hours, _union_hours, _working_intervals_in
from scheduling.models import Appointment


@dataclass(frozen=True)
class UtilisationRow:
    period: dt.date  # the day, or the Monday of the week
    practitioner: str
    booked_hours: float
    available_hours: float

    @property
    def pct(self) -> float:
        return round(100 * self.booked_hours / self.available_hours, 1) if self.available_hours else 0.0


@dataclass(frozen=True)
class Utilisation:
    by_week: bool
    rows: list[UtilisationRow]
    by_practitioner: list[UtilisationRow]  # the whole range, one row each (period = the first day)
    # Per room (`practitioner` holds the room's name and location): booked vs the location's opening hours. Empty
    # when the report is one practitioner's: a room's figures are everyone's bookings.
    room_rows: list[UtilisationRow] = ()
    by_room: list[UtilisationRow] = ()


def _days(scope: Scope):
    return (scope.first_day + dt.timedelta(days=n) for n in range((scope.last_day - scope.first_day).days + 1))


def _period(day: dt.date, by_week: bool) -> dt.date:
    return day - dt.timedelta(days=day.weekday()) if by_week else day


def utilisation(scope: Scope, *, by_week: bool | None = None) -> Utilisation:
    """Booked vs available hours per practitioner per day (per week past a month), and per room (`_room_utilisation`)
    unless the report is one practitioner's. Four queries: the practitioners, their hours and exceptions
    (`load_hours`), the booked time summed by the database per practitioner, room and day, and the rooms. Available =
    weekly hours plus extra hours minus time off and meetings (`working_intervals`), worked out per calendar day in
    Python (the calendar is arithmetic, not rows): the length of the union of the practitioner's intervals that day,
    across the locations (overlapping hours count once), or of that location's intervals with a location filter.
    """
    if by_week is None:
        by_week = (scope.last_day - scope.first_day).days > 31
    names, data = _practitioner_hours(scope)
    zone = timezone.get_current_timezone()
    booked_qs = (
        appointments_in(scope)
        .filter(status__in=Appointment.ACTIVE_STATUSES)
        .annotate(period=local_day("start", zone, *_bounds(scope), week=by_week))
        .values("practitioner_id", "room_id", "period")
        .annotate(booked=Sum(hours_between("start", "end")))
        .order_by()
    )
    # The database sums per practitioner, room and period (day or week), in one pass for both tables: at most
    # periods x practitioners x the rooms each used rows. A room's figure counts every practitioner's bookings.
    booked: dict[tuple[int, dt.date], float] = {}
    room_booked: dict[tuple[int, dt.date], float] = {}
    for row in booked_qs:
        period, hours = _as_date(row["period"]), as_hours(row["booked"])
        if row["practitioner_id"] in names:
            key = (row["practitioner_id"], period)
            booked[key] = booked.get(key, 0.0) + hours
        key = (row["room_id"], period)
        room_booked[key] = room_booked.get(key, 0.0) + hours
    available: dict[tuple[int, dt.date], float] = dict.fromkeys(
        ((pk, _period(d, by_week)) for pk in names for d in _days(scope)), 0.0
    )
    by_location: dict[tuple[int, dt.date], list] = {}  # for the rooms: who works at each location each day
    worked: dict[tuple[int, dt.date], list] = {}  # each practitioner's intervals each day (at the location)
    for pk, day, iv in _working_intervals_in(data, list(names), scope, zone):
        by_location.setdefault((iv.location_id, day), []).append(iv)
        if not scope.location_id or iv.location_id == scope.location_id:
            worked.setdefault((pk, day), []).append(iv)
    # One practitioner works in one place at a time: their intervals that overlap (two locations at once, or weekly
    # and extra hours) count once, as for the idle gaps (`_union`).
    for (pk, day), intervals in worked.items():
        available[(pk, _period(day, by_week))] += _union_hours(intervals)
    rows, totals = _utilisation_rows(scope, names, booked, available)
    room_rows, by_room = [], []
    if not scope.practitioner_id:
        room_rows, by_room = _room_utilisation(scope, by_location, room_booked, by_week)
    return Utilisation(by_week=by_week, rows=rows, by_practitioner=totals, room_rows=room_rows, by_room=by_room)


def _utilisation_rows(scope: Scope, names: dict, booked: dict, available: dict):
    """Rows per (key, period) and one total per key, in `names` order (a key with neither is left out of rows)."""
    keys = sorted(set(available) | set(booked), key=lambda k: (k[1], names[k[0]]))
    rows = [
        UtilisationRow(
            period, names[pk], round(booked.get((pk, period), 0.0), 2), round(available.get((pk, period), 0.0), 2)
        )
        for pk, period in keys
    ]
    sums: dict[int, tuple[float, float]] = {}
    for pk, period in keys:
        b, a = sums.get(pk, (0.0, 0.0))
        sums[pk] = (b + booked.get((pk, period), 0.0), a + available.get((pk, period), 0.0))
    totals = []
    for pk, name in names.items():
        b, a = sums.get(pk, (0.0, 0.0))
        totals.append(UtilisationRow(scope.first_day, name, round(b, 2), round(a, 2)))
    return rows, totals


def _room_utilisation(scope: Scope, by_location: dict, booked: dict, by_week: bool):
    """Booked vs available hours per room and period. A room is available while its location is open, and a
    location is open while any of its active practitioners works there (the union of their working intervals
    that day, `by_location`: the clinic keeps no separate opening hours; see docs/decisions.md). One query: the
    rooms (`booked` is summed with the practitioners')."""
    rooms = Room.objects.filter(location__active=True, active=True)
    if scope.location_id:
        rooms = rooms.filter(location_id=scope.location_id)
    # A room with bookings in the range keeps its row even if it has since been closed.
    used = {pk for pk, _ in booked}
    room_list = list(
        Room.objects.filter(Q(pk__in=rooms.values("pk")) | Q(pk__in=used))
        .order_by("location__name", "name")
        .values_list("pk", "name", "location_id", "location__name")
    )
    names = {pk: f"{name} ({location})" for pk, name, _, location in room_list}
    locations = {location_id for _, _, location_id, _ in room_list}
    open_hours: dict[tuple[int, dt.date], float] = {}
    for (location_id, day), intervals in by_location.items():
        if location_id in locations:
            key = (location_id, _period(day, by_week))
            open_hours[key] = open_hours.get(key, 0.0) + _union_hours(intervals)
    available = {
        (pk, period): hours
        for pk, _, location_id, _ in room_list
        for (loc, period), hours in open_hours.items()
        if loc == location_id
    }
    return _utilisation_rows(scope, names, booked, available)
