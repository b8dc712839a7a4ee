"""The practitioner's private calendar feed (its secret URL is the credential) and the page to make, replace or
turn off that URL."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.core import is_ratelimited

from clinic.audit import audit_read, no_patient_data, reads_patient_data
from clinic.models import AuditEvent
from clinic.permissions import practitioner_of, rule_required
from clinic.services import audit_record
from scheduling import ics, selectors, services

FEED_DAYS_BACK, FEED_DAYS_AHEAD = 60, 365
_FRESH_FEED = "calendar_feed_token"


@reads_patient_data
@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The feed itself: no login (calendars cannot log in), the secret in the URL is the credential.

    It shows patients' initials beside times, which is patient data: every fetch leaves one audit row naming
    the practitioner's feed (the actor is anonymous)."""
    if is_ratelimited(
        request, group="calendar-feed", key="ip", rate=settings.CALENDAR_FEED_RATE_LIMIT, method="GET", increment=True
    ):
        audit_record(action=AuditEvent.Action.DENIED, request=request, detail="calendar feed rate limit")
        return HttpResponse("Too many requests for this calendar feed; try again later.", status=429)
    feed = selectors.calendar_feed_by_token(token)
    if feed is None:
        raise Http404("No such calendar feed.")
    practitioner = feed.practitioner
    today = timezone.localdate()
    now = timezone.now()
    appointments = selectors.feed_appointments(
        practitioner,
        start=now - dt.timedelta(days=FEED_DAYS_BACK),
        end=now + dt.timedelta(days=FEED_DAYS_AHEAD),
    )
    blocks = selectors.time_blocks_between(
        [practitioner.pk], today - dt.timedelta(days=FEED_DAYS_BACK), today + dt.timedelta(days=FEED_DAYS_AHEAD)
    )
    body = ics.practitioner_feed(practitioner, appointments=appointments, blocks=blocks)
    services.calendar_feed_fetched(feed=feed, at=now)
    audit_read(request, feed, f"calendar feed of {practitioner.display_name}"[:300])
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@no_patient_data
@rule_required("calendar_feed.manage")
@require_http_methods(["GET", "HEAD", "POST"])
def calendar_feed_manage(request: HttpRequest) -> HttpResponse:
    """Make, replace or turn off one's own feed URL. The URL is shown once, right after it is made."""
    practitioner = practitioner_of(request.user)
    if request.method == "POST":
        if practitioner is None:
            messages.error(request, _("Your login is not linked to a practitioner record; ask the clinic admin."))
        elif request.POST.get("action") == "stop":
            if services.calendar_feed_stop(practitioner=practitioner, actor=request.user, request=request):
                messages.success(request, _("Your calendar feed is off: calendars subscribed to it get nothing more."))
        else:
            request.session[_FRESH_FEED] = services.calendar_feed_rotate(
                practitioner=practitioner, actor=request.user, request=request
            )
        return redirect("scheduling:calendar_feed_manage")
    token = request.session.pop(_FRESH_FEED, None)
    feed = selectors.calendar_feed_of(practitioner) if practitioner else None
    url = request.build_absolute_uri(reverse("scheduling:calendar_feed", args=[token])) if token and feed else ""
    return render(
        request,
        "scheduling/calendar_feed_manage.html",
        {
            "practitioner": practitioner,
            "feed": feed,
            "feed_url": url,
            "webcal_url": url.replace("https://", "webcal://").replace("http://", "webcal://"),
        },
    )
