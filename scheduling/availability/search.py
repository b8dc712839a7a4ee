"""The entry points: load what a question needs, then answer it with the pure functions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.utils import timezone

from scheduling.availability.free import free_slots
from scheduling.availability.loading import load_schedule
from scheduling.availability.rows import UTC, Slot, clinic_zone


def find_slots(
    *,
    appointment_type,
    practitioner_ids: Sequence[int] | None,
    first_day: dt.date,
    days: int,
    now: dt.datetime | None = None,
    min_notice: dt.timedelta | None = None,
    horizon: dt.timedelta | bool | None = True,
    one_per_start: bool = False,
    exclude_appointment_id: int | None = None,
) -> list[Slot]:
    """Free starts for a type from the settings' grid, notice and horizon (pass `min_notice=timedelta(0)`,
    `horizon=None` for the front desk)."""
    zone = clinic_zone()
    now = now or timezone.now()
    if min_notice is None:
        min_notice = dt.timedelta(minutes=settings.SCHEDULING_MIN_NOTICE_MINUTES)
    if horizon is True:
        horizon = dt.timedelta(days=settings.SCHEDULING_HORIZON_DAYS)
    data = load_schedule(
        practitioner_ids=practitioner_ids,
        first_day=first_day,
        last_day=first_day + dt.timedelta(days=days - 1),
        zone=zone,
        exclude_appointment_id=exclude_appointment_id,
    )
    return free_slots(
        data,
        duration=appointment_type.duration,
        buffer_after=appointment_type.buffer_after,
        first_day=first_day,
        days=days,
        now=now,
        zone=zone,
        grid_minutes=settings.SCHEDULING_GRID_MINUTES,
        min_notice=min_notice,
        horizon=horizon or None,
        one_per_start=one_per_start,
    )


def nearest_free(
    *,
    appointment_type,
    practitioner_id: int | None,
    around: dt.datetime,
    count: int = 3,
    now: dt.datetime | None = None,
    exclude_appointment_id: int | None = None,
) -> list[Slot]:
    """The `count` free starts closest to `around` (same practitioner when given), in time order."""
    now = now or timezone.now()
    zone = clinic_zone()
    day = around.astimezone(zone).date()
    first_day = max(day - dt.timedelta(days=3), timezone.localdate(now, zone))
    slots = find_slots(
        appointment_type=appointment_type,
        practitioner_ids=[practitioner_id] if practitioner_id else None,
        first_day=first_day,
        days=(day - first_day).days + 8,
        now=now,
        min_notice=dt.timedelta(0),
        horizon=None,
        one_per_start=practitioner_id is None,
        exclude_appointment_id=exclude_appointment_id,
    )
    around = around.astimezone(UTC)
    closest = sorted(slots, key=lambda s: abs(s.start.astimezone(UTC) - around))[:count]
    return sorted(closest, key=lambda s: s.start.astimezone(UTC))
