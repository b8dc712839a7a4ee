"""Calendar files (RFC 5545) for an appointment, made with the `icalendar` library.

One event per appointment: its UID is the appointment's stable `uid`, so a calendar that imported the event
updates it when a later file carries a higher SEQUENCE (a reschedule) or METHOD:CANCEL. Times are written in the
clinic's zone with a TZID and the matching VTIMEZONE, so the event shows at the right wall-clock time even in a
calendar set to another zone. Only what an e-mail may carry: type name, time, place, practitioner.
"""

from __future__ import annotations

import datetime as dt

import icalendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from scheduling.availability import clinic_zone
from scheduling.models import Appointment

PUBLISH = "PUBLISH"
REQUEST = "REQUEST"
CANCEL = "CANCEL"
PRODID = "-//SOT Clinic//Appointments//EN"


def appointment_uid(appointment: Appointment) -> str:
    return f"{appointment.uid}@sot-clinic"


def appointment_calendar(appointment: Appointment, *, method: str = PUBLISH, manage_url: str = "") -> bytes:
    """The appointment as an iCalendar file: METHOD:PUBLISH for downloads, REQUEST or CANCEL in e-mails."""
    return appointments_calendar([(appointment, manage_url)], method=method)


def appointments_calendar(appointments: list[tuple[Appointment, str]], *, method: str = PUBLISH) -> bytes:
    """Several appointments (each with its manage link) as one iCalendar file, one event each: a care-plan
    series' confirmation adds every visit at once, and each event keeps its own UID for later updates."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", method)
    for appointment, manage_url in appointments:
        cal.add_component(_event(appointment, method=method, manage_url=manage_url))
    # VTIMEZONE for every TZID used above, built from the zoneinfo data.
    cal.add_missing_timezones()
    return cal.to_ical()


def _event(appointment: Appointment, *, method: str, manage_url: str) -> icalendar.Event:
    zone = clinic_zone()
    location = appointment.room.location
    event = icalendar.Event()
    event.add("uid", appointment_uid(appointment))
    event.add("sequence", appointment.sequence)
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    event.add("dtstart", appointment.start.astimezone(zone))
    event.add("dtend", appointment.end.astimezone(zone))
    # In the active language: the patient's when an e-mail carries it, the page's for a download.
    summary = gettext("%(type)s with %(practitioner)s") % {
        "type": appointment.appointment_type.local_name,
        "practitioner": appointment.practitioner.display_name,
    }
    if appointment.patient.is_minor():  # in a parent's calendar, whose visit it is
        summary = f"{appointment.patient.first_name}: {summary}"
    event.add("summary", summary)
    event.add("location", f"{settings.CLINIC_NAME}, {location.one_line_address}")
    description = f"{settings.CLINIC_NAME} · {settings.CLINIC_PHONE}"
    if manage_url:
        description += "\n" + gettext("Change or cancel: %(url)s") % {"url": manage_url}
        event.add("url", manage_url)
    event.add("description", description)
    cancelled = method == CANCEL or appointment.status == Appointment.Status.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if method in (REQUEST, CANCEL):
        # A scheduling message (RFC 5546) names its organizer; the clinic's address.
        event.add("organizer", f"mailto:{settings.CLINIC_EMAIL}", parameters={"CN": settings.CLINIC_NAME})
        if appointment.patient.email:
            event.add(
                "attendee",
                f"mailto:{appointment.patient.email}",
                parameters={"CN": appointment.patient.full_name, "ROLE": "REQ-PARTICIPANT"},
            )
    return event


def filename(appointment: Appointment) -> str:
    return f"appointment-{timezone.localtime(appointment.start):%Y-%m-%d-%H%M}.ics"


def patient_initials(patient) -> str:
    return "".join(part[:1].upper() for part in (patient.first_name, patient.last_name) if part)


def practitioner_feed(practitioner, *, appointments, blocks) -> bytes:
    """A practitioner's subscription feed: each appointment as the patient's initials and the type (no other
    patient data: a phone calendar is not the clinic's system), and their time off, meetings and extra hours."""
    zone = clinic_zone()
    now = timezone.now().astimezone(dt.UTC)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", PUBLISH)
    cal.add("x-wr-calname", f"{settings.CLINIC_NAME}: {practitioner.display_name}")
    cal.add("refresh-interval", dt.timedelta(minutes=30), parameters={"VALUE": "DURATION"})
    for appointment in appointments:
        event = icalendar.Event()
        event.add("uid", appointment_uid(appointment))
        event.add("sequence", appointment.sequence)
        event.add("dtstamp", now)
        event.add("dtstart", appointment.start.astimezone(zone))
        event.add("dtend", appointment.end.astimezone(zone))
        event.add("summary", f"{patient_initials(appointment.patient)} · {appointment.appointment_type.name}")
        event.add("location", appointment.room.name)
        event.add("status", "CONFIRMED")
        cal.add_component(event)
    for block in blocks:
        event = icalendar.Event()
        event.add("uid", f"block-{block.pk}@sot-clinic")
        event.add("dtstamp", now)
        if block.whole_day:
            event.add("dtstart", block.date)
            event.add("dtend", block.date + dt.timedelta(days=1))
        else:
            event.add("dtstart", dt.datetime.combine(block.date, block.start_time, tzinfo=zone))
            event.add("dtend", dt.datetime.combine(block.date, block.end_time, tzinfo=zone))
        label = block.get_kind_display()
        event.add("summary", f"{label}: {block.reason}" if block.reason else label)
        event.add("transp", "TRANSPARENT" if block.kind == block.Kind.EXTRA_HOURS else "OPAQUE")
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
