"""Attendance: no-shows and late cancellations (overall, per practitioner, weekday and hour), and the patients
who repeatedly did not come."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from reports.localtime import local_hour, local_weekday, shifted
from reports.selectors.common import Scope, _bounds, appointments_in
from scheduling.models import Appointment


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
