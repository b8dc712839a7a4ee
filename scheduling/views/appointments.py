"""Booking and the appointment page: the patient picker's search, the booking form (and its duplicate check),
find a free time, and what the front desk does to an appointment (move, change room, cancel, check in, status)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from clinic import selectors as clinic_selectors
from clinic.audit import POST, SAFE, SAFE_OR_POST, audit_read, no_patient_data, reads_object, reads_page
from clinic.domain_errors import apply_error, message_error
from clinic.permissions import rule_required
from clinic.widgets import PatientSearchForm
from scheduling import availability, selectors, services
from scheduling.dates import clock, day_short_padded
from scheduling.forms import (
    AppointmentBookForm,
    AppointmentCancelForm,
    AppointmentMoveForm,
    AppointmentRoomForm,
    CheckInForm,
    SlotFindForm,
)
from scheduling.models import Appointment
from scheduling.permissions import get_appointment_for_user
from scheduling.services import SlotTaken
from scheduling.views.common import picker_context

Status = Appointment.Status


@reads_page("schedule.manage")
def patient_pick(request: HttpRequest) -> HttpResponse:
    """Search results as radio buttons for the booking, series and waitlist forms (htmx or plain)."""
    form = PatientSearchForm(request.GET or None)
    patients = clinic_selectors.patients_search(form.cleaned_data["q"]) if form.is_valid() else []
    audit_read(request, None, "patient picker")
    return render(request, "scheduling/_patient_picker.html", {"patients": patients, "q": request.GET.get("q", "")})


@reads_page("schedule.manage", methods=SAFE_OR_POST)
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
        **picker_context(request, form, keep=("practitioner", "start", "appointment_type")),
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
