"""Blocking time from the calendar: time off, meetings and extra hours, for part of a day or whole days,
optionally on the same weekday for several weeks. Stored as `AvailabilityException` rows, which availability
reads directly, so a new block changes the free times at once.

A block over booked appointments is saved, and those appointments are answered for the desk to move (the
page lists them with links): never cancelled, moved or kept silently. Refusing until they are moved would
leave the practitioner bookable in the very hours they cannot work while the desk phones the patients.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext

from clinic.models import AuditEvent, Location, Practitioner
from clinic.permissions import can, practitioner_of
from clinic.services import audit_record
from scheduling import selectors
from scheduling.models import Appointment, AvailabilityException
from scheduling.services.common import SchedulingError

MAX_WEEKS = 52


@dataclass
class BlockResult:
    blocks: list[AvailabilityException]
    overlapping: list[Appointment]


def may_block_for(user, practitioner: Practitioner) -> bool:
    """The desk (and clinic admins) block time for anyone; a practitioner only for themselves."""
    if can(user, "schedule.block_anyone"):
        return True
    own = practitioner_of(user)
    return can(user, "schedule.block") and own is not None and own.pk == practitioner.pk


@transaction.atomic
def time_block_add(
    *,
    practitioner: Practitioner,
    kind: str,
    first_date: dt.date,
    start_time: dt.time | None = None,
    end_time: dt.time | None = None,
    location: Location | None = None,
    reason: str = "",
    weeks: int = 1,
    actor,
    request=None,
) -> BlockResult:
    """Add the block on `first_date` and the same weekday for `weeks` weeks in all; answer the rows and the
    booked appointments they overlap (to be moved by the desk). Extra hours overlap nothing."""
    if not may_block_for(actor, practitioner):
        raise PermissionDenied(gettext("You may block time only in your own calendar."))
    if not 1 <= weeks <= MAX_WEEKS:
        raise SchedulingError({"weeks": [gettext("Repeat for 1 to %(most)s weeks.") % {"most": MAX_WEEKS}]})
    if kind != AvailabilityException.Kind.EXTRA_HOURS:
        location = None
    blocks = []
    for week in range(weeks):
        block = AvailabilityException(
            practitioner=practitioner,
            kind=kind,
            date=first_date + dt.timedelta(weeks=week),
            start_time=start_time,
            end_time=end_time,
            location=location,
            reason=reason.strip(),
        )
        try:
            block.full_clean()
        except ValidationError as exc:
            raise SchedulingError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from exc
        block.save()
        blocks.append(block)
    hours = f"{start_time:%H:%M}-{end_time:%H:%M}" if start_time and end_time else "whole day"
    repeat = f", weekly x{weeks}" if weeks > 1 else ""
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=blocks[0],
        request=request,
        detail=f"{blocks[0].get_kind_display()} for {practitioner.display_name} {first_date} {hours}{repeat}",
    )
    return BlockResult(blocks=blocks, overlapping=selectors.appointments_overlapping_blocks(blocks))
