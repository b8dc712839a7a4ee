"""Laying out the front-desk calendar: columns of time rows with appointment blocks. Pure presentation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.urls import reverse

from scheduling.availability import ScheduleData, working_intervals
from scheduling.models import AvailabilityException
from scheduling.selectors import Flags

ROW_MINUTES = 15
PX_PER_MINUTE = 1.6  # a 15-minute row is 24 px high
DEFAULT_FIRST_HOUR, DEFAULT_LAST_HOUR = 8, 18


@dataclass
class Row:
    label: str
    top: float
    height: float
    bookable: bool
    book_url: str = ""
    working: bool = False
    taken: bool = False  # to come, but its start is inside one of the column's appointments: not bookable


@dataclass
class Block:
    """An appointment on its column, placed by minutes (the page's CSS turns them into pixels, see
    static/css/scheduling.css `.cal-block`)."""

    appointment: object
    flags: Flags | None
    offset: int  # minutes from the top of the grid to its start (wall-clock)
    minutes: int  # its length
    time: str = ""  # its local start, "08:15"

    @property
    def top(self) -> float:
        return self.offset * PX_PER_MINUTE

    @property
    def height(self) -> float:
        return max(self.minutes * PX_PER_MINUTE, ROW_MINUTES * PX_PER_MINUTE) - 2


@dataclass
class TimeBlock:
    """Time off, a meeting or extra hours, shaded on the column with its reason."""

    kind: str
    label: str
    top: float
    height: float
    whole_day: bool = False


@dataclass
class Column:
    title: str
    day: dt.date
    practitioner: object
    rows: list[Row] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    works: bool = False
    time_blocks: list[TimeBlock] = field(default_factory=list)
    now_top: float | None = None  # where the "now" line goes, on today's column (set by `mark_time_blocks`)

    @property
    def folds(self) -> bool:
        """A day nobody works and nobody is booked: the week view draws it as a narrow strip."""
        return not self.works and not self.blocks and not self.time_blocks


@dataclass
class Grid:
    columns: list[Column]
    time_labels: list[Row]
    height: float
    first_minute: int = 0  # the local minute of the day at the top of the grid

    @property
    def marks(self) -> list[str]:
        """The time axis's labels, every half hour (the grid starts on the hour)."""
        return [r.label for r in self.time_labels if r.label.endswith((":00", ":30"))]


def _minutes(moment: dt.datetime, origin: dt.datetime) -> float:
    return (moment - origin).total_seconds() / 60


def _book_url(base: str, practitioner_id: int, day: dt.date, label: str) -> str:
    # As urlencode({"practitioner": ..., "start": ...}) would write it (digits, dashes and one colon), cheaper.
    return f"{base}?practitioner={practitioner_id}&start={day}T{label.replace(':', '%3A')}"


def build_grid(
    *,
    cells: list[tuple[str, dt.date, object]],
    data: ScheduleData,
    appointments: list,
    flags: dict[int, Flags],
    zone: dt.tzinfo,
    now: dt.datetime,
) -> Grid:
    """One column per (title, day, practitioner) cell; rows every 15 minutes between the earliest start and the
    latest end of anyone's hours (08:00-18:00 when nobody works), appointments placed as blocks."""
    hours_by_cell = [working_intervals(data, p.pk, day, zone) for _, day, p in cells]
    first_minute, last_minute = DEFAULT_FIRST_HOUR * 60, DEFAULT_LAST_HOUR * 60
    spans = [iv for ivs in hours_by_cell for iv in ivs]
    for iv in spans:
        local_start, local_end = iv.start.astimezone(zone), iv.end.astimezone(zone)
        first_minute = min(first_minute, local_start.hour * 60 + local_start.minute)
        last_minute = max(last_minute, local_end.hour * 60 + local_end.minute)
    local_starts: dict[int, dt.datetime] = {}  # each appointment's local start, converted once
    for a in appointments:
        s, e = a.start.astimezone(zone), a.end.astimezone(zone)
        local_starts[a.pk] = s
        first_minute = min(first_minute, s.hour * 60 + s.minute)
        last_minute = max(last_minute, e.hour * 60 + e.minute if e.date() == s.date() else 24 * 60)
    first_minute -= first_minute % 60
    last_minute = min(24 * 60, last_minute + (-last_minute) % 60)
    row_height = ROW_MINUTES * PX_PER_MINUTE
    labels = [
        Row(
            label=f"{m // 60:02d}:{m % 60:02d}",
            top=(m - first_minute) * PX_PER_MINUTE,
            height=row_height,
            bookable=False,
        )
        for m in range(first_minute, last_minute, ROW_MINUTES)
    ]
    book_url = reverse("scheduling:appointment_book")
    by_cell: dict[tuple[int, dt.date], list] = {}
    for a in appointments:
        by_cell.setdefault((a.practitioner_id, local_starts[a.pk].date()), []).append(a)
    # The rows of a day are the same for every column of that day (the day view's ten): their instants, whether
    # they are still to come, labels and tops, computed once per day.
    step = dt.timedelta(minutes=ROW_MINUTES)
    minutes = range(first_minute, last_minute, ROW_MINUTES)
    row_labels = [f"{m // 60:02d}:{m % 60:02d}" for m in minutes]
    row_tops = [(m - first_minute) * PX_PER_MINUTE for m in minutes]
    day_rows: dict[dt.date, list[tuple[dt.datetime, bool]]] = {}
    columns = []
    for (title, day, practitioner), intervals in zip(cells, hours_by_cell, strict=True):
        col = Column(title=title, day=day, practitioner=practitioner, works=bool(intervals))
        mine = by_cell.get((practitioner.pk, day), [])
        # Instants as POSIX seconds from here on: comparing aware datetimes of two zones costs an offset lookup
        # each, and a busy day compares thousands.
        spans = sorted((a.start.timestamp(), a.end.timestamp()) for a in mine)
        first = 0  # the first span not over yet (rows go down)
        instants = day_rows.get(day)
        if instants is None:
            origin = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
            # Wall-clock arithmetic, then normalised (right on daylight-saving change days too).
            starts = [(origin + dt.timedelta(minutes=m)).astimezone(zone) for m in minutes]
            instants = day_rows[day] = [(s.timestamp(), s + step > now) for s in starts]
        bounds = [(iv.start.timestamp(), iv.end.timestamp()) for iv in intervals]
        rows = col.rows
        for index, (start, future) in enumerate(instants):
            inside = False
            for iv_start, iv_end in bounds:
                if iv_start <= start < iv_end:
                    inside = True
                    break
            if not inside:
                rows.append(Row(row_labels[index], row_tops[index], row_height, False))
                continue
            while first < len(spans) and spans[first][1] <= start:
                first += 1
            # A start inside one of the practitioner's appointments is refused whatever is booked (no double
            # booking): no link to book there (the appointment's block covers the row anyway).
            taken = future and first < len(spans) and spans[first][0] <= start
            bookable = future and not taken
            label = row_labels[index]
            rows.append(
                Row(
                    label,
                    row_tops[index],
                    row_height,
                    bookable,
                    _book_url(book_url, practitioner.pk, day, label) if bookable else "",
                    True,
                    taken,
                )
            )
        for a in mine:
            local_start = local_starts[a.pk]
            # Placed by wall-clock time, like the row labels (right on daylight-saving change days too).
            offset = local_start.hour * 60 + local_start.minute - first_minute
            col.blocks.append(
                Block(
                    appointment=a,
                    flags=flags.get(a.pk),
                    offset=offset,
                    minutes=round(_minutes(a.end, a.start)),
                    time=f"{local_start.hour:02d}:{local_start.minute:02d}",
                )
            )
        columns.append(col)
    return Grid(
        columns=columns,
        time_labels=labels,
        height=(last_minute - first_minute) * PX_PER_MINUTE,
        first_minute=first_minute,
    )


def mark_time_blocks(grid: Grid, exceptions: dict, *, zone: dt.tzinfo, now: dt.datetime) -> None:
    """Shade each column's time off, meetings and extra hours (`ScheduleData.exceptions`, by practitioner)
    with their reason, and place the "now" line on today's columns when now falls inside the grid's hours."""
    local_now = now.astimezone(zone)
    now_minute = local_now.hour * 60 + local_now.minute + local_now.second / 60
    last_minute = grid.first_minute + grid.height / PX_PER_MINUTE
    kind_words = {kind: str(label) for kind, label in AvailabilityException.Kind.choices}  # looked up once a page
    for col in grid.columns:
        for b in exceptions.get(col.practitioner.pk, ()):
            if b.date != col.day:
                continue
            if b.start_time is None or b.end_time is None:
                start, end = grid.first_minute, last_minute
            else:
                start = max(grid.first_minute, b.start_time.hour * 60 + b.start_time.minute)
                end = min(last_minute, b.end_time.hour * 60 + b.end_time.minute)
            if end <= start:
                continue
            label = kind_words.get(b.kind, b.kind) + (f": {b.reason}" if b.reason else "")
            top = (start - grid.first_minute) * PX_PER_MINUTE
            whole_day = b.start_time is None
            col.time_blocks.append(TimeBlock(b.kind, label, top, (end - start) * PX_PER_MINUTE, whole_day))
        if col.day == local_now.date() and grid.first_minute <= now_minute <= last_minute:
            col.now_top = round((now_minute - grid.first_minute) * PX_PER_MINUTE, 1)


@dataclass
class WeekCell:
    day: dt.date
    visits: int  # active appointments
    booked_minutes: int
    working_minutes: int
    appointments: list = field(default_factory=list)  # the active ones (selectors.CalendarAppointment), by time

    @property
    def works(self) -> bool:
        return self.working_minutes > 0

    @property
    def working_text(self) -> str:
        hours, minutes = divmod(self.working_minutes, 60)
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"

    @property
    def percent_booked(self) -> int:
        return round(100 * self.booked_minutes / self.working_minutes) if self.working_minutes else 0


def week_summary(
    data, practitioners, days: list[dt.date], appointments, *, zone
) -> list[tuple[object, list[WeekCell]]]:
    """Every practitioner's week at a glance: per day, their active visits (counted, and listed for the page to
    fold away), the minutes booked and the minutes they work (hours plus extra hours, minus time off and
    meetings), from rows loaded once."""
    booked: dict[tuple[int, dt.date], list[int]] = {}
    listed: dict[tuple[int, dt.date], list] = {}
    for a in appointments:
        if not a.is_active:
            continue
        key = (a.practitioner_id, a.start.astimezone(zone).date())
        counts = booked.setdefault(key, [0, 0])
        counts[0] += 1
        counts[1] += int((a.end - a.start).total_seconds() // 60)
        listed.setdefault(key, []).append(a)
    rows = []
    for practitioner in practitioners:
        cells = []
        for day in days:
            intervals = working_intervals(data, practitioner.pk, day, zone)
            working = int(sum((iv.end - iv.start).total_seconds() for iv in intervals) // 60)
            visits, minutes = booked.get((practitioner.pk, day), (0, 0))
            cells.append(
                WeekCell(
                    day=day,
                    visits=visits,
                    booked_minutes=minutes,
                    working_minutes=working,
                    appointments=sorted(listed.get((practitioner.pk, day), []), key=lambda a: a.start),
                )
            )
        rows.append((practitioner, cells))
    return rows
