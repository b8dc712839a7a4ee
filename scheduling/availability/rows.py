"""What availability works on: the rows loaded up front (hours, exceptions, busy times) and the instants as
integers (microseconds since 1970 in UTC), with the clinic's zone and a local day's bounds."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings

UTC = dt.UTC


EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)


MICROSECOND = dt.timedelta(microseconds=1)


LOOKBACK = dt.timedelta(days=1)  # see _ScheduleSQL.busy


@dataclass(frozen=True)
class Interval:
    start: dt.datetime
    end: dt.datetime
    location_id: int


@dataclass(frozen=True)
class Busy:
    """An active appointment as availability sees it: the practitioner until `end`, the room until `blocks_until`."""

    start: dt.datetime
    end: dt.datetime
    blocks_until: dt.datetime
    practitioner_id: int
    room_id: int


@dataclass(frozen=True, slots=True)  # slots: made by the hundred per call, twice as fast to make
class Slot:
    start: dt.datetime  # aware, in the clinic's zone
    practitioner_id: int
    room_id: int

    def as_json(self) -> dict:
        return {"start": self.start.isoformat(), "practitioner": self.practitioner_id, "room": self.room_id}


@dataclass(frozen=True)
class HoursRow:
    weekday: int
    start_time: dt.time
    end_time: dt.time
    location_id: int


@dataclass(frozen=True)
class ExceptionRow:
    date: dt.date
    kind: str  # "time_off" | "meeting" | "extra_hours"
    start_time: dt.time | None
    end_time: dt.time | None
    location_id: int | None
    reason: str = ""  # shown on the calendar (`load_hours` reads it; availability does not need it)


# (start, end, blocks_until, practitioner_id, room_id), the instants in epoch microseconds (see `to_micros`).
BusyRow = tuple[int, int, int, int, int]


@dataclass
class ScheduleData:
    """What availability needs for one range of dates, fetched once.

    Appointments come in either form: `busy_rows` (integers, what `load_schedule` fills) or `busy` (datetimes,
    handy when building data by hand); `free_slots` reads both."""

    practitioner_ids: list[int]
    hours: dict[int, list[HoursRow]] = field(default_factory=dict)
    exceptions: dict[int, list[ExceptionRow]] = field(default_factory=dict)
    rooms_by_location: dict[int, list[int]] = field(default_factory=dict)
    busy: list[Busy] = field(default_factory=list)
    busy_rows: list[BusyRow] = field(default_factory=list)

    def all_busy_rows(self) -> list[BusyRow]:
        if not self.busy:
            return self.busy_rows
        return self.busy_rows + [
            (to_micros(b.start), to_micros(b.end), to_micros(b.blocks_until), b.practitioner_id, b.room_id)
            for b in self.busy
        ]


def clinic_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def day_bounds(day: dt.date, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """The instants at which a local day starts and ends (23 or 25 hours apart on DST change days)."""
    return (
        dt.datetime.combine(day, dt.time(0), tzinfo=zone),
        dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone),
    )


def to_micros(instant: dt.datetime) -> int:
    """An aware datetime as microseconds since 1970-01-01 UTC; exact, as datetimes count whole microseconds."""
    return (instant - EPOCH) // MICROSECOND


def from_micros(micros: int, zone: dt.tzinfo) -> dt.datetime:
    # fromtimestamp with whole seconds is exact (no float) and four times faster than adding a timedelta to the
    # epoch; the zone's fromutc sets the offset and the fold as astimezone would.
    seconds, fraction = divmod(micros, 1_000_000)
    instant = dt.datetime.fromtimestamp(seconds, zone)
    return instant.replace(microsecond=fraction) if fraction else instant
