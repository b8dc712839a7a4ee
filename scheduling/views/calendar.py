"""The front desk's calendar: the day view (one column per practitioner), a practitioner's week or everyone's,
the printable day sheet, and moving a visit by dragging it on the day and week views."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from clinic import selectors as clinic_selectors
from clinic.audit import POST, audit_read, reads_object, reads_page
from clinic.domain_errors import error_text
from clinic.permissions import practitioner_of
from clinic.widgets import PatientSearchForm
from scheduling import availability, selectors, services
from scheduling.calendar import build_grid, mark_time_blocks, week_summary
from scheduling.dates import clock, day_short
from scheduling.forms import AppointmentMoveForm
from scheduling.models import Appointment
from scheduling.permissions import get_appointment_for_user
from scheduling.views.common import day_from


def _calendar_context(*, cells, first_day: dt.date, last_day: dt.date, practitioner_ids, appointments):
    zone = availability.clinic_zone()
    # The grid shades working hours only: no rooms or appointments to load again (the view holds them).
    data = availability.load_hours(practitioner_ids=practitioner_ids, first_day=first_day, last_day=last_day)
    shown = [a for a in appointments if a.is_active]
    flags = selectors.flags_for(shown)
    grid = build_grid(cells=cells, data=data, appointments=shown, flags=flags, zone=zone, now=timezone.now())
    return {"grid": grid, "inactive": [a for a in appointments if not a.is_active], "schedule": data}


@reads_page("schedule.manage")
def frontdesk_home(request: HttpRequest) -> HttpResponse:
    """The day view: one column per practitioner."""
    day = day_from(request)
    practitioners, appointments = selectors.calendar_day(day)
    context = _calendar_context(
        cells=[(p.display_name, day, p) for p in practitioners],
        first_day=day,
        last_day=day,
        practitioner_ids=[p.pk for p in practitioners],
        appointments=appointments,
    )
    # Time off, meetings and extra hours came with the hours (one query): shade them, and draw "now".
    mark_time_blocks(
        context["grid"], context["schedule"].exceptions, zone=availability.clinic_zone(), now=timezone.now()
    )
    context.update(
        day=day,
        prev_day=day - dt.timedelta(days=1),
        next_day=day + dt.timedelta(days=1),
        today=timezone.localdate(),
        practitioners=practitioners,
        blockable_ids={p.pk for p in practitioners if services.may_block_for(request.user, p)},
        search_form=PatientSearchForm(),
        urgent_alerts=selectors.urgent_alerts_open(),
    )
    audit_read(request, None, f"calendar day {day:%Y-%m-%d}")
    return render(request, "scheduling/frontdesk_home.html", context)


def _week_of_everyone(request: HttpRequest, practitioners) -> HttpResponse:
    """Every practitioner's week on one screen: visits, hours booked and hours worked per day, each day a link
    to its day view (no patient is named, only counts)."""
    day = day_from(request)
    monday = day - dt.timedelta(days=day.weekday())
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    zone = availability.clinic_zone()
    start, end = availability.day_bounds(monday, zone)[0], availability.day_bounds(days[-1], zone)[1]
    appointments = selectors.calendar_appointments_between(start, end)
    data = availability.load_hours(practitioner_ids=[p.pk for p in practitioners], first_day=monday, last_day=days[-1])
    rows = week_summary(data, practitioners, days, appointments, zone=zone)
    context = {
        "rows": rows,
        "days": days,
        "practitioners": practitioners,
        "monday": monday,
        "prev_week": monday - dt.timedelta(days=7),
        "next_week": monday + dt.timedelta(days=7),
        "today": timezone.localdate(),
    }
    audit_read(request, None, f"calendar week {monday:%Y-%m-%d}, every practitioner")
    return render(request, "scheduling/week_all.html", context)


@reads_page("schedule.manage")
def week_view(request: HttpRequest) -> HttpResponse:
    """Seven days of one practitioner's calendar, Monday first."""
    practitioners = list(clinic_selectors.practitioners_active())
    if not practitioners:
        raise Http404("No practitioner yet.")
    if request.GET.get("practitioner") == "all":
        return _week_of_everyone(request, practitioners)
    chosen = next((p for p in practitioners if str(p.pk) == request.GET.get("practitioner")), None)
    if chosen is None:
        own = practitioner_of(request.user)
        chosen = next((p for p in practitioners if own and p.pk == own.pk), practitioners[0])
    day = day_from(request)
    monday = day - dt.timedelta(days=day.weekday())
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    zone = availability.clinic_zone()
    start = availability.day_bounds(monday, zone)[0]
    end = availability.day_bounds(days[-1], zone)[1]
    appointments = selectors.calendar_appointments_between(start, end, practitioner_id=chosen.pk)
    context = _calendar_context(
        cells=[(date_format(d, "D d M"), d, chosen) for d in days],  # "Mon 07 Dec", in the active language
        first_day=monday,
        last_day=days[-1],
        practitioner_ids=[chosen.pk],
        appointments=appointments,
    )
    # As the day view: time off, meetings and extra hours shaded, and "now" on today's column.
    mark_time_blocks(
        context["grid"], context["schedule"].exceptions, zone=availability.clinic_zone(), now=timezone.now()
    )
    context.update(
        practitioner=chosen,
        practitioners=practitioners,
        monday=monday,
        prev_week=monday - dt.timedelta(days=7),
        next_week=monday + dt.timedelta(days=7),
        today=timezone.localdate(),
    )
    audit_read(request, None, f"calendar week {monday:%Y-%m-%d}, {chosen.display_name}"[:300])
    return render(request, "scheduling/week_view.html", context)


@reads_page("schedule.manage")
def day_sheet(request: HttpRequest) -> HttpResponse:
    """A printable list of the day's appointments per practitioner."""
    day = day_from(request)
    practitioners = list(clinic_selectors.practitioners_active())
    appointments = [a for a in selectors.appointments_for_day(day) if a.is_active]
    flags = selectors.flags_for(appointments)
    sheets = [(p, [(a, flags.get(a.pk)) for a in appointments if a.practitioner_id == p.pk]) for p in practitioners]
    audit_read(request, None, f"day sheet {day:%Y-%m-%d}")
    return render(request, "scheduling/day_sheet.html", {"day": day, "sheets": sheets})


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
