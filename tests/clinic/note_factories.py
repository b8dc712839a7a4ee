"""Visit-note rows and form data for tests. Notes are made through the services, so they obey the rules."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from contextlib import contextmanager

import time_machine

from clinic.notes import services
from clinic.notes.forms import NOTE_FIELDS, ROW_SETS
from tests.scheduling.factories import AppointmentFactory

NY = zoneinfo.ZoneInfo("America/New_York")
# "Today" in these tests: Monday 1 June 2026, 07:00 in the clinic's zone.
TODAY = dt.date(2026, 6, 1)
NOW = dt.datetime(2026, 6, 1, 7, 0, tzinfo=NY)


def at(day_offset: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(TODAY + dt.timedelta(days=day_offset), dt.time(hour, minute), tzinfo=NY)


@contextmanager
def clinic_clock(settings, when: dt.datetime = NOW, *, tick: bool = False):
    """The clinic in New York and its clock at `when` (stopped, unless `tick`); yields the traveller, to move on."""
    settings.TIME_ZONE = "America/New_York"
    with time_machine.travel(when, tick=tick) as traveller:
        yield traveller


def appointment(patient, practitioner, *, start=None, status="completed", **extra):
    return AppointmentFactory(
        patient=patient, practitioner=practitioner, start=start or at(0, 9), status=status, **extra
    )


def draft(patient, practitioner, *, start=None, **changes):
    appt = appointment(patient, practitioner, start=start)
    note = services.note_start(appointment=appt, actor=practitioner.user)
    if changes:
        note = services.note_save_draft(note=note, actor=practitioner.user, changes=changes)
    return note


def signed(patient, practitioner, *, start=None, **changes):
    changes = {"chief_complaint": "Low back pain", "sot_category": "II", **changes}
    note = draft(patient, practitioner, start=start, **changes)
    return services.note_sign(note=note, actor=practitioner.user)


def post_data(note, *, rows: dict[str, list[dict]] | None = None, **fields) -> dict:
    """What the note form posts: the note's fields (prefixed "note-") and the three row sets."""
    data = {}
    for name in NOTE_FIELDS:
        value = fields.get(name, getattr(note, name))
        if value is None:
            value = "unknown" if name == "adverse_event" else ""
        if name == "adverse_event" and isinstance(value, bool):
            value = "true" if value else "false"
        if name == "red_flags_reviewed":
            if value:
                data[f"note-{name}"] = "on"
            continue
        data[f"note-{name}"] = value
    rows = rows or {}
    for name, (_formset, prefix) in ROW_SETS.items():
        current = rows.get(name, getattr(note, name) or [])
        data[f"{prefix}-TOTAL_FORMS"] = str(len(current))
        data[f"{prefix}-INITIAL_FORMS"] = str(len(current))
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "20"
        for index, row in enumerate(current):
            for key, value in row.items():
                data[f"{prefix}-{index}-{key}"] = value
    return data
