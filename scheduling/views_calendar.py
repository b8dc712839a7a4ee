"""The practitioner's private calendar feed (and the page to make or replace its URL), and blocking time
(time off, meetings, extra hours) from the day view."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.core import is_ratelimited

from clinic.audit import POST, audit_read, no_patient_data, reads_object, reads_patient_data
from clinic.domain_errors import attempt_form, error_text
from clinic.models import AuditEvent
from clinic.permissions import practitioner_of, rule_required
from clinic.services import audit_record
from scheduling import ics, selectors, services
from scheduling.dates import clock, day_short
from scheduling.forms import AppointmentMoveForm, TimeBlockForm
from scheduling.models import Appointment
from scheduling.permissions import get_appointment_for_user, practitioners_blockable_by

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


# The block form's fields that `services.time_block_add` takes as they are (its date is the first date).
BLOCK_FIELDS = ("practitioner", "kind", "start_time", "end_time", "location", "reason", "weeks")


@no_patient_data
@rule_required("schedule.block")
@require_http_methods(["GET", "HEAD", "POST"])
def time_block_add(request: HttpRequest) -> HttpResponse:
    """Block time in a practitioner's calendar (the day view links here per column, with ?practitioner=&date=).

    Saved at once; booked appointments under the block are then listed to be moved on `time_block_saved`
    (see services.blocks), else back to the day."""
    practitioners = practitioners_blockable_by(request.user)
    initial = {"date": request.GET.get("date") or timezone.localdate(), "weeks": 1}
    if request.GET.get("practitioner"):
        initial["practitioner"] = request.GET["practitioner"]
    elif practitioner_of(request.user) is not None:
        initial["practitioner"] = practitioner_of(request.user).pk
    form = TimeBlockForm(
        request.POST if request.method == "POST" else None, initial=initial, practitioners=practitioners
    )
    if request.method == "POST":
        result = attempt_form(
            request,
            form,
            lambda: services.time_block_add(
                **{name: form.cleaned_data[name] for name in BLOCK_FIELDS},
                first_date=form.cleaned_data["date"],
                actor=request.user,
                request=request,
            ),
            success=_saved_text,
        )
        if result is not None:
            if not result.overlapping:
                return redirect(_day_url(form.cleaned_data["date"]))
            ids = ",".join(str(b.pk) for b in result.blocks)
            return redirect(f"{reverse('scheduling:time_block_saved')}?{urlencode({'blocks': ids})}")
    return render(request, "scheduling/time_block_form.html", {"form": form}, status=400 if form.errors else 200)


@reads_patient_data
@rule_required("schedule.block")
@require_safe
def time_block_saved(request: HttpRequest) -> HttpResponse:
    """The booked appointments under blocks just saved (`?blocks=1,2`), with links to move them; the list is
    read again on every visit, so one moved meanwhile leaves it."""
    raw = request.GET.get("blocks", "").split(",")
    ids = [int(part) for part in raw if part.strip().isdigit()][: services.blocks.MAX_WEEKS]
    blocks = [b for b in selectors.time_blocks_by_ids(ids) if services.may_block_for(request.user, b.practitioner)]
    if not blocks:
        raise Http404("No such time block.")
    overlapping = selectors.appointments_overlapping_blocks(blocks)
    audit_read(request, None, f"appointments under time off for {blocks[0].practitioner.display_name}"[:300])
    return render(
        request,
        "scheduling/time_block_saved.html",
        {"blocks": blocks, "overlapping": overlapping, "day_url": _day_url(blocks[0].date)},
    )


def _day_url(day: dt.date) -> str:
    return f"{reverse('scheduling:frontdesk_home')}?date={day:%Y-%m-%d}"


def _saved_text(result: services.BlockResult) -> str:
    first = result.blocks[0]
    if first.whole_day:
        hours = _("the whole day")
    else:
        hours = _("%(start)s to %(end)s") % {"start": f"{first.start_time:%H:%M}", "end": f"{first.end_time:%H:%M}"}
    # Dates in the reader's language (English as before).
    # Translators: date format: Mon 07 Dec 2026.
    day_format = pgettext("date format", "D d M Y")
    dates = date_format(first.date, day_format)
    weeks = len(result.blocks)
    if weeks > 1:
        dates = ngettext(
            "%(first)s, weekly for %(count)s weeks (the last on %(last)s)",
            "%(first)s, weekly for %(count)s weeks (the last on %(last)s)",
            weeks,
        ) % {"first": dates, "count": weeks, "last": date_format(result.blocks[-1].date, day_format)}
    return _("Saved: %(kind)s for %(name)s, %(dates)s, %(hours)s.") % {
        "kind": first.get_kind_display().lower(),
        "name": first.practitioner.display_name,
        "dates": dates,
        "hours": hours,
    }


@reads_object("schedule.manage", get_appointment_for_user, "moved on the calendar", methods=POST)
def appointment_drag_move(request: HttpRequest, appointment: Appointment) -> JsonResponse:
    """The calendar's drag to move (day and week views, static/js/calendar-drag.js): the move form's checks and the same
    `appointment_move` service, answered as JSON. A refusal is an answer too (200, `ok: false`, the message
    naming the cause), not an error; the page puts the appointment back. Undo is another move, back to
    `undo`'s time and practitioner."""
    undo = {
        "start": timezone.localtime(appointment.start).strftime("%Y-%m-%dT%H:%M"),
        "practitioner": appointment.practitioner_id,
    }
    form = AppointmentMoveForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"ok": False, "message": " ".join(error_messages_of(form))})
    try:
        moved = services.appointment_move(
            appointment=appointment,
            start=form.cleaned_data["start"],
            practitioner=form.cleaned_data["practitioner"],
            actor=request.user,
            request=request,
            notify=True,
        )
    except ValidationError as exc:
        return JsonResponse({"ok": False, "message": error_text(exc)})
    when = timezone.localtime(moved.start)
    # From a week view the day may change too: then it is named.
    same_day = when.strftime("%Y-%m-%dT") == undo["start"][:11]
    names = {"time": clock(when), "day": day_short(when), "name": moved.practitioner.display_name}
    if same_day:
        message = _("Moved to %(time)s with %(name)s.") % names
    else:
        message = _("Moved to %(time)s on %(day)s with %(name)s.") % names
    return JsonResponse(
        {
            "ok": True,
            "message": message,
            "time": f"{when:%H:%M}",
            "undo": undo,
        }
    )


def error_messages_of(form) -> list[str]:
    return [str(e) for name in form.errors for e in form.errors[name]]
