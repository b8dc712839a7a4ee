"""What several intake services share: the refusal they raise and "done once" with its audit row."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone

from clinic.models import AuditEvent
from clinic.services import save_audited


class IntakeError(ValidationError):
    """A request the intake or consent rules refuse; the message says what to do instead."""


def record_once(obj, *, done_at: str, refusal, changes: dict, actor, request, detail: str):
    """Lock `obj`'s row and record, once, that someone dealt with it: `done_at` set to now with `changes`, and
    its audit row. Dealt with already: IntakeError with `refusal(when)` (the local time it was)."""
    locked = type(obj).objects.select_for_update().get(pk=obj.pk)
    if getattr(locked, done_at) is not None:
        raise IntakeError(refusal(timezone.localtime(getattr(locked, done_at))))
    for name, value in {**changes, done_at: timezone.now()}.items():
        setattr(locked, name, value)
    save_audited(locked, actor=actor, action=AuditEvent.Action.UPDATE, request=request, detail=detail)
    return locked
