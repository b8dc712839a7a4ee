"""Scheduling's pages, one module per concern; `scheduling/urls.py` routes to the modules.

- `calendar`: the front desk's day view, week views and day sheet, and moving a visit by dragging it
- `appointments`: the patient picker's search, booking (and its duplicate check), find a free time, and
  the appointment page with its actions (move, change room, cancel, check in, status)
- `series`: care-plan series, planned and then booked
- `waitlist`: the waitlist, offering a freed time, removing an entry
- `blocks`: blocking time (time off, meetings, extra hours) and the appointments a block overlaps
- `calendar_feed`: the practitioner's private calendar feed and the page to make or stop its URL
- `api`: free start times as JSON for the booking pages (public)
- `patient`: what patients see: online booking (/book/) and their appointments (/account/)
- `common`: what the views share (the posted data, the day a calendar page shows, the patient picker)

The front desk's views stay importable from here (`from scheduling.views import appointment_book`).
"""

from scheduling.views.api import availability_list
from scheduling.views.appointments import (
    DUPLICATE_KEYS,
    appointment_book,
    appointment_cancel,
    appointment_change_room,
    appointment_check_in,
    appointment_detail,
    appointment_move,
    appointment_status,
    patient_pick,
    slot_find,
)
from scheduling.views.calendar import day_sheet, frontdesk_home, week_view
from scheduling.views.common import PatientPicker
from scheduling.views.series import series_book, series_detail
from scheduling.views.waitlist import WAITLIST_FIELDS, waitlist_add, waitlist_list, waitlist_offer, waitlist_remove

__all__ = [
    "DUPLICATE_KEYS",
    "WAITLIST_FIELDS",
    "PatientPicker",
    "appointment_book",
    "appointment_cancel",
    "appointment_change_room",
    "appointment_check_in",
    "appointment_detail",
    "appointment_move",
    "appointment_status",
    "availability_list",
    "day_sheet",
    "frontdesk_home",
    "patient_pick",
    "series_book",
    "series_detail",
    "slot_find",
    "waitlist_add",
    "waitlist_list",
    "waitlist_offer",
    "waitlist_remove",
    "week_view",
]
