"""What every scheduling service shares: its errors, and the way it writes a time in messages and audit rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.utils import timezone

from clinic.domain_errors import error_text
from scheduling import availability

__all__ = ["SchedulingError", "SlotTaken", "error_text", "when_text"]


class SchedulingError(ValidationError):
    """A booking rule refused the request; the message says what to do instead."""


class SlotTaken(SchedulingError):
    """That time was just taken (by another booking or a concurrent request); `alternatives` are free times."""

    def __init__(self, message: str, *, alternatives: Sequence[availability.Slot] = (), field: str = "start"):
        super().__init__({field: [message]}, code="slot_taken")
        self.alternatives = list(alternatives)
        self.text = message


def when_text(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%a %d %b %Y %H:%M")
