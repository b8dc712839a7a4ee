"""A practitioner's private calendar feed: making (or replacing) the secret URL that calendars subscribe to."""

from __future__ import annotations

import secrets

from django.db import transaction

from clinic.models import AuditEvent, Practitioner
from clinic.services import audit_record
from scheduling import selectors
from scheduling.models import CalendarFeed


@transaction.atomic
def calendar_feed_rotate(*, practitioner: Practitioner, actor, request=None) -> str:
    """Make a new secret for the practitioner's feed and answer it; the old URL stops working at once.

    Only the secret's SHA-256 is stored, so the URL can be shown only now."""
    token = secrets.token_urlsafe(32)
    feed, created = CalendarFeed.objects.select_for_update().get_or_create(
        practitioner=practitioner, defaults={"token_sha256": selectors.feed_token_digest(token)}
    )
    if not created:
        feed.token_sha256 = selectors.feed_token_digest(token)
        feed.last_fetched_at = None
        feed.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        obj=feed,
        request=request,
        detail="calendar feed made" if created else "calendar feed URL replaced",
    )
    return token


@transaction.atomic
def calendar_feed_stop(*, practitioner: Practitioner, actor, request=None) -> bool:
    """Turn the feed off: its URL answers 404 from now on. False when there was none."""
    feed = selectors.calendar_feed_of(practitioner)
    if feed is None:
        return False
    audit_record(actor=actor, action=AuditEvent.Action.DELETE, obj=feed, request=request, detail="calendar feed off")
    feed.delete()
    return True


def calendar_feed_fetched(*, feed: CalendarFeed, at) -> None:
    """Note when a calendar last fetched the feed (shown on the practitioner's page)."""
    CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=at)
