"""What every report shares: the scope (days, location, practitioner), the filters' choices, the scope's
appointments and bounds, what counts as attended, and the SQL and number helpers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from clinic.models import Location, Practitioner
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


ATTENDED = (Appointment.Status.CHECKED_IN, Appointment.Status.IN_TREATMENT, Appointment.Status.COMPLETED)


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _sql(qs: QuerySet) -> tuple[str, tuple]:
    return qs.query.get_compiler(connection=connection).as_sql()


def _fmt_number(value) -> str:
    value = Decimal(value)
    return f"{value:.0f}" if value == value.to_integral_value() else f"{value:.1f}"
