"""The reports' figures: each a handful of aggregate queries, however long the range (no per-row loops)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import (
    CharField,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, TruncWeek
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from clinic.models import CarePlan, Location, Patient, Practitioner, Room, VisitNote
from clinic.models.careplans import CarePlanStatus, PlanQuestionnaire
from clinic.notes.selectors import pain_meaningful_change
from intake.models import OutcomeScore, Questionnaire
from reports.localtime import as_hours, hours_between, local_day, local_hour, local_weekday, shifted
from scheduling import availability
from scheduling.models import Appointment


@dataclass(frozen=True)
class Scope:
    """What a report covers: the days (inclusive), and optionally one location and one practitioner."""

    first_day: dt.date
    last_day: dt.date
    location_id: int | None = None
    practitioner_id: int | None = None


def practitioners_for_filter() -> QuerySet[Practitioner]:
    return Practitioner.objects.order_by("display_name")


def locations_for_filter() -> QuerySet[Location]:
    return Location.objects.order_by("name")


def _bounds(scope: Scope) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(scope.first_day, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(scope.last_day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def appointments_in(scope: Scope) -> QuerySet[Appointment]:
    start, end = _bounds(scope)
    qs = Appointment.objects.filter(start__gte=start, start__lt=end)
    if scope.location_id:
        qs = qs.filter(room__location_id=scope.location_id)
    if scope.practitioner_id:
        qs = qs.filter(practitioner_id=scope.practitioner_id)
    return qs


# --- Attendance -------------------------------------------------------------------------------------------------


def _late_cancel() -> Q:
    """Cancelled inside the policy window: fewer than CLINIC_CANCELLATION_HOURS before the start."""
    window = dt.timedelta(hours=settings.CLINIC_CANCELLATION_HOURS)
    # The status first: SQLite then works the window out only for the cancelled appointments.
    return Q(status=Appointment.Status.CANCELLED) & Q(cancelled_at__gt=shifted("start", -window))


def _early_cancel() -> Q:
    return Q(status=Appointment.Status.CANCELLED) & ~_late_cancel()


def _attendance_counts() -> dict:
    """Due = every appointment still booked when the policy window opened (all but the early cancellations)."""
    return {
        "due": Count("pk", filter=~_early_cancel()),
        "no_shows": Count("pk", filter=Q(status=Appointment.Status.NO_SHOW)),
        "late_cancels": Count("pk", filter=_late_cancel()),
    }


@dataclass(frozen=True)
class AttendanceRow:
    label: str
    due: int
    no_shows: int
    late_cancels: int

    @property
    def no_show_rate(self) -> float:
        return self.no_shows / self.due if self.due else 0.0

    @property
    def late_cancel_rate(self) -> float:
        return self.late_cancels / self.due if self.due else 0.0

    @property
    def no_show_pct(self) -> float:
        return round(100 * self.no_show_rate, 1)

    @property
    def late_cancel_pct(self) -> float:
        return round(100 * self.late_cancel_rate, 1)

    @property
    def missed_rate(self) -> float:
        return (self.no_shows + self.late_cancels) / self.due if self.due else 0.0


@dataclass(frozen=True)
class Attendance:
    total: AttendanceRow
    by_practitioner: list[AttendanceRow]
    by_weekday: list[AttendanceRow]
    by_hour: list[AttendanceRow]


def attendance(scope: Scope) -> Attendance:
    """No-shows and late cancellations, overall and per practitioner, weekday and hour. One query, one pass over
    the range: the database counts per practitioner, local weekday and local hour together (GROUP BY; at most
    practitioners x 7 x 24 cells, however long the range), and Python adds those few cells up into the three
    groupings and the total."""
    zone = timezone.get_current_timezone()
    start, end = _bounds(scope)
    cells = (
        appointments_in(scope)
        .order_by()
        .annotate(weekday=local_weekday("start", zone, start, end), hour=local_hour("start", zone, start, end))
        .values("practitioner_id", "practitioner__display_name", "weekday", "hour")
        .annotate(**_attendance_counts())
        .order_by()
    )
    fields = ("due", "no_shows", "late_cancels")
    groups: dict[str, dict] = {"practitioner": {}, "weekday": {}, "hour": {}, "all": {}}
    for cell in cells:
        keys = {
            "practitioner": (cell["practitioner__display_name"], cell["practitioner_id"]),
            "weekday": cell["weekday"],
            "hour": cell["hour"],
            "all": None,
        }
        for group, key in keys.items():
            sums = groups[group].setdefault(key, [0, 0, 0])
            for i, f in enumerate(fields):
                sums[i] += cell[f]

    def rows(group: str, label) -> list[AttendanceRow]:
        return [AttendanceRow(label(key), *sums) for key, sums in sorted(groups[group].items())]

    weekday_names = [str(WEEKDAYS[i]) for i in range(7)]  # Django's (translated) names, Monday first
    return Attendance(
        total=AttendanceRow(_("All"), *groups["all"].get(None, (0, 0, 0))),
        by_practitioner=rows("practitioner", lambda key: key[0]),
        by_weekday=rows("weekday", lambda key: weekday_names[int(key) - 1]),
        by_hour=rows("hour", lambda key: f"{int(key):02d}:00"),
    )


def repeated_no_shows(scope: Scope, *, at_least: int = 2) -> list[dict]:
    """Patients with `at_least` no-shows in the range (one query): names them, so the view audits the read."""
    return list(
        appointments_in(scope)
        .filter(status=Appointment.Status.NO_SHOW)
        .values("patient_id", "patient__first_name", "patient__last_name")
        .annotate(no_shows=Count("pk"))
        .filter(no_shows__gte=at_least)
        .order_by("-no_shows", "patient__last_name", "patient__first_name")
    )


# --- Utilisation ------------------------------------------------------------------------------------------------


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


# --- Idle gaps --------------------------------------------------------------------------------------------------


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
    from scheduling.models import AppointmentType

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


# --- New patients -----------------------------------------------------------------------------------------------

ATTENDED = (Appointment.Status.CHECKED_IN, Appointment.Status.IN_TREATMENT, Appointment.Status.COMPLETED)


@dataclass(frozen=True)
class NewPatientsRow:
    week: dt.date  # the Monday
    online: int
    front_desk: int
    returned: int  # came back for a second visit within 30 days of the first

    @property
    def total(self) -> int:
        return self.online + self.front_desk

    @property
    def returned_pct(self) -> float:
        return round(100 * self.returned / self.total, 1) if self.total else 0.0


def new_patients(scope: Scope) -> list[NewPatientsRow]:
    """First visits (the patient's first attended appointment ever) in the range, per week and by how they were
    booked, and how many of those patients came back within 30 days. One query."""
    attended = Appointment.objects.filter(patient_id=OuterRef("patient_id"), status__in=ATTENDED)
    zone = timezone.get_current_timezone()
    rows = (
        appointments_in(scope)
        .filter(status__in=ATTENDED)
        .annotate(
            earlier=Exists(attended.filter(start__lt=OuterRef("start"))),
            returned=Exists(
                attended.filter(start__gt=OuterRef("start"), start__lte=OuterRef("start") + dt.timedelta(days=30))
            ),
        )
        .filter(earlier=False)
        .annotate(week=TruncWeek("start", tzinfo=zone))
        .values("week")
        .annotate(
            online=Count("pk", filter=Q(source=Appointment.Source.ONLINE)),
            front_desk=Count("pk", filter=~Q(source=Appointment.Source.ONLINE)),
            came_back=Count("pk", filter=Q(returned=True)),
        )
        .order_by("week")
    )
    return [NewPatientsRow(_as_date(r["week"]), r["online"], r["front_desk"], r["came_back"]) for r in rows]


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


# --- Retention and rebooking ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RebookingRow:
    label: str
    visits: int  # attended visits in the range
    rebooked: int  # of which the patient's next appointment was already booked when they left

    @property
    def pct(self) -> float:
        return round(100 * self.rebooked / self.visits, 1) if self.visits else 0.0


@dataclass(frozen=True)
class Rebooking:
    total: RebookingRow
    by_practitioner: list[RebookingRow]


def _next_booked_at() -> Subquery:
    """When the patient's next appointment was booked: the first later appointment still booked when this visit
    ended (not cancelled, or cancelled only afterwards). The visit's end is when the patient left: the clinic
    records no separate check-out time. The (patient, start) index finds it in one step."""
    cancelled = Appointment.Status.CANCELLED
    later = Appointment.objects.filter(patient_id=OuterRef("patient_id"), start__gt=OuterRef("start")).filter(
        ~Q(status=cancelled) | Q(cancelled_at__gt=OuterRef("end"))
    )
    return Subquery(later.order_by("start").values("created_at")[:1])


def rebooking(scope: Scope) -> Rebooking:
    """Attended visits in the range and the share after which the next appointment was already booked. One query."""
    visits = appointments_in(scope).filter(status__in=ATTENDED).annotate(next_booked_at=_next_booked_at())
    counts = {"visits": Count("pk"), "rebooked_visits": Count("pk", filter=Q(next_booked_at__lte=F("end")))}
    # Per practitioner only: each visit has one practitioner, so the total is these few counts added up (a
    # second pass over the visits for it would double the time).
    rows = visits.values("practitioner__display_name").annotate(**counts).order_by("practitioner__display_name")
    by_practitioner = [RebookingRow(r["practitioner__display_name"], r["visits"], r["rebooked_visits"]) for r in rows]
    total = RebookingRow(_("All"), sum(r.visits for r in by_practitioner), sum(r.rebooked for r in by_practitioner))
    return Rebooking(total=total, by_practitioner=by_practitioner)


def _seen(scope: Scope) -> QuerySet:
    seen = Appointment.objects.filter(status__in=ATTENDED)
    if scope.location_id:
        seen = seen.filter(room__location_id=scope.location_id)
    if scope.practitioner_id:
        seen = seen.filter(practitioner_id=scope.practitioner_id)
    return seen.order_by()


def _lapsed(scope: Scope, *, weeks: int, now: dt.datetime) -> QuerySet:
    """Patients seen (at the location, by the practitioner) whose last visit anywhere was more than `weeks` weeks
    before `now`, with nothing booked from `now` on. The date range does not apply: lapsing is measured today.
    Asked once per patient, not once per visit."""
    cutoff = now - dt.timedelta(weeks=weeks)
    of_patient = Appointment.objects.filter(patient_id=OuterRef("pk"))
    return Patient.objects.filter(pk__in=_seen(scope).values("patient_id")).filter(
        ~Exists(of_patient.filter(status__in=ATTENDED, start__gte=cutoff)),
        ~Exists(of_patient.filter(status__in=Appointment.ACTIVE_STATUSES, start__gte=now)),
    )


def lapsed_count(scope: Scope, *, weeks: int, now: dt.datetime) -> int:
    """How many patients have lapsed (an aggregate: names no one). One query."""
    return _lapsed(scope, weeks=weeks, now=now).count()


def lapsed_patients(scope: Scope, *, weeks: int, now: dt.datetime) -> list[dict]:
    """The lapsed patients with their last visit and number of visits (here), most recently seen first, and whether
    they are on the front desk's recall list (an accepted or active care plan: lapsed, such a patient has no
    future appointment, which puts them on it; `clinic.careplans.recalls`). One query: names patients, so the view
    audits the read."""
    from clinic.careplans.recalls import RECALL_STATES

    if connection.vendor == "postgresql":
        # One grouped join over the patients' appointments: PostgreSQL read each patient's count as a subquery
        # through the patient index and the rows (52,000 blocks over a year), 240 ms against 50.
        here = Q(appointments__status__in=ATTENDED)
        if scope.location_id:
            here &= Q(appointments__room__location_id=scope.location_id)
        if scope.practitioner_id:
            here &= Q(appointments__practitioner_id=scope.practitioner_id)
        figures = {"last_visit": Max("appointments__start", filter=here), "visits": Count("appointments", filter=here)}
    else:
        # SQLite answers the subqueries per patient from the (patient, start) indexes faster than the join.
        seen_here = _seen(scope).filter(patient_id=OuterRef("pk"))
        visits = seen_here.values("patient_id").annotate(n=Count("pk")).values("n")
        figures = {
            "last_visit": Subquery(seen_here.order_by("-start").values("start")[:1]),
            "visits": Subquery(visits, output_field=IntegerField()),
        }
    return list(
        _lapsed(scope, weeks=weeks, now=now)
        .annotate(
            **figures,
            on_recall=Exists(CarePlan.objects.filter(patient_id=OuterRef("pk"), status__in=RECALL_STATES)),
        )
        .values("first_name", "last_name", "last_visit", "visits", "on_recall", patient_id=F("pk"))
        .order_by("-last_visit", "last_name", "first_name", "pk")
    )


# --- Care plans -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CarePlanRow:
    label: str
    started: int  # plans first accepted by the patient in the range (a revision is the same plan)
    completed: int  # plans marked completed in the range
    discontinued: int  # plans discontinued in the range
    visits: int  # visits attended during the plans that ended (completed or discontinued) in the range

    @property
    def ended(self) -> int:
        return self.completed + self.discontinued

    @property
    def avg_visits(self) -> float:
        return round(self.visits / self.ended, 1) if self.ended else 0.0

    @property
    def completed_pct(self) -> float:
        return round(100 * self.completed / self.ended, 1) if self.ended else 0.0


@dataclass(frozen=True)
class CarePlans:
    total: CarePlanRow
    by_practitioner: list[CarePlanRow]


def careplans(scope: Scope) -> CarePlans:
    """Plans started, completed and discontinued in the range, and visits attended per ended plan. One query.

    Started: the plan's first acceptance by the patient (any earlier-accepted version of the same lineage makes a
    later acceptance a revision, not a start). Ended: a completed or discontinued plan's last change (`updated_at`:
    such a plan can no longer change). Visits attended: the patient's completed appointments from the plan's first
    version to its end. A location counts a plan when the patient had a visit there during it."""
    start, end = _bounds(scope)
    plans = CarePlan.objects.all()
    if scope.practitioner_id:
        plans = plans.filter(practitioner_id=scope.practitioner_id)
    began = Subquery(CarePlan.objects.filter(pk=OuterRef("lineage")).values("created_at")[:1])
    plans = plans.annotate(began=Coalesce(began, F("created_at")))
    if scope.location_id:
        at_location = Appointment.objects.filter(
            patient_id=OuterRef("patient_id"), room__location_id=scope.location_id, start__gte=OuterRef("began")
        )
        plans = plans.filter(Exists(at_location))
    accepted_before = CarePlan.objects.filter(lineage=OuterRef("lineage"), accepted_at__lt=OuterRef("accepted_at"))
    started = Q(accepted_at__gte=start, accepted_at__lt=end, accepted_before=False)
    ended_in_range = Q(updated_at__gte=start, updated_at__lt=end)
    completed = Q(status=CarePlanStatus.COMPLETED) & ended_in_range
    discontinued = Q(status=CarePlanStatus.DISCONTINUED) & ended_in_range
    visits = (
        Appointment.objects.filter(
            patient_id=OuterRef("patient_id"),
            status=Appointment.Status.COMPLETED,
            start__gte=OuterRef("began"),
            start__lte=OuterRef("updated_at"),
        )
        .order_by()
        .values("patient_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    plans = plans.annotate(accepted_before=Exists(accepted_before)).filter(started | completed | discontinued)
    plans = plans.annotate(visits=Coalesce(Subquery(visits, output_field=IntegerField()), 0))
    counts = {
        "started": Count("pk", filter=started),
        "completed": Count("pk", filter=completed),
        "discontinued": Count("pk", filter=discontinued),
        "visits": Coalesce(Sum("visits", filter=completed | discontinued), 0),
    }
    # Per practitioner only: each plan has one practitioner, so the total is these few rows added up (a second
    # pass over the plans for it would double the time).
    name = "practitioner__display_name"
    rows = plans.order_by().values(name).annotate(**counts).order_by(name)
    by_practitioner = [CarePlanRow(r[name], r["started"], r["completed"], r["discontinued"], r["visits"]) for r in rows]
    fields = ("started", "completed", "discontinued", "visits")
    total = CarePlanRow(_("All"), *(sum(getattr(r, f) for r in by_practitioner) for f in fields))
    return CarePlans(total=total, by_practitioner=by_practitioner)


# --- Outcomes ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeRow:
    label: str  # "Pain", a questionnaire's code, or "Either"
    threshold: str  # the meaningful change, as written for people
    measured: int  # patients with at least two measures (the first, and a later one)
    improved: int  # of which the latest is better than the first by at least the meaningful change

    @property
    def pct(self) -> float:
        return round(100 * self.improved / self.measured, 1) if self.measured else 0.0


@dataclass(frozen=True)
class Outcomes:
    seen: int  # patients with an attended visit in the range
    rows: list[OutcomeRow]


def _measures(scope: Scope, questionnaires: list[tuple[int, str, Decimal]], pain_change: float) -> QuerySet:
    """Every measure up to the end of the range, as rows (patient, measure, value, when, tie-break, meaningful
    change): pain from the visit notes, and each questionnaire's percent from the intake (`OutcomeScore`) and from
    the care plans (`PlanQuestionnaire`, scored by the same rule). One UNION ALL; `_OUTCOMES_SQL` keeps the
    patients seen."""
    _, end = _bounds(scope)
    value = DecimalField(max_digits=5, decimal_places=1)

    def columns(qs: QuerySet, key: str, v: str, when: str, change: Decimal, order: str = "pk") -> QuerySet:
        return (
            qs.order_by()
            .annotate(
                m_p=F("patient_id"),
                m_k=Value(key, output_field=CharField()),
                m_v=Cast(v, value),
                m_at=F(when),
                m_o=F(order),
                m_c=Value(change, output_field=value),
            )
            .values("m_p", "m_k", "m_v", "m_at", "m_o", "m_c")
        )

    # From the notes' side: only the notes with a pain score are read, each finding its appointment's start.
    pain = VisitNote.objects.filter(pain_today__isnull=False, appointment__start__lt=end)
    pain_change = Decimal(str(pain_change))
    parts = [columns(pain, "pain", "pain_today", "appointment__start", pain_change, order="appointment_id")]
    for pk, code, change in questionnaires:
        intake = OutcomeScore.objects.filter(questionnaire_id=pk, percent__isnull=False, scored_at__lt=end)
        plan = PlanQuestionnaire.objects.filter(questionnaire_code=code, percent__isnull=False, answered_at__lt=end)
        parts.append(columns(intake, code, "percent", "scored_at", Decimal(change)))
        parts.append(columns(plan, code, "percent", "answered_at", Decimal(change)))
    return parts[0].union(*parts[1:], all=True)


# The patients seen, once; per patient and measure the first and latest value and how many (one window: one
# sort); whether measured twice and improved; then the counts per measure and over either (a patient counts once).
_OUTCOMES_SQL = """
WITH seen AS (SELECT DISTINCT patient_id FROM ({seen}) s),
m AS ({measures}),
ranked AS (
    SELECT m_p, m_k, m_c,
        ROW_NUMBER() OVER w AS up,
        COUNT(*) OVER w AS n,
        FIRST_VALUE(m_v) OVER w AS first_v,
        LAST_VALUE(m_v) OVER w AS latest_v
    FROM m
    WHERE m_p IN (SELECT patient_id FROM seen)
    WINDOW w AS (PARTITION BY m_p, m_k ORDER BY m_at, m_o ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
),
judged AS (
    SELECT m_p, m_k,
        CASE WHEN n >= 2 THEN 1 ELSE 0 END AS measured,
        CASE WHEN n >= 2 AND first_v >= latest_v + m_c THEN 1 ELSE 0 END AS improved
    FROM ranked
    WHERE up = 1
),
either AS (SELECT m_p, MAX(measured) AS measured, MAX(improved) AS improved FROM judged GROUP BY m_p)
SELECT m_k, SUM(measured), SUM(improved) FROM judged GROUP BY m_k
UNION ALL
SELECT %s, SUM(measured), SUM(improved) FROM either
UNION ALL
SELECT %s, COUNT(*), 0 FROM seen
"""
_EITHER, _SEEN = "either measure", "patients seen"


def outcomes(scope: Scope) -> Outcomes:
    """Of the patients seen in the range (at the location, by the practitioner): the share whose pain or
    questionnaire score improved by at least the meaningful change between their first measure and their latest
    measure up to the end of the range. Lower is better on every measure (pain 0-10, NDI and ODI percents).
    Pain is the visit note's pain today; a questionnaire's measures are the intake's scores and the care plans'
    (the same questionnaire scored by the same rule); the meaningful change of each questionnaire is its
    `meaningful_change`, pain's `PainScale.meaningful_change`. Three queries: the pain scale, the
    questionnaires, then one over every measure of the patients seen, ranked by window functions (no
    per-patient subquery)."""
    questionnaires = list(
        Questionnaire.objects.filter(meaningful_change__isnull=False)
        .order_by("code")
        .values_list("pk", "code", "meaningful_change")
    )
    pain_change = pain_meaningful_change()
    measures_sql, measures_params = _sql(_measures(scope, questionnaires, pain_change))
    seen_sql, seen_params = _sql(appointments_in(scope).filter(status__in=ATTENDED).order_by().values("patient_id"))
    with connection.cursor() as cursor:
        cursor.execute(
            _OUTCOMES_SQL.format(seen=seen_sql, measures=measures_sql),
            [*seen_params, *measures_params, _EITHER, _SEEN],
        )
        figures = {key: (int(measured or 0), int(improved or 0)) for key, measured, improved in cursor.fetchall()}
    measures = [("pain", _("Pain"), _("%(number)s points of 10") % {"number": _fmt_number(pain_change)})]
    percentage = _("%(number)s percentage points")
    measures += [(code, code.upper(), percentage % {"number": _fmt_number(c)}) for _pk, code, c in questionnaires]
    rows = [OutcomeRow(label, text, *figures.get(key, (0, 0))) for key, label, text in measures]
    rows.append(OutcomeRow(_("Either measure"), _("either of the above"), *figures.get(_EITHER, (0, 0))))
    return Outcomes(seen=figures[_SEEN][0], rows=rows)


def _sql(qs: QuerySet) -> tuple[str, tuple]:
    return qs.query.get_compiler(connection=connection).as_sql()


def _fmt_number(value) -> str:
    value = Decimal(value)
    return f"{value:.0f}" if value == value.to_integral_value() else f"{value:.1f}"
