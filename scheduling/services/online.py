"""What a patient does online: the same booking, moving and cancelling services, plus the online rules
(types offered to them, the grid, notice and horizon, the cancellation policy, the unverified-account cap)."""

from __future__ import annotations

import datetime as dt

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from clinic import services as clinic_services
from clinic.models import Patient, Practitioner
from clinic.permissions import family_patient_ids, patient_of
from scheduling import availability, dates, selectors
from scheduling.models import Appointment, AppointmentType
from scheduling.services.booking import appointment_book, appointment_move
from scheduling.services.common import SchedulingError, SlotTaken
from scheduling.services.notify import queue_waitlist_offer
from scheduling.services.status import appointment_cancel

Status = Appointment.Status


def _online_error(field: str, message: str) -> SchedulingError:
    return SchedulingError({field: [message]}, code="online_rule")


def online_types_for(patient: Patient | None) -> list[AppointmentType]:
    """Types a patient may book online: a returning patient cannot pick new-patient-only types; a new patient
    (or someone not signed in) is offered the new-patient types when there are any."""
    types = list(AppointmentType.objects.filter(active=True, bookable_online=True).order_by("name"))
    new_types = [t for t in types if t.new_patient_only]
    if patient is not None and selectors.patient_has_history(patient):
        return [t for t in types if not t.new_patient_only]
    return new_types or types


def _check_online_time(start: dt.datetime, now: dt.datetime) -> None:
    """The rules the online offer applies beyond the practitioner's hours: grid, notice, horizon."""
    if timezone.is_naive(start):
        raise _online_error("start", gettext("Choose one of the free times shown."))
    zone = availability.clinic_zone()
    local = start.astimezone(zone)
    # The offer's grid counts minutes from local midnight (see availability.free_slots).
    if (local.hour * 60 + local.minute) % settings.SCHEDULING_GRID_MINUTES or local.second or local.microsecond:
        raise _online_error("start", gettext("That time is not offered online. Choose one of the free times shown."))
    notice = dt.timedelta(minutes=settings.SCHEDULING_MIN_NOTICE_MINUTES)
    if start < now + notice:
        hours = settings.SCHEDULING_MIN_NOTICE_MINUTES // 60
        raise _online_error(
            "start",
            ngettext(
                "Online booking closes %(hours)d hour ahead. Choose a later time or call %(phone)s.",
                "Online booking closes %(hours)d hours ahead. Choose a later time or call %(phone)s.",
                hours,
            )
            % {"hours": hours, "phone": settings.CLINIC_PHONE},
        )
    horizon = dt.timedelta(days=settings.SCHEDULING_HORIZON_DAYS)
    last = availability.day_bounds((now + horizon).astimezone(zone).date(), zone)[1]
    if start >= last:
        days = settings.SCHEDULING_HORIZON_DAYS
        raise _online_error(
            "start",
            ngettext(
                "Times are offered up to %(days)d day ahead.", "Times are offered up to %(days)d days ahead.", days
            )
            % {"days": days},
        )


def _online_alternatives(appointment_type, practitioner_id, start, now, exclude_pk=None) -> list[availability.Slot]:
    earliest = now + dt.timedelta(minutes=settings.SCHEDULING_MIN_NOTICE_MINUTES)
    slots = availability.nearest_free(
        appointment_type=appointment_type,
        practitioner_id=practitioner_id,
        around=start,
        count=6,
        now=earliest,
        exclude_appointment_id=exclude_pk,
    )
    return slots[:4]


def _email_verified(user) -> bool:
    return EmailAddress.objects.filter(user=user, verified=True).exists()


@transaction.atomic
def appointment_book_online(
    *,
    user,
    patient: Patient | None,
    new_patient: dict | None = None,
    appointment_type: AppointmentType,
    practitioner: Practitioner | None,
    start: dt.datetime,
    request=None,
    now: dt.datetime | None = None,
) -> Appointment:
    """A patient books for themselves: a type offered online to them, a time the online offer shows (grid,
    notice, horizon, hours, free), at most BOOKING_UNVERIFIED_MAX future bookings while their e-mail address is
    unverified. `practitioner=None` is "first available": whoever is free at that time. Confirms by e-mail.
    Without a patient record yet, `new_patient` (the about-you answers) registers one for this account in the
    same transaction: it exists only if the booking succeeds."""
    now = now or timezone.now()
    if patient is None:
        patient = clinic_services.patient_create(
            actor=user, request=request, user=user, email=user.email, **(new_patient or {})
        )
    # Their own record (perhaps made a moment ago, so not in the cached family yet) or a linked child's.
    family = family_patient_ids(user) | ({patient.pk} if patient.user_id == getattr(user, "pk", None) else set())
    if patient.pk not in family:
        raise _online_error(
            "patient",
            gettext("You can book online only for yourself and your children; call the clinic for someone else."),
        )
    if appointment_type not in online_types_for(patient):
        raise _online_error(
            "appointment_type",
            gettext("%(type)s cannot be booked online by you. Choose one of the types shown, or call %(phone)s.")
            % {"type": appointment_type.local_name, "phone": settings.CLINIC_PHONE},
        )
    _check_online_time(start, now)
    _check_own_visits(patient, user, start, start + appointment_type.duration, exclude_pk=None)
    if not _email_verified(user):
        held = Appointment.objects.filter(  # the whole family's: children do not multiply the allowance
            patient_id__in=family, source=Appointment.Source.ONLINE, status=Status.BOOKED, start__gt=now
        ).count()
        if held >= settings.BOOKING_UNVERIFIED_MAX:
            limit = settings.BOOKING_UNVERIFIED_MAX
            raise _online_error(
                "start",
                ngettext(
                    "An account with an unverified e-mail address can hold %(limit)d online booking. "
                    "Verify %(email)s (the link is in our e-mail) or call %(phone)s.",
                    "An account with an unverified e-mail address can hold %(limit)d online bookings. "
                    "Verify %(email)s (the link is in our e-mail) or call %(phone)s.",
                    limit,
                )
                % {"limit": limit, "email": user.email, "phone": settings.CLINIC_PHONE},
            )
    if practitioner is not None:
        candidates = [practitioner]
    else:
        day = timezone.localtime(start).date()
        free = availability.find_slots(
            appointment_type=appointment_type, practitioner_ids=None, first_day=day, days=1, now=now
        )
        ids = [s.practitioner_id for s in free if s.start == start]
        candidates = sorted(Practitioner.objects.filter(pk__in=ids), key=lambda p: ids.index(p.pk))
        if not candidates:
            raise SlotTaken(
                gettext("That time was just taken."),
                alternatives=_online_alternatives(appointment_type, None, start, now),
            )
    for index, candidate in enumerate(candidates):
        try:
            return appointment_book(
                patient=patient,
                practitioner=candidate,
                appointment_type=appointment_type,
                start=start,
                actor=user,
                source=Appointment.Source.ONLINE,
                request=request,
                now=now,
                notify=True,
            )
        except SlotTaken:
            if index + 1 < len(candidates):
                continue
            raise SlotTaken(
                gettext("That time was just taken."),
                alternatives=_online_alternatives(
                    appointment_type, practitioner.pk if practitioner else None, start, now
                ),
            ) from None
    raise AssertionError("unreachable")


@transaction.atomic
def patient_register_self(*, user, about: dict, request=None) -> Patient:
    """An account that signed up without booking makes its own patient record (name, date of birth, phone; the
    intake form asks the rest), so it can fill the intake before choosing a time. Refused once it has one."""
    if patient_of(user) is not None:
        raise _online_error("first_name", gettext("Your account already has a patient record."))
    return clinic_services.patient_create(actor=user, request=request, user=user, email=user.email, **about)


def _check_own_visits(patient: Patient, user, start: dt.datetime, end: dt.datetime, *, exclude_pk) -> None:
    """A time over the patient's own visit is refused as that, not as "just taken" (which reads like a race).
    (The same rule as booking's `patient_conflict`, said here in the patient's words and language.)"""
    if patient.pk is None:
        return
    clash = (
        Appointment.objects.filter(
            patient=patient, status__in=Appointment.ACTIVE_STATUSES, start__lt=end, end__gt=start
        )
        .exclude(pk=exclude_pk)
        .select_related("practitioner")
        .order_by("start")
        .first()
    )
    if clash is None:
        return
    words = {
        "name": patient.full_name,
        "start": dates.clock(clash.start),
        "end": dates.clock(clash.end),
        "practitioner": clash.practitioner.display_name,
    }
    if patient.user_id == getattr(user, "pk", None):
        text = gettext(
            "You already have a visit from %(start)s to %(end)s that day with %(practitioner)s. "
            "Choose another time, or change that visit from your appointments page."
        )
    else:
        text = gettext(
            "%(name)s already has a visit from %(start)s to %(end)s that day with %(practitioner)s. "
            "Choose another time, or change that visit from your appointments page."
        )
    raise _online_error("start", text % words)


def _check_policy(appointment: Appointment, now: dt.datetime, *, cancelling: bool) -> None:
    """The cancellation policy: online, a booked visit changes or is cancelled up to CLINIC_CANCELLATION_HOURS
    before it; after that the patient calls the clinic."""
    if appointment.status != Status.BOOKED:
        status = appointment.get_status_display().lower()
        if cancelling:
            raise SchedulingError(
                gettext("This appointment is %(status)s; it cannot be cancelled.") % {"status": status}
            )
        raise SchedulingError(gettext("This appointment is %(status)s; it cannot be rescheduled.") % {"status": status})
    if not appointment.can_change_online(now):
        hours = settings.CLINIC_CANCELLATION_HOURS
        words = {"hours": hours, "phone": settings.CLINIC_PHONE}
        if cancelling:
            text = ngettext(
                "Appointments can be cancelled online up to %(hours)d hour before. "
                "Please call the clinic at %(phone)s.",
                "Appointments can be cancelled online up to %(hours)d hours before. "
                "Please call the clinic at %(phone)s.",
                hours,
            )
        else:
            text = ngettext(
                "Appointments can be rescheduled online up to %(hours)d hour before. "
                "Please call the clinic at %(phone)s.",
                "Appointments can be rescheduled online up to %(hours)d hours before. "
                "Please call the clinic at %(phone)s.",
                hours,
            )
        raise SchedulingError(text % words, code="policy_window")


@transaction.atomic
def appointment_cancel_online(
    *, appointment: Appointment, user, reason: str = "", request=None, now: dt.datetime | None = None
) -> Appointment:
    """The patient cancels before the policy window; the time is free at once and offered to the waitlist."""
    now = now or timezone.now()
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    _check_policy(appointment, now, cancelling=True)
    appointment = appointment_cancel(
        appointment=appointment,
        reason=(reason or "").strip() or "Cancelled online by the patient.",
        actor=user,
        request=request,
        notify=True,
    )
    queue_waitlist_offer(appointment)
    return appointment


@transaction.atomic
def appointment_move_online(
    *, appointment: Appointment, user, start: dt.datetime, request=None, now: dt.datetime | None = None
) -> Appointment:
    """The patient moves their appointment (same practitioner) to a time the online offer shows, before the
    policy window; the calendar event keeps its UID and its SEQUENCE goes up."""
    now = now or timezone.now()
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    _check_policy(appointment, now, cancelling=False)
    _check_online_time(start, now)
    _check_own_visits(
        appointment.patient, user, start, start + (appointment.end - appointment.start), exclude_pk=appointment.pk
    )
    try:
        return appointment_move(appointment=appointment, start=start, actor=user, request=request, now=now, notify=True)
    except SlotTaken:
        raise SlotTaken(
            gettext("That time was just taken."),
            alternatives=_online_alternatives(
                appointment.appointment_type, appointment.practitioner_id, start, now, exclude_pk=appointment.pk
            ),
        ) from None
