"""Free start times: working hours, minus exceptions, minus appointments (with buffers), minus taken rooms.

`load_schedule` fetches what one question needs in a fixed number of queries (three, however many
practitioners, days or appointments): the practitioners asked, their hours and exceptions, the rooms of the
locations where they work, and the appointments that hold those practitioners or those rooms. The rest are
pure functions over that data, so they are unit-tested without a database and give the same answer for the
same data.

Working hours are local wall-clock times in the clinic's zone. Each day's intervals are built with
`datetime.combine(day, time, zone)` (zoneinfo computes the offset for that date, so both daylight-saving
changes are right) and candidate starts are stepped in UTC, so a grid never skips or repeats an hour.

Instants are compared as integers: microseconds since 1970 in UTC. The database computes them for the
appointments (`_ScheduleSQL._epoch`), so no timestamp is parsed in Python. Microseconds are what datetimes
count, so every comparison is exactly the one the datetimes would give (seconds or minutes would round a
stored end of 10:00:00.5 to a time that no longer overlaps 10:00).

The modules: `rows` (the rows and instants) <- `loading` (the database reads) and `free` (the pure functions,
no database) <- `search` (load, then answer). The public names are re-exported here.
"""

from scheduling.availability.free import free_per_day, free_slots, location_for, working_intervals
from scheduling.availability.loading import (
    BookingFacts,
    epoch_micros_sql,
    load_booking_facts,
    load_hours,
    load_schedule,
)
from scheduling.availability.rows import (
    EPOCH,
    LOOKBACK,
    Busy,
    ExceptionRow,
    HoursRow,
    Interval,
    ScheduleData,
    Slot,
    clinic_zone,
    day_bounds,
    from_micros,
    to_micros,
)
from scheduling.availability.search import find_slots, nearest_free

__all__ = [
    "EPOCH",
    "LOOKBACK",
    "BookingFacts",
    "Busy",
    "ExceptionRow",
    "HoursRow",
    "Interval",
    "ScheduleData",
    "Slot",
    "clinic_zone",
    "day_bounds",
    "epoch_micros_sql",
    "find_slots",
    "free_per_day",
    "free_slots",
    "from_micros",
    "load_booking_facts",
    "load_hours",
    "load_schedule",
    "location_for",
    "nearest_free",
    "to_micros",
    "working_intervals",
]
