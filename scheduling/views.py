from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
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
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from clinic import selectors as clinic_selectors
from clinic.audit import POST, SAFE, acts_on_object, audit_read, no_patient_data, reads_object, reads_patient_data
from clinic.domain_errors import apply_error, attempt, attempt_form, message_error
from clinic.input_limits import FIRST_DAY, LAST_DAY, query_date
from clinic.permissions import can, practitioner_of, rule_required
from clinic.widgets import PatientSearchForm
from scheduling import availability, selectors, services
from scheduling.calendar import build_grid, mark_time_blocks, week_summary
from scheduling.dates import clock, day_short_padded
from scheduling.forms import (
    AppointmentBookForm,
    AppointmentCancelForm,
    AppointmentMoveForm,
    AppointmentRoomForm,
    CheckInForm,
    SeriesForm,
    SlotFindForm,
    WaitlistForm,
)
from scheduling.models import Appointment, CarePlanSeries, WaitlistEntry
from scheduling.permissions import get_appointment_for_user
from scheduling.services import SlotTaken

Status = Appointment.Status


def _posted(request: HttpRequest):
    """The posted data, or None on GET. (`request.POST or None` would leave an empty POST unbound: a 400 page
    with no error on it.)"""
    return request.POST if request.method == "POST" else None


def _day_from(request: HttpRequest) -> dt.date:
    """The day a calendar page shows: ?date=YYYY-MM-DD, else today; a date not understood (or outside the
    calendar) is said so on the page, which shows today."""
    day, problem = query_date(request.GET.get("date"), default=timezone.localdate())
    if problem:
        messages.warning(request, problem)
    return day


# --- Calendar ---------------------------------------------------------------------------------


def _calendar_context(*, cells, first_day: dt.date, last_day: dt.date, practitioner_ids, appointments):
    zone = availability.clinic_zone()
    # The grid shades working hours only: no rooms or appointments to load again (the view holds them).
    data = availability.load_hours(practitioner_ids=practitioner_ids, first_day=first_day, last_day=last_day)
    shown = [a for a in appointments if a.is_active]
    flags = selectors.flags_for(shown)
    grid = build_grid(cells=cells, data=data, appointments=shown, flags=flags, zone=zone, now=timezone.now())
    return {"grid": grid, "inactive": [a for a in appointments if not a.is_active], "schedule": data}


@reads_patient_data
@rule_required("schedule.manage")
@require_safe
def frontdesk_home(request: HttpRequest) -> HttpResponse:
    """The day view: one column per practitioner."""
    day = _day_from(request)
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
    day = _day_from(request)
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


@reads_patient_data
@rule_required("schedule.manage")
@require_safe
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
    day = _day_from(request)
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


@reads_patient_data
@rule_required("schedule.manage")
@require_safe
def day_sheet(request: HttpRequest) -> HttpResponse:
    """A printable list of the day's appointments per practitioner."""
    day = _day_from(request)
    practitioners = list(clinic_selectors.practitioners_active())
    appointments = [a for a in selectors.appointments_for_day(day) if a.is_active]
    flags = selectors.flags_for(appointments)
    sheets = [(p, [(a, flags.get(a.pk)) for a in appointments if a.practitioner_id == p.pk]) for p in practitioners]
    audit_read(request, None, f"day sheet {day:%Y-%m-%d}")
    return render(request, "scheduling/day_sheet.html", {"day": day, "sheets": sheets})


# --- Booking ----------------------------------------------------------------------------------


@reads_patient_data
@rule_required("schedule.manage")
@require_safe
def patient_pick(request: HttpRequest) -> HttpResponse:
    """Search results as radio buttons for the booking, series and waitlist forms (htmx or plain)."""
    form = PatientSearchForm(request.GET or None)
    patients = clinic_selectors.patients_search(form.cleaned_data["q"]) if form.is_valid() else []
    audit_read(request, None, "patient picker")
    return render(request, "scheduling/_patient_picker.html", {"patients": patients, "q": request.GET.get("q", "")})


@dataclass(frozen=True)
class PatientPicker:
    """What `components/patient_picker.html` shows: the search box (`q`, and the fields a search keeps,
    `keep`), the patients found as radio buttons, the chosen one, and the form field's errors."""

    q: str
    patients: list
    selected_id: int | None
    errors: list[str]
    keep: list[tuple[str, str]] = field(default_factory=list)


def _picker_context(request: HttpRequest, form, keep: tuple[str, ...] = ()) -> dict:
    """The patient picker of the booking, series and waitlist forms, built here for all three. `keep` names
    the form's fields a search carries over (so searching for the patient loses nothing chosen already)."""
    q = request.GET.get("q", "")
    patients = list(clinic_selectors.patients_search(q)) if q else []
    selected = None
    raw = form["patient"].value()
    if raw:
        selected = clinic_selectors.patient_by_id(raw)
    if selected and selected not in patients:
        patients.insert(0, selected)
    # The form shows the chosen patient, or a list of search results: a read of patient data either way.
    audit_read(request, selected, "booking form" if selected else "patient picker")
    kept = []
    for name in keep:
        value = form[name].value()
        if value not in (None, ""):
            text = value.strftime("%Y-%m-%dT%H:%M") if isinstance(value, dt.datetime) else str(value)
            kept.append((name, text[:16] if name == "start" else text))
    picker = PatientPicker(
        q=q,
        patients=patients,
        selected_id=selected.pk if selected else None,
        errors=list(form.errors.get("patient", [])),
        keep=kept,
    )
    # The choices partial (also the htmx swap target) reads these names directly.
    return {"picker": picker, "patients": patients, "q": q, "selected_id": picker.selected_id}


@reads_patient_data
@rule_required("schedule.manage")
@require_http_methods(["GET", "HEAD", "POST"])
def appointment_book(request: HttpRequest) -> HttpResponse:
    """Book an appointment; GET parameters (practitioner, start, appointment_type, patient, room) pre-fill it."""
    alternatives, duplicates = [], []
    if request.method == "POST":
        form = AppointmentBookForm(request.POST)
        if form.is_valid() and form.cleaned_data["patient"] is None and not form.cleaned_data["new_not_a_duplicate"]:
            new = form.new_patient_fields()
            duplicates = clinic_selectors.patient_duplicates(**{k: new[k] for k in DUPLICATE_KEYS})
            if duplicates:
                form.add_error(
                    "new_first_name",
                    _(
                        "This patient may already be registered (see above): choose their record, or book again to "
                        "register a different person."
                    ),
                )
                for duplicate in duplicates:
                    audit_read(request, duplicate, "possible duplicate shown on booking")
        if form.is_valid():
            data = form.cleaned_data
            appointment, alternatives = _attempt_slot(
                form,
                lambda: services.appointment_book_registering(
                    patient=data["patient"],
                    new_patient=form.new_patient_fields(),
                    language=form.language_change(),
                    practitioner=data["practitioner"],
                    appointment_type=data["appointment_type"],
                    start=data["start"],
                    room=data["room"],
                    frontdesk_notes=data["frontdesk_notes"],
                    actor=request.user,
                    request=request,
                    notify=True,
                ),
            )
            if appointment is not None:
                messages.success(
                    request,
                    _("Booked %(name)s on %(when)s.")
                    % {
                        "name": appointment.patient.full_name,
                        "when": _("%(day)s at %(time)s")
                        % {"day": day_short_padded(appointment.start), "time": clock(appointment.start)},
                    },
                )
                return redirect("scheduling:appointment_detail", pk=appointment.pk)
    else:
        initial = {
            k: request.GET[k]
            for k in ("practitioner", "start", "appointment_type", "patient", "room")
            if k in request.GET
        }
        if "appointment_type" not in initial:
            first_type = selectors.appointment_type_by_slug("sot-adjustment", online_only=False)
            if first_type:
                initial["appointment_type"] = first_type.pk
        form = AppointmentBookForm(initial=initial)
    context = {
        "form": form,
        "duplicates": duplicates,
        "use_url": _use_existing_url(form) if duplicates else "",
        "alternatives": _alternative_links(alternatives, form),
        **_picker_context(request, form, keep=("practitioner", "start", "appointment_type")),
    }
    status = 200 if request.method != "POST" or not form.errors else 400
    return render(request, "scheduling/appointment_book.html", context, status=status)


DUPLICATE_KEYS = ("first_name", "last_name", "date_of_birth", "email", "phone")


def _attempt_slot(form, action) -> tuple:
    """Run a service that books or moves to a time (`action`): (its answer, no alternatives); refused, (None, the
    nearest free times when the time was taken meanwhile), with the refusal on the form."""
    try:
        return action(), []
    except SlotTaken as exc:
        apply_error(form, exc)
        return None, exc.alternatives
    except ValidationError as exc:
        apply_error(form, exc)
        return None, []


def _use_existing_url(form) -> str:
    """The booking page again, with what was chosen, for an existing patient (whose id is appended)."""
    params = {name: form[name].value() for name in ("practitioner", "start", "appointment_type", "room")}
    params = {k: v for k, v in params.items() if v}
    return f"{reverse('scheduling:appointment_book')}?{urlencode(params)}&patient="


def _alternative_links(slots, form) -> list[tuple[availability.Slot, str]]:
    base = reverse("scheduling:appointment_book")
    links = []
    for slot in slots:
        params = {"practitioner": slot.practitioner_id, "start": slot.start.strftime("%Y-%m-%dT%H:%M")}
        for name in ("appointment_type", "patient"):
            value = form[name].value()
            if value:
                params[name] = value
        links.append((slot, f"{base}?{urlencode(params)}"))
    return links


def _detail_context(request, appointment: Appointment, **forms_) -> dict:
    booked = appointment.status == Status.BOOKED
    missing = services.check_in_missing(appointment) if booked else []
    context = {
        "check_in_wait": services.check_in_too_early(appointment, timezone.now()) if booked else "",
        "appointment": appointment,
        "allowed": services.allowed_moves(appointment),
        "can_no_show": Status.NO_SHOW in services.allowed_moves(appointment) and appointment.start <= timezone.now(),
        "missing": missing,
        "flags": selectors.flags_for([appointment]).get(appointment.pk),
        "move_form": AppointmentMoveForm(
            initial={"start": timezone.localtime(appointment.start).strftime("%Y-%m-%dT%H:%M")}
        ),
        "room_form": AppointmentRoomForm(
            initial={"room": appointment.room_id}, location_id=appointment.room.location_id
        ),
        "cancel_form": AppointmentCancelForm(),
        "check_in_form": CheckInForm(),
        "matches": list(selectors.waitlist_matches(appointment)) if appointment.status == Status.CANCELLED else [],
        "alternatives": [],
    }
    context.update(forms_)
    return context


def _render_detail(request, appointment, status=400, **forms_) -> HttpResponse:
    """The appointment page, or an action refused with its errors (the view's `reads_object` audits the read)."""
    return render(
        request, "scheduling/appointment_detail.html", _detail_context(request, appointment, **forms_), status=status
    )


@reads_object("schedule.manage", get_appointment_for_user, methods=SAFE)
def appointment_detail(request: HttpRequest, appointment: Appointment) -> HttpResponse:
    return _render_detail(request, appointment, status=200)


@reads_object("schedule.manage", get_appointment_for_user, methods=POST)
def appointment_move(request: HttpRequest, appointment: Appointment) -> HttpResponse:
    form = AppointmentMoveForm(request.POST)
    moved = _("Appointment moved.")
    return _form_action(request, appointment, "move_form", form, services.appointment_move, success=moved, notify=True)


def _form_action(request, appointment, form_name: str, form, service, *, success, **options) -> HttpResponse:
    """The shape every form action on an appointment shares: the valid form's fields are the service's arguments
    (with `options`); run it, say what happened (`success`: a text, or a function of the form's data) and go back
    to the appointment. A refusal shows the page again with the form (as `form_name`) and its errors, and for a
    time taken meanwhile the nearest free ones."""
    done, alternatives = None, []
    if form.is_valid():
        data = form.cleaned_data
        done, alternatives = _attempt_slot(
            form, lambda: service(appointment=appointment, **data, actor=request.user, request=request, **options)
        )
    if done is not None:
        messages.success(request, success(form.cleaned_data) if callable(success) else success)
        return redirect("scheduling:appointment_detail", pk=appointment.pk)
    return _render_detail(request, appointment, **{form_name: form}, alternatives=alternatives)


@reads_object("schedule.manage", get_appointment_for_user, methods=POST)
def appointment_change_room(request: HttpRequest, appointment: Appointment) -> HttpResponse:
    form = AppointmentRoomForm(request.POST, location_id=appointment.room.location_id)

    def moved_to(data) -> str:
        return _("Moved to %(room)s.") % {"room": data["room"].name}

    return _form_action(request, appointment, "room_form", form, services.appointment_change_room, success=moved_to)


@reads_object("schedule.manage", get_appointment_for_user, methods=POST)
def appointment_cancel(request: HttpRequest, appointment: Appointment) -> HttpResponse:
    form = AppointmentCancelForm(request.POST)
    cancelled = _("Appointment cancelled. Waitlist matches for the freed time are below.")
    return _form_action(
        request, appointment, "cancel_form", form, services.appointment_cancel, success=cancelled, notify=True
    )


@reads_object("schedule.manage", get_appointment_for_user, methods=POST)
def appointment_check_in(request: HttpRequest, appointment: Appointment) -> HttpResponse:
    form = CheckInForm(request.POST)
    checked_in = _("%(name)s is checked in.") % {"name": appointment.patient.full_name}
    return _form_action(request, appointment, "check_in_form", form, services.appointment_check_in, success=checked_in)


@reads_object("schedule.manage", get_appointment_for_user, methods=POST)
def appointment_status(request: HttpRequest, appointment: Appointment) -> HttpResponse:
    """In treatment, completed or no-show (the moves that need no form)."""
    action = services.STATUS_ACTIONS.get(request.POST.get("to", ""))
    if action is None:
        messages.error(request, _("Choose in treatment, completed or no-show."))
        return _render_detail(request, appointment)
    try:
        appointment = action(appointment=appointment, actor=request.user, request=request)
    except ValidationError as exc:
        message_error(request, exc)
        return _render_detail(request, appointment)
    messages.success(request, _("Marked %(status)s.") % {"status": appointment.get_status_display().lower()})
    return redirect("scheduling:appointment_detail", pk=appointment.pk)


# --- Find a slot ------------------------------------------------------------------------------


@no_patient_data
@rule_required("schedule.manage")
@require_safe
def slot_find(request: HttpRequest) -> HttpResponse:
    """Type, practitioner or any, earliest date -> the next free times, each a link to book."""
    form = SlotFindForm(request.GET or None, initial={"earliest": timezone.localdate()})
    links = []
    searched = False
    if request.GET and form.is_valid():
        searched = True
        data = form.cleaned_data
        practitioner = data["practitioner"]
        first_day = data["earliest"]
        horizon_end = timezone.localdate() + dt.timedelta(days=settings.SCHEDULING_HORIZON_DAYS)
        slots = []
        while not slots and first_day <= horizon_end:
            slots = availability.find_slots(
                appointment_type=data["appointment_type"],
                practitioner_ids=[practitioner.pk] if practitioner else None,
                first_day=first_day,
                days=14,
                min_notice=dt.timedelta(0),
                horizon=None,
                one_per_start=practitioner is None,
            )
            first_day += dt.timedelta(days=14)
        names = {p.pk: p.display_name for p in clinic_selectors.practitioners_active()}
        base = reverse("scheduling:appointment_book")
        for slot in slots[:24]:
            params = {
                "appointment_type": data["appointment_type"].pk,
                "practitioner": slot.practitioner_id,
                "start": slot.start.strftime("%Y-%m-%dT%H:%M"),
                "room": slot.room_id,
            }
            links.append((slot, names.get(slot.practitioner_id, ""), f"{base}?{urlencode(params)}"))
    return render(request, "scheduling/slot_find.html", {"form": form, "links": links, "searched": searched})


# --- Series -----------------------------------------------------------------------------------


@reads_patient_data
@rule_required("schedule.manage")
@require_http_methods(["GET", "HEAD", "POST"])
def series_book(request: HttpRequest) -> HttpResponse:
    """Plan a care-plan series; when some times are taken, the conflicts page lists each with alternatives and
    the front desk chooses (an alternative, or leaving that one out) before anything is booked."""
    initial = {"first_date": timezone.localdate(), "weeks": 6, "time_of_day": "09:00"}
    initial.update({k: request.GET[k] for k in ("patient", "practitioner") if k in request.GET})
    # A care plan's "Book this phase" link fills in the phase (weeks, days, notes naming the plan).
    initial.update({k: request.GET[k][:300] for k in ("weeks", "notes") if k in request.GET})
    if request.GET.getlist("weekdays"):
        initial["weekdays"] = request.GET.getlist("weekdays")
    form = SeriesForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # The series' times and who it is for, as the services take them (planned, then booked).
        dates = {name: data[name] for name in ("first_date", "weeks", "weekdays", "time_of_day")}
        who = {name: data[name] for name in ("patient", "practitioner", "appointment_type")}
        plan = services.series_plan(**who, starts=services.series_occurrences(**dates, visits=data["visits"]))
        if request.POST.get("step") == "confirm":
            chosen, unanswered = [], []
            for index, occurrence in enumerate(plan):
                if occurrence.ok:
                    chosen.append(occurrence.start)
                    continue
                answer = request.POST.get(f"choice-{index}", "")
                if answer == "skip":
                    continue
                try:
                    chosen.append(dt.datetime.fromisoformat(answer))
                except ValueError:
                    unanswered.append(index)
            if not unanswered:
                try:
                    series = services.series_book(
                        **who,
                        **dates,
                        starts=chosen,
                        notes=data["notes"],
                        actor=request.user,
                        request=request,
                        notify=True,
                    )
                except ValidationError as exc:
                    message_error(request, exc)
                else:
                    booked = series.appointments.count()
                    # The English keeps "appointments" for any count; a translation gets its plural forms.
                    messages.success(
                        request,
                        ngettext("Booked %(count)s appointments.", "Booked %(count)s appointments.", booked)
                        % {"count": booked},
                    )
                    return redirect("scheduling:series_detail", pk=series.pk)
            else:
                messages.error(request, _("For every taken time choose another time or leave it out."))
        return _confirm_page(request, form, plan, status=200 if request.POST.get("step") != "confirm" else 400)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "scheduling/series_form.html",
        {"form": form, **_picker_context(request, form, keep=("practitioner",))},
        status=status,
    )


def _confirm_page(request, form, plan, status):
    return render(
        request,
        "scheduling/series_conflicts.html",
        {
            "form": form,
            "plan": list(enumerate(plan)),
            "conflicts": sum(1 for o in plan if not o.ok),
            "visit_count": len(plan),
        },
        status=status,
    )


def _series(user, pk: int) -> CarePlanSeries:
    """A care-plan series (those who manage the schedule see every one); 404 for no such series."""
    series = selectors.series_detail(pk)
    if series is None:
        raise Http404("No such series.")
    return series


@reads_object("schedule.manage", _series, methods=SAFE)
def series_detail(request: HttpRequest, series: CarePlanSeries) -> HttpResponse:
    appointments = selectors.appointments_for_series(series)
    return render(request, "scheduling/series_detail.html", {"series": series, "appointments": appointments})


# --- Waitlist ---------------------------------------------------------------------------------


@reads_patient_data
@rule_required("schedule.manage")
@require_safe
def waitlist_list(request: HttpRequest) -> HttpResponse:
    audit_read(request, None, "waitlist")
    return render(request, "scheduling/waitlist_list.html", {"entries": selectors.waitlist_active()})


# The waitlist form's fields that `services.waitlist_add` takes as they are (the practitioners as a list).
WAITLIST_FIELDS = ("patient", "appointment_type", "earliest_date", "latest_date", "time_from", "time_to", "notes")


@reads_patient_data
@rule_required("schedule.manage")
@require_http_methods(["GET", "HEAD", "POST"])
def waitlist_add(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    initial = {"earliest_date": today, "latest_date": today + dt.timedelta(days=14)}
    if "patient" in request.GET:
        initial["patient"] = request.GET["patient"]
    form = WaitlistForm(_posted(request), initial=initial)
    if request.method == "POST":
        entry = attempt_form(
            request,
            form,
            lambda: services.waitlist_add(
                **{name: form.cleaned_data[name] for name in WAITLIST_FIELDS},
                practitioners=list(form.cleaned_data["practitioners"]),
                actor=request.user,
                request=request,
            ),
            success=lambda entry: _("%(name)s is on the waitlist.") % {"name": entry.patient.full_name},
        )
        if entry is not None:
            return redirect("scheduling:waitlist_list")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "scheduling/waitlist_form.html", {"form": form, **_picker_context(request, form)}, status=status
    )


def _waitlist_entry(user, pk: int) -> WaitlistEntry:
    """An entry still on the waitlist (those who manage the schedule see every one); 404 once it has left."""
    entry = selectors.waitlist_entry_active(pk)
    if entry is None:
        raise Http404("That patient is no longer on the waitlist.")
    return entry


@acts_on_object("schedule.manage", _waitlist_entry)
def waitlist_offer(request: HttpRequest, entry: WaitlistEntry, appointment_pk: int) -> HttpResponse:
    appointment = get_appointment_for_user(request.user, appointment_pk)
    attempt(
        request,
        lambda: services.waitlist_offer(entry=entry, appointment=appointment, actor=request.user, request=request),
        success=_("Offered to %(name)s by e-mail.") % {"name": entry.patient.full_name},
    )
    return redirect("scheduling:appointment_detail", pk=appointment.pk)


@acts_on_object("schedule.manage", _waitlist_entry)
def waitlist_remove(request: HttpRequest, entry: WaitlistEntry) -> HttpResponse:
    services.waitlist_remove(entry=entry, actor=request.user, request=request)
    messages.success(request, _("Removed from the waitlist."))
    return redirect("scheduling:waitlist_list")


# --- Public API -------------------------------------------------------------------------------


def _bad(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=400)


@no_patient_data
@require_safe
def availability_list(request: HttpRequest) -> JsonResponse:
    """Free start times as JSON for the booking pages (with `per=day`, how many on each day of the range, for
    a day picker). Public: no patient data. Staff also see types that are not bookable online."""
    slug = request.GET.get("type", "")
    appointment_type = selectors.appointment_type_by_slug(slug, online_only=not can(request.user, "schedule.manage"))
    if appointment_type is None:
        if slug:
            return _bad(_("Unknown appointment type “%(slug)s”.") % {"slug": slug[:60]})
        return _bad(_("Give an appointment type: ?type=<slug>."))
    raw_practitioner = request.GET.get("practitioner", "any")
    practitioner_ids = None
    if raw_practitioner != "any":
        if clinic_selectors.practitioner_active(raw_practitioner) is None:
            return _bad(_("Unknown practitioner: give a practitioner id or “any”."))
        practitioner_ids = [int(raw_practitioner)]
    first_day, problem = query_date(request.GET.get("start"), default=timezone.localdate())
    if problem:
        return _bad(
            _("Give the start date as YYYY-MM-DD, from %(first)s to %(last)s.")
            % {"first": FIRST_DAY.year, "last": LAST_DAY.year}
        )
    raw_days = request.GET.get("days", "7")
    if not raw_days.isdecimal() or not 1 <= int(raw_days) <= 62:
        return _bad(_("Give days as a whole number from 1 to 62."))
    per = request.GET.get("per", "")
    if per not in ("", "day"):
        return _bad(_("Give per=day for the number of free times on each day, or leave it out for the times."))
    slots = availability.find_slots(
        appointment_type=appointment_type,
        practitioner_ids=practitioner_ids,
        first_day=first_day,
        days=int(raw_days),
        one_per_start=practitioner_ids is None,
    )
    if per == "day":  # "which days have free times?" for a month, in one call
        return JsonResponse({"days": availability.free_per_day(slots, first_day=first_day, days=int(raw_days))})
    return JsonResponse([s.as_json() for s in slots], safe=False)
