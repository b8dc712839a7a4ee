"""Writes for scheduling, one module per concern; import from here (`from scheduling import services`).

- `booking`: book, move, change room (hours, room pick, the no-double-booking guard)
- `status`: the status state machine (check-in gate, treatment, completion, no-show, cancellation)
- `series`: care-plan series, checked as a whole and booked all or none
- `waitlist`: the waitlist and the e-mail offering a freed time
- `online`: what a patient does online (the same services plus the online rules and the policy window)
- `notify`: queueing notices and reminders after commit; `sending`: the worker's side that sends them
- `blocks`: time off, meetings and extra hours added from the calendar (and the appointments they overlap)
- `feeds`: a practitioner's private calendar feed (its secret URL)
- `common`: the errors every service raises

Dependencies run one way: common <- sending <- notify <- booking/status <- series/online; waitlist uses
common only. `scheduling/tasks.py` runs `sending` and `waitlist`, and `notify` queues those tasks.
"""

from scheduling.services.blocks import BlockResult, may_block_for, time_block_add
from scheduling.services.booking import (
    NO_OVERLAP_CONSTRAINTS,
    ROOM_CONSTRAINT,
    appointment_book,
    appointment_book_registering,
    appointment_change_room,
    appointment_move,
)
from scheduling.services.common import SchedulingError, SlotTaken, error_text
from scheduling.services.feeds import calendar_feed_fetched, calendar_feed_rotate, calendar_feed_stop
from scheduling.services.notify import reminders_enqueue_due
from scheduling.services.online import (
    appointment_book_online,
    appointment_cancel_online,
    appointment_move_online,
    online_types_for,
    patient_register_self,
)
from scheduling.services.sending import notice_send, reminder_send
from scheduling.services.series import Occurrence, series_book, series_occurrences, series_plan
from scheduling.services.status import (
    STATUS_ACTIONS,
    TRANSITIONS,
    allowed_moves,
    appointment_cancel,
    appointment_check_in,
    appointment_complete,
    appointment_mark_no_show,
    appointment_start_treatment,
    check_in_missing,
    check_in_opens_at,
    check_in_too_early,
)
from scheduling.services.waitlist import waitlist_add, waitlist_offer, waitlist_offer_freed, waitlist_remove

__all__ = [
    "NO_OVERLAP_CONSTRAINTS",
    "ROOM_CONSTRAINT",
    "STATUS_ACTIONS",
    "TRANSITIONS",
    "BlockResult",
    "Occurrence",
    "SchedulingError",
    "SlotTaken",
    "allowed_moves",
    "appointment_book",
    "appointment_book_online",
    "appointment_book_registering",
    "appointment_cancel",
    "appointment_cancel_online",
    "appointment_change_room",
    "appointment_check_in",
    "appointment_complete",
    "appointment_mark_no_show",
    "appointment_move",
    "appointment_move_online",
    "appointment_start_treatment",
    "calendar_feed_fetched",
    "calendar_feed_rotate",
    "calendar_feed_stop",
    "check_in_missing",
    "check_in_opens_at",
    "check_in_too_early",
    "error_text",
    "may_block_for",
    "notice_send",
    "online_types_for",
    "patient_register_self",
    "reminder_send",
    "reminders_enqueue_due",
    "series_book",
    "series_occurrences",
    "series_plan",
    "time_block_add",
    "waitlist_add",
    "waitlist_offer",
    "waitlist_offer_freed",
    "waitlist_remove",
]
