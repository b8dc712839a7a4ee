"""What patients see: online booking (/book/) and their appointments (/account/).

Booking is a chain of plain GET pages (type -> practitioner or first available -> day -> time) that carry
the choices in the query string, then one POST that keeps the chosen time in the session, so signing up or
logging in in between loses nothing; the confirm page books through `services.appointment_book_online`.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_ratelimit.core import is_ratelimited

from clinic import selectors as clinic_selectors
from clinic.audit import SAFE, SAFE_OR_POST, audit_read, no_patient_data, reads_object, reads_page, reads_patient_data
from clinic.domain_errors import apply_error
from clinic.family import dependant_links, family_members
from clinic.input_limits import query_date
from clinic.languages import supported_language
from clinic.models import AuditEvent
from clinic.permissions import (
    account_required,
    acting_patient,
    can,
    deny_object,
    family_patient_ids,
    patient_of,
)
from clinic.services import audit_record
from scheduling import availability, dates, ics, selectors, services
from scheduling.forms import (
    AboutYouForm,
    BookConfirmForm,
    OnlineCancelForm,
    OnlineMoveForm,
    VisitForForm,
    parse_slot_value,
    slot_value,
)
from scheduling.models import Appointment
from scheduling.notices import manage_url
from scheduling.permissions import get_appointment_for_user
from scheduling.services import SchedulingError, SlotTaken
from scheduling.views.common import posted

SESSION_KEY = "online_booking"
DAYS_SHOWN = 14
RATE_GROUP = "online-booking"


def _over_limit(request: HttpRequest) -> bool:
    """Count this POST against the per-IP and per-account limits; True when either is exceeded."""
    by_ip = is_ratelimited(
        request, group=RATE_GROUP, key="ip", rate=settings.BOOKING_RATE_LIMIT_IP, method="POST", increment=True
    )
    by_account = is_ratelimited(
        request,
        group=RATE_GROUP,
        key="user_or_ip",
        rate=settings.BOOKING_RATE_LIMIT_USER,
        method="POST",
        increment=True,
    )
    return by_ip or by_account


def _too_many(request: HttpRequest) -> HttpResponse:
    audit_record(actor=request.user, action=AuditEvent.Action.DENIED, request=request, detail="booking rate limit")
    return render(request, "scheduling/online/rate_limited.html", status=429)


def _patient(request: HttpRequest):
    """The record the signed-in patient account is using: their own, or the child a guardian acts for."""
    return acting_patient(request) if request.user.is_authenticated else None


def _new_record(about: dict) -> dict:
    """A record made online keeps the language its pages were read in (the browser's, or the switch's), so the
    confirmation and every later e-mail are in it too."""
    return {**about, "language": supported_language(translation.get_language())}


def _is_staff(request: HttpRequest) -> bool:
    return can(request.user, "schedule.manage")


# --- /book/ -----------------------------------------------------------------------------------


def _step_url(**params) -> str:
    return reverse("scheduling:book_start") + "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


def _date_param(raw: str | None) -> dt.date | None:
    """A day from the booking pages' links (?day=, ?from=): None when missing, not a date or out of range."""
    day, problem = query_date(raw, default=dt.date.min)
    return None if problem or day == dt.date.min else day


@no_patient_data
@require_safe
def book_start(request: HttpRequest) -> HttpResponse:
    """Each step is the same page with more choices in the query string; a wrong value shows that step again."""
    patient = _patient(request)
    types = services.online_types_for(patient)
    chosen_type = next((t for t in types if t.slug == request.GET.get("type")), None)
    context: dict = {
        "types": types,
        "patient": patient,
        "returning": patient is not None and selectors.patient_has_history(patient),
        "chosen_type": chosen_type,
        "step": "type",
    }
    if request.GET.get("type") and chosen_type is None:
        messages.error(request, gettext("That visit type cannot be booked online. Choose one below."))
    if chosen_type is None:
        return render(request, "scheduling/online/book.html", context)

    practitioners = list(clinic_selectors.practitioners_active())
    raw_practitioner = request.GET.get("practitioner", "")
    practitioner = next((p for p in practitioners if str(p.pk) == raw_practitioner), None)
    any_practitioner = raw_practitioner == "any"
    context.update(
        practitioners=practitioners,
        practitioner=practitioner,
        any_practitioner=any_practitioner,
        step="practitioner",
        change_type_url=_step_url(),
        change_practitioner_url=_step_url(type=chosen_type.slug),
    )
    if not (practitioner or any_practitioner):
        return render(request, "scheduling/online/book.html", context)

    practitioner_param = "any" if any_practitioner else practitioner.pk
    today = timezone.localdate()
    first_day = max(_date_param(request.GET.get("from")) or today, today)
    slots = availability.find_slots(
        appointment_type=chosen_type,
        practitioner_ids=None if any_practitioner else [practitioner.pk],
        first_day=first_day,
        days=DAYS_SHOWN,
        one_per_start=any_practitioner,
    )
    by_day: dict[dt.date, list[availability.Slot]] = {}
    for slot in slots:
        by_day.setdefault(slot.start.date(), []).append(slot)
    days = []
    for offset in range(DAYS_SHOWN):
        day = first_day + dt.timedelta(days=offset)
        params = {"type": chosen_type.slug, "practitioner": practitioner_param, "from": first_day.isoformat()}
        days.append({"date": day, "count": len(by_day.get(day, [])), "url": _step_url(**params, day=day.isoformat())})
    horizon_end = today + dt.timedelta(days=settings.SCHEDULING_HORIZON_DAYS)
    next_from = first_day + dt.timedelta(days=DAYS_SHOWN)
    prev_from = first_day - dt.timedelta(days=DAYS_SHOWN)
    context.update(
        step="day",
        days=days,
        next_url=_step_url(type=chosen_type.slug, practitioner=practitioner_param, **{"from": next_from.isoformat()})
        if next_from <= horizon_end
        else "",
        prev_url=_step_url(
            type=chosen_type.slug, practitioner=practitioner_param, **{"from": max(prev_from, today).isoformat()}
        )
        if first_day > today
        else "",
        no_times=not slots,
    )
    day = _date_param(request.GET.get("day"))
    if day is not None and first_day <= day < next_from:
        names = {p.pk: p.display_name for p in practitioners}
        context.update(
            step="time",
            day=day,
            times=[
                (slot, slot_value(slot.start, slot.practitioner_id), names.get(slot.practitioner_id, ""))
                for slot in by_day.get(day, [])
            ],
            practitioner_param=practitioner_param,
        )
    return render(request, "scheduling/online/book.html", context)


@no_patient_data
@require_POST
def book_hold(request: HttpRequest) -> HttpResponse:
    """Keep the chosen time in the session, then go to confirm (which asks to sign in first if needed)."""
    try:
        start, practitioner_id = parse_slot_value(request.POST.get("slot", ""))
    except ValidationError:
        messages.error(request, gettext("Choose one of the free times shown."))
        return redirect("scheduling:book_start")
    type_slug = request.POST.get("type", "")
    if selectors.appointment_type_by_slug(type_slug, online_only=True) is None:
        messages.error(request, gettext("That visit type cannot be booked online. Choose one below."))
        return redirect("scheduling:book_start")
    request.session[SESSION_KEY] = {
        "type": type_slug,
        "any": request.POST.get("practitioner") == "any",
        "slot": slot_value(start, practitioner_id),
    }
    return redirect("scheduling:book_confirm")


def _held(request: HttpRequest):
    """The held choice from the session as (type, practitioner, start, any), or None when missing or stale."""
    data = request.session.get(SESSION_KEY)
    if not isinstance(data, dict):
        return None
    appointment_type = selectors.appointment_type_by_slug(str(data.get("type") or ""), online_only=True)
    try:
        start, practitioner_id = parse_slot_value(data.get("slot", ""))
    except ValidationError:
        return None
    practitioner = clinic_selectors.practitioner_active(practitioner_id)
    if appointment_type is None or practitioner is None:
        return None
    return appointment_type, practitioner, start, bool(data.get("any"))


@reads_patient_data
@require_http_methods(["GET", "HEAD", "POST"])
def book_confirm(request: HttpRequest) -> HttpResponse:
    held = _held(request)
    if held is None:
        messages.info(request, gettext("Choose a visit type and a time first."))
        return redirect("scheduling:book_start")
    appointment_type, practitioner, start, any_practitioner = held
    context = {
        # Inside the cancellation window the time cannot be changed or cancelled online once booked: say so first.
        "inside_window": start - timezone.now() < dt.timedelta(hours=settings.CLINIC_CANCELLATION_HOURS),
        "cancellation_hours": settings.CLINIC_CANCELLATION_HOURS,
        "appointment_type": appointment_type,
        "practitioner": practitioner,
        "any_practitioner": any_practitioner,
        "start": timezone.localtime(start),
        "location": selectors.practitioner_location_at(practitioner, start, start + appointment_type.duration),
        "change_url": _step_url(
            type=appointment_type.slug,
            practitioner="any" if any_practitioner else practitioner.pk,
            day=timezone.localtime(start).date().isoformat(),
        ),
        "alternatives": [],
    }
    if not request.user.is_authenticated:
        confirm = reverse("scheduling:book_confirm")
        context.update(
            signup_url=reverse("account_signup") + "?" + urlencode({"next": confirm}),
            login_url=reverse("account_login") + "?" + urlencode({"next": confirm}),
        )
        return render(request, "scheduling/online/book_account.html", context)
    own = patient_of(request.user)
    patient = acting_patient(request)
    if patient is None and _is_staff(request):
        messages.info(request, gettext("You are signed in as staff: book for patients from the front desk."))
        return redirect("scheduling:appointment_book")

    # A guardian says who the visit is for: themselves or one of their children (clinic.family).
    who = None
    if dependant_links(request.user):
        initial = {"patient": str(patient.pk) if patient is not None else VisitForForm.ME}
        # "Me (my first visit)" is offered when the holder has no record and chose to book for themselves.
        who = VisitForForm(
            posted(request),
            prefix="who",
            members=family_members(request.user),
            own=own,
            offer_me=own is None and patient is None,
            initial=initial,
        )
    about = AboutYouForm(posted(request), prefix="about") if patient is None else None
    form = BookConfirmForm(posted(request), initial={"slot": slot_value(start, practitioner.pk)})
    status = 200
    if request.method == "POST":
        if _over_limit(request):
            return _too_many(request)
        valid = form.is_valid()
        if who is not None:
            valid = who.is_valid() and valid
            patient = who.chosen() if who.is_bound and not who.errors else patient
            if patient is not None:
                about = None  # a child's visit (or the holder's own record): nothing to register
        valid = (about.is_valid() if about is not None else True) and valid
        if valid:
            start, practitioner_id = form.cleaned_data["slot"]
            chosen = clinic_selectors.practitioner_active(practitioner_id)
            request.session[SESSION_KEY] = {**request.session[SESSION_KEY], "slot": slot_value(start, practitioner_id)}
            new_patient = patient is None
            try:
                if chosen is None:
                    raise SchedulingError({"slot": [gettext("Choose one of the free times shown.")]})
                appointment = services.appointment_book_online(
                    user=request.user,
                    patient=patient,
                    new_patient=_new_record(about.cleaned_data) if patient is None else None,
                    appointment_type=appointment_type,
                    practitioner=None if any_practitioner else chosen,
                    start=start,
                    request=request,
                )
                patient = appointment.patient
            except ValidationError as exc:
                if new_patient:
                    # The patient row was rolled back with the booking; forget the cached relation too.
                    patient = None
                    request.user._state.fields_cache.pop("patient", None)
                    request.user.__dict__.pop("_clinic_roles", None)
                status = _show_booking_error(exc, form, context)
            else:
                request.session.pop(SESSION_KEY, None)
                messages.success(request, _booked_message(appointment))
                return redirect("scheduling:account_appointment", pk=appointment.pk)
        else:
            status = 400
    context.update(form=form, about=about, who=who, cancellation_hours=settings.CLINIC_CANCELLATION_HOURS)
    if patient is not None:
        audit_read(request, patient, "booking confirm")
    return render(request, "scheduling/online/book_confirm.html", context, status=status)


def _booked_message(appointment: Appointment) -> str:
    """What the patient reads right after booking: the visit, the e-mail, and until when it can be changed."""
    start = appointment.start
    said = gettext("Booked: %(type)s on %(day)s at %(time)s.") % {
        "type": appointment.appointment_type.local_name,
        "day": dates.day_medium(start),
        "time": dates.clock(start),
    }
    said += " " + gettext("A confirmation is on its way by e-mail.")
    if appointment.can_change_online(timezone.now()):
        deadline = appointment.online_change_deadline
        until = gettext("You can change or cancel it online until %(day)s, %(time)s.") % {
            "day": dates.day_short(deadline),
            "time": dates.clock(deadline),
        }
        return f"{said} {until}"
    hours = settings.CLINIC_CANCELLATION_HOURS
    call = ngettext(
        "It is less than %(hours)d hour away: to change or cancel it, call %(phone)s.",
        "It is less than %(hours)d hours away: to change or cancel it, call %(phone)s.",
        hours,
    ) % {"hours": hours, "phone": settings.CLINIC_PHONE}
    return f"{said} {call}"


def _show_booking_error(exc: ValidationError, form, context: dict) -> int:
    """Put a refused booking on the confirm form; a taken time lists the nearest free times. Returns the status."""
    if isinstance(exc, SlotTaken):
        form.add_error("slot", exc.text + " " + gettext("Choose another time below; nothing you typed is lost."))
        names = {p.pk: p.display_name for p in clinic_selectors.practitioners_active()}
        context["alternatives"] = [
            (slot, slot_value(slot.start, slot.practitioner_id), names.get(slot.practitioner_id, ""))
            for slot in exc.alternatives
        ]
        context["taken"] = True
        return 409
    apply_error(form, _slot_field(exc))
    return 400


def _slot_field(exc: ValidationError) -> ValidationError:
    """Service errors about the time or the practitioner belong on the slot field of these forms."""
    if not hasattr(exc, "error_dict"):
        return exc
    moved = {}
    for name, errors in exc.message_dict.items():
        key = "slot" if name in ("start", "practitioner", "room") else name
        moved.setdefault(key, []).extend(errors)
    return ValidationError(moved)


# --- /account/ --------------------------------------------------------------------------------


@no_patient_data
@account_required
@require_http_methods(["GET", "HEAD", "POST"])
def account_start(request: HttpRequest) -> HttpResponse:
    """Where an account that signed up without booking goes from any patient page: book a first visit, or make
    its patient record (name, date of birth, phone) and fill the intake form first."""
    after = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(after, allowed_hosts={request.get_host()}) or not after.startswith("/"):
        after = reverse("intake:intake_home")
    if patient_of(request.user) is not None or family_patient_ids(request.user):
        return redirect(after if request.GET.get("next") else "scheduling:account_home")
    form = AboutYouForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.patient_register_self(user=request.user, about=_new_record(form.cleaned_data), request=request)
        except SchedulingError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, gettext("Your patient record is made. Next: the intake form, about 10 minutes."))
            return redirect(after)
    status = 400 if request.method == "POST" else 200
    return render(request, "scheduling/online/account_start.html", {"form": form, "next": after}, status=status)


@reads_page("account.use")
def account_home(request: HttpRequest) -> HttpResponse:
    patient = acting_patient(request)
    now = timezone.now()
    family = family_members(request.user)
    if len(family) > 1 or (family and patient_of(request.user) is None):
        # A guardian: every member's appointments, each with whose it is (each child's read is audited).
        upcoming, past = selectors.family_appointments_split([p.pk for p in family], now)
        audit_read(request, family, "account: family appointments")
    else:
        upcoming, past = selectors.patient_appointments_split(patient, now)
        audit_read(request, patient, "account: appointments")
    return render(
        request,
        "scheduling/online/account_home.html",
        {
            "patient": patient,
            "own": patient_of(request.user),
            "family": family if len(family) > 1 or patient_of(request.user) is None else [],
            "upcoming": upcoming,
            "past": past[:20],
            "now": now,
        },
    )


def _own_appointment(user, pk: int) -> Appointment:
    """The signed-in patient's own appointment (or a linked child's); 404 for anyone else's (staff use the
    front-desk pages)."""
    appointment = get_appointment_for_user(user, pk)
    if appointment.patient_id not in family_patient_ids(user):
        deny_object(user, appointment, "appointment.view")
    return appointment


def _account_context(appointment: Appointment, **extra) -> dict:
    now = timezone.now()
    return {
        "appointment": appointment,
        "can_change": appointment.can_change_online(now),
        "deadline": timezone.localtime(appointment.online_change_deadline),
        "cancellation_hours": settings.CLINIC_CANCELLATION_HOURS,
        "upcoming": appointment.status == Appointment.Status.BOOKED and appointment.end > now,
        "cancel_form": OnlineCancelForm(),
        "intake_to_do": appointment.status == Appointment.Status.BOOKED and selectors.intake_to_do(appointment.patient),
        **extra,
    }


@reads_object("account.use", _own_appointment, "account: appointment", methods=SAFE)
def account_appointment(request: HttpRequest, appointment: Appointment) -> HttpResponse:
    return render(request, "scheduling/online/account_appointment.html", _account_context(appointment))


@reads_object("account.use", _own_appointment, "account: cancel appointment", methods=SAFE_OR_POST)
def account_cancel(request: HttpRequest, appointment: Appointment) -> HttpResponse:
    """Cancelling asks first: what happens (the time goes back to other patients, a confirmation by e-mail),
    an optional reason, then "Yes, cancel". Inside the policy window the page gives the clinic's number."""
    form = OnlineCancelForm(posted(request))
    status = 200
    if request.method == "POST":
        if _over_limit(request):
            return _too_many(request)
        if form.is_valid():
            try:
                services.appointment_cancel_online(
                    appointment=appointment, user=request.user, reason=form.cleaned_data["reason"], request=request
                )
            except ValidationError as exc:
                apply_error(form, exc)
            else:
                messages.success(
                    request, gettext("Your appointment is cancelled. A confirmation is on its way by e-mail.")
                )
                return redirect("scheduling:account_home")
        status = 400
    return render(
        request, "scheduling/online/account_cancel.html", _account_context(appointment, cancel_form=form), status=status
    )


@reads_object("account.use", _own_appointment, "account: reschedule", methods=SAFE_OR_POST)
def account_reschedule(request: HttpRequest, appointment: Appointment) -> HttpResponse:
    """Free times with the same practitioner for the next days; choosing one moves the appointment."""
    form = OnlineMoveForm(posted(request))
    alternatives: list = []
    status = 200
    if request.method == "POST":
        if _over_limit(request):
            return _too_many(request)
        if form.is_valid():
            start, _practitioner_id = form.cleaned_data["slot"]
            try:
                services.appointment_move_online(
                    appointment=appointment, user=request.user, start=start, request=request
                )
            except SlotTaken as exc:
                form.add_error("slot", exc.text + " " + gettext("Choose another time."))
                alternatives = exc.alternatives
                status = 409
            except ValidationError as exc:
                apply_error(form, _slot_field(exc))
                status = 400
            else:
                messages.success(request, gettext("Your appointment is moved. The new time is on its way by e-mail."))
                return redirect("scheduling:account_appointment", pk=appointment.pk)
        else:
            status = 400
    today = timezone.localdate()
    first_day = max(_date_param(request.GET.get("from")) or today, today)
    slots = availability.find_slots(
        appointment_type=appointment.appointment_type,
        practitioner_ids=[appointment.practitioner_id],
        first_day=first_day,
        days=7,
        exclude_appointment_id=appointment.pk,
    )
    # A time inside the cancellation window is not offered online: moved there, the visit could not be
    # changed again (the page says so, with the clinic's number).
    window_ends = timezone.now() + dt.timedelta(hours=settings.CLINIC_CANCELLATION_HOURS)
    by_day: dict[dt.date, list] = {}
    for slot in slots:
        if slot.start != timezone.localtime(appointment.start) and slot.start >= window_ends:
            by_day.setdefault(slot.start.date(), []).append((slot, slot_value(slot.start, slot.practitioner_id)))
    base = reverse("scheduling:account_reschedule", args=[appointment.pk])
    # A day first, then that day's times (a week of times at once is too many buttons for a phone).
    chosen_day = _date_param(request.GET.get("day"))
    days = [first_day + dt.timedelta(days=n) for n in range(7)]
    day_links = [
        (day, len(by_day.get(day, [])), f"{base}?from={first_day.isoformat()}&day={day.isoformat()}") for day in days
    ]
    context = _account_context(
        appointment,
        form=form,
        day_links=day_links,
        chosen_day=chosen_day if chosen_day in days else None,
        times=by_day.get(chosen_day, []) if chosen_day in days else [],
        alternatives=[(s, slot_value(s.start, s.practitioner_id)) for s in alternatives],
        next_url=f"{base}?from={(first_day + dt.timedelta(days=7)).isoformat()}",
        prev_url=f"{base}?from={(first_day - dt.timedelta(days=7)).isoformat()}" if first_day > today else "",
    )
    return render(request, "scheduling/online/account_reschedule.html", context, status=status)


@reads_object("account.use", _own_appointment, "account: calendar file", methods=SAFE)
def account_calendar(request: HttpRequest, appointment: Appointment) -> HttpResponse:
    """The appointment as an .ics file (METHOD:PUBLISH); the UID stays the same across reschedules."""
    response = HttpResponse(
        ics.appointment_calendar(appointment, method=ics.PUBLISH, manage_url=manage_url(appointment)),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{ics.filename(appointment)}"'
    return response
