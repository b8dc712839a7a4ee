"""A booked care-plan series e-mails one confirmation listing every date, with an .ics holding every visit, and
each visit gets its reminder; the notice is recorded in the booking's transaction (issue 13, item 14)."""

import datetime as dt

import icalendar
import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.urls import reverse

from clinic.models import OutgoingNotice
from scheduling import services
from scheduling.models import Appointment
from tests.scheduling.conftest import MONDAY, at, series_form


def book_series(patient, practitioner, appointment_type, starts, **kwargs):
    return services.series_book(
        patient=patient,
        practitioner=practitioner,
        appointment_type=appointment_type,
        first_date=MONDAY,
        weeks=2,
        weekdays=[1, 3],
        time_of_day=dt.time(9),
        starts=starts,
        **kwargs,
    )


def test_series_confirmation_lists_every_date_with_one_calendar_of_all_visits(
    immediate, clinic, patient_a, practitioner_a, django_capture_on_commit_callbacks
):
    starts = [at(1, 9), at(3, 9), at(8, 9), at(10, 9)]
    with django_capture_on_commit_callbacks(execute=True):
        series = book_series(patient_a, practitioner_a, clinic["adjustment"], starts, notify=True)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [patient_a.email]
    assert message.subject.endswith("your 4 visits from Tue 02 Jun are booked")
    for day in ("Tuesday 2 June 2026", "Thursday 4 June 2026", "Tuesday 9 June 2026", "Thursday 11 June 2026"):
        assert day in message.body
        assert day in message.alternatives[0][0]
    assert "reminder 24 hours before each visit" in message.body
    calendars = [a for a in message.attachments if getattr(a, "get_content_type", lambda: "")() == "text/calendar"]
    assert len(calendars) == 1
    cal = icalendar.Calendar.from_ical(calendars[0].get_payload(decode=True))
    assert str(cal["METHOD"]) == "REQUEST"
    events = list(cal.walk("VEVENT"))
    uids = {f"{a.uid}@sot-clinic" for a in series.appointments.all()}
    assert {str(e["UID"]) for e in events} == uids
    assert sorted(e.decoded("DTSTART") for e in events) == starts
    notice = OutgoingNotice.objects.get(kind="series_confirmation")
    assert notice.state == "sent" and notice.context == {"series": series.pk}


def test_the_notice_is_recorded_with_the_booking_and_rolled_back_with_it(clinic, patient_a, practitioner_a):
    with pytest.raises(RuntimeError), transaction.atomic():
        book_series(patient_a, practitioner_a, clinic["adjustment"], [at(1, 9)], notify=True)
        assert OutgoingNotice.objects.filter(kind="series_confirmation").count() == 1
        raise RuntimeError("the booking fails after the notice was recorded")
    assert not OutgoingNotice.objects.exists()


def test_each_visit_of_the_series_gets_its_reminder(
    immediate, clinic, patient_a, practitioner_a, django_capture_on_commit_callbacks
):
    starts = [at(1, 9), at(3, 9)]
    with django_capture_on_commit_callbacks(execute=True):
        book_series(patient_a, practitioner_a, clinic["adjustment"], starts, notify=True)
    mail.outbox.clear()
    for start in starts:
        with time_machine.travel(start - dt.timedelta(hours=23), tick=False):
            assert services.reminders_enqueue_due(inline=True) == 1
    reminders = [m.subject for m in mail.outbox]
    assert len(reminders) == 2 and all("Reminder" in s for s in reminders)
    assert Appointment.objects.filter(reminder_sent_at__isnull=False).count() == 2


def test_no_address_no_notice(clinic, patient_a, practitioner_a):
    patient_a.email = ""
    patient_a.save()
    book_series(patient_a, practitioner_a, clinic["adjustment"], [at(1, 9)], notify=True)
    assert not OutgoingNotice.objects.exists()


def test_the_desk_booking_a_series_sends_the_confirmation(
    immediate, client_for, front_desk, clinic, patient_a, practitioner_a, django_capture_on_commit_callbacks
):
    data = series_form(
        clinic, patient_a, practitioner_a, step="confirm", first_date="2026-06-02", weeks="1", weekdays=["1", "3"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(front_desk).post(reverse("scheduling:series_book"), data)
    assert response.status_code == 302
    assert [m.subject.split(": ", 1)[1] for m in mail.outbox] == ["your 2 visits from Tue 02 Jun are booked"]
