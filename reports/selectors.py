"""The reports' figures: each a handful of aggregate queries, however long the range (no per-row loops)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    CharField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Cast, ExtractHour, ExtractIsoWeekDay, TruncDate, TruncWeek
from django.utils import timezone

from clinic.models import Location, Practitioner
from scheduling import availability
from scheduling.models import Appointment

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


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
    return Q(status=Appointment.Status.CANCELLED, cancelled_at__gt=F("start") - window)


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
    """No-shows and late cancellations, overall and per practitioner, weekday and hour. One query: the database
    counts each grouping (GROUP BY) and the four answers come back as one UNION ALL; Python only labels them."""
    base = appointments_in(scope).order_by()
    counts = _attendance_counts()

    def grouped(group: int, key) -> QuerySet:
        return base.annotate(g=Value(group), k=Cast(key, CharField())).values("g", "k").annotate(**counts).order_by()

    total = base.annotate(g=Value(0), k=Value("All", output_field=CharField())).values("g", "k")
    total = total.annotate(**counts).order_by()
    cells = list(
        grouped(1, F("practitioner__display_name")).union(
            grouped(2, ExtractIsoWeekDay("start")), grouped(3, ExtractHour("start")), total, all=True
        )
    )
    groups: dict[int, list[AttendanceRow]] = {0: [], 1: [], 2: [], 3: []}
    for cell in cells:
        groups[cell["g"]].append(AttendanceRow(cell["k"], cell["due"], cell["no_shows"], cell["late_cancels"]))
    totals = [r for r in groups[0] if r.due or r.no_shows or r.late_cancels]
    weekday = sorted(groups[2], key=lambda r: int(r.label))
    hour = sorted(groups[3], key=lambda r: int(r.label))
    return Attendance(
        total=totals[0] if totals else AttendanceRow("All", 0, 0, 0),
        by_practitioner=sorted(groups[1], key=lambda r: r.label),
        by_weekday=[_relabel(r, WEEKDAYS[int(r.label) - 1]) for r in weekday],
        by_hour=[_relabel(r, f"{int(r.label):02d}:00") for r in hour],
    )


def _relabel(row: AttendanceRow, label: str) -> AttendanceRow:
    return AttendanceRow(label, row.due, row.no_shows, row.late_cancels)


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


def _period(day: dt.date, by_week: bool) -> dt.date:
    return day - dt.timedelta(days=day.weekday()) if by_week else day


def utilisation(scope: Scope, *, by_week: bool | None = None) -> Utilisation:
    """Booked vs available hours per practitioner per day (per week past a month). Three queries: the
    practitioners, their hours and exceptions (`load_hours`), and the booked time summed by the database per
    practitioner and day. Available = weekly hours plus extra hours minus time off and meetings (`working_intervals`),
    worked out per calendar day in Python: the calendar is arithmetic, not rows.
    """
    if by_week is None:
        by_week = (scope.last_day - scope.first_day).days > 31
    practitioners = Practitioner.objects.filter(active=True)
    if scope.practitioner_id:
        practitioners = Practitioner.objects.filter(pk=scope.practitioner_id)
    names = dict(practitioners.order_by("display_name").values_list("pk", "display_name"))
    zone = timezone.get_current_timezone()
    data = availability.load_hours(practitioner_ids=list(names), first_day=scope.first_day, last_day=scope.last_day)
    booked_qs = (
        appointments_in(scope)
        .filter(status__in=Appointment.ACTIVE_STATUSES, practitioner_id__in=list(names))
        .annotate(period=TruncWeek("start", tzinfo=zone) if by_week else TruncDate("start", tzinfo=zone))
        .values("practitioner_id", "period")
        .annotate(booked=Sum(ExpressionWrapper(F("end") - F("start"), output_field=DurationField())))
        .order_by()
    )
    # The database sums per practitioner and period (day or week); these are at most days x practitioners rows.
    booked = {
        (row["practitioner_id"], _as_date(row["period"])): row["booked"].total_seconds() / 3600 for row in booked_qs
    }
    available: dict[tuple[int, dt.date], float] = {}
    day = scope.first_day
    while day <= scope.last_day:
        for pk in names:
            hours = sum(
                (iv.end - iv.start).total_seconds() / 3600
                for iv in availability.working_intervals(data, pk, day, zone)
                if not scope.location_id or iv.location_id == scope.location_id
            )
            key = (pk, _period(day, by_week))
            available[key] = available.get(key, 0.0) + hours
        day += dt.timedelta(days=1)
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
    totals = [
        UtilisationRow(scope.first_day, name, round(sums.get(pk, (0.0, 0.0))[0], 2), round(sums.get(pk, (0, 0))[1], 2))
        for pk, name in names.items()
    ]
    return Utilisation(by_week=by_week, rows=rows, by_practitioner=totals)


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
