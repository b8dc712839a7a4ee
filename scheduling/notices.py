"""E-mails to patients about their appointments: confirmation, reschedule, cancellation, reminder.

Each is rendered from a text and an HTML template and carries the appointment as an .ics attachment
(METHOD:REQUEST, or CANCEL for a cancellation) so the patient's calendar adds, moves or removes the same event.
Only the type name, time, place and practitioner are mentioned: no clinical details.
"""

from __future__ import annotations

from email.mime.text import MIMEText

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from clinic.family import notice_address
from scheduling import dates, ics
from scheduling.models import Appointment

CONFIRMATION = "confirmation"
RESCHEDULE = "reschedule"
CANCELLATION = "cancellation"
REMINDER = "reminder"
KINDS = (CONFIRMATION, RESCHEDULE, CANCELLATION, REMINDER)


def _subject(kind: str, *, day: str, time: str, child: str | None) -> str:
    """The subject in the active language (the patient's, at send time); `child` names a child's appointment
    in the e-mail to their guardian."""
    words = {"day": day, "time": time, "child": child}
    if child is None:
        subjects = {
            CONFIRMATION: gettext("Your appointment on %(day)s at %(time)s is booked"),
            RESCHEDULE: gettext("Your appointment is moved to %(day)s at %(time)s"),
            CANCELLATION: gettext("Your appointment on %(day)s at %(time)s is cancelled"),
            REMINDER: gettext("Reminder: your appointment on %(day)s at %(time)s"),
        }
    else:
        subjects = {
            CONFIRMATION: gettext("%(child)s's appointment on %(day)s at %(time)s is booked"),
            RESCHEDULE: gettext("%(child)s's appointment is moved to %(day)s at %(time)s"),
            CANCELLATION: gettext("%(child)s's appointment on %(day)s at %(time)s is cancelled"),
            REMINDER: gettext("Reminder: %(child)s's appointment on %(day)s at %(time)s"),
        }
    return subjects[kind] % words


SERIES_CONFIRMATION = "series_confirmation"


def manage_url(appointment: Appointment) -> str:
    """The absolute link to the appointment in the patient's account."""
    return settings.CLINIC_SITE_URL + reverse("scheduling:account_appointment", args=[appointment.pk])


def notice_message(appointment: Appointment, kind: str) -> EmailMultiAlternatives:
    """The e-mail for `kind` (one of KINDS), ready to send; raises ValueError for an unknown kind."""
    if kind not in KINDS:
        raise ValueError(f"Unknown notice kind {kind!r}.")
    start = timezone.localtime(appointment.start)
    link = manage_url(appointment)
    # A child's notices go to their guardian's account (clinic.family): greet the guardian, name the child.
    recipient, guardian = notice_address(appointment.patient)
    guardian_name = guardian if recipient and not appointment.patient.email else None
    context = {
        "guardian_name": guardian_name,
        "kind": kind,
        "patient": appointment.patient,
        "appointment_type": appointment.appointment_type,
        "practitioner": appointment.practitioner,
        "location": appointment.room.location,
        "start": start,
        "end": timezone.localtime(appointment.end),
        "manage_url": link,
        "book_url": settings.CLINIC_SITE_URL + reverse("scheduling:book_start"),
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "cancellation_hours": settings.CLINIC_CANCELLATION_HOURS,
    }
    subject = _subject(
        kind,
        day=dates.day_short_padded(start),
        time=dates.clock(start),
        child=appointment.patient.first_name if guardian_name is not None else None,
    )
    message = EmailMultiAlternatives(
        subject=f"{settings.CLINIC_NAME}: " + subject,
        body=render_to_string(f"scheduling/email/{kind}.txt", context),
        to=[recipient],
        reply_to=[settings.CLINIC_EMAIL],
    )
    message.attach_alternative(render_to_string(f"scheduling/email/{kind}.html", context), "text/html")
    method = ics.CANCEL if kind == CANCELLATION else ics.REQUEST
    calendar = MIMEText(
        ics.appointment_calendar(appointment, method=method, manage_url=link).decode(), "calendar", "utf-8"
    )
    calendar.set_param("method", method)
    calendar.add_header("Content-Disposition", "attachment", filename=ics.filename(appointment))
    message.attach(calendar)
    return message


def series_message(series, appointments: list[Appointment]) -> EmailMultiAlternatives:
    """One e-mail for a booked care-plan series: every date listed, and one .ics holding every visit."""
    first = appointments[0]
    visits = [
        {"start": timezone.localtime(a.start), "end": timezone.localtime(a.end), "manage_url": manage_url(a)}
        for a in appointments
    ]
    context = {
        "patient": series.patient,
        "appointment_type": series.appointment_type,
        "practitioner": series.practitioner,
        "location": first.room.location,
        "visits": visits,
        "account_url": settings.CLINIC_SITE_URL + reverse("scheduling:account_home"),
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "cancellation_hours": settings.CLINIC_CANCELLATION_HOURS,
        "reminder_hours": settings.CLINIC_REMINDER_HOURS,
    }
    start = visits[0]["start"]
    message = EmailMultiAlternatives(
        subject=f"{settings.CLINIC_NAME}: "
        + ngettext(
            "your %(count)d visit from %(day)s is booked", "your %(count)d visits from %(day)s are booked", len(visits)
        )
        % {"count": len(visits), "day": dates.day_short_padded(start)},
        body=render_to_string("scheduling/email/series_confirmation.txt", context),
        to=[series.patient.email],
        reply_to=[settings.CLINIC_EMAIL],
    )
    message.attach_alternative(render_to_string("scheduling/email/series_confirmation.html", context), "text/html")
    calendar = MIMEText(
        ics.appointments_calendar([(a, manage_url(a)) for a in appointments], method=ics.REQUEST).decode(),
        "calendar",
        "utf-8",
    )
    calendar.set_param("method", ics.REQUEST)
    calendar.add_header(
        "Content-Disposition", "attachment", filename=f"care-plan-{start:%Y-%m-%d}-{len(visits)}-visits.ics"
    )
    message.attach(calendar)
    return message
