"""Booking notices sent through a real SMTP server (tests/smtp.py: aiosmtpd, STARTTLS, AUTH), parsed from what
the server received. The same behaviours as in test_notices.py, with the clinic's SMTP settings instead of
Django's in-memory outbox."""

import datetime as dt
import socket

import icalendar
import trustme
from django.utils import timezone

from clinic import outbox
from clinic.models import OutgoingNotice
from scheduling import services
from tests.scheduling.conftest import at, book


def test_a_booking_confirmation_arrives_over_tls_with_text_html_and_ics(
    smtp_server, immediate, settings, clinic, patient_a, practitioner_a, commits
):
    with commits():
        appointment = book(patient_a, practitioner_a, clinic["adjustment"], at(3, 9), notify=True)

    received = smtp_server.wait_for(to=patient_a.email)
    assert received.tls_version in {"TLSv1.2", "TLSv1.3"}
    assert received.login == "clinic-mailer"
    assert received.mail_from == settings.DEFAULT_FROM_EMAIL
    assert received.header("To") == patient_a.email
    assert received.header("Reply-To") == settings.CLINIC_EMAIL
    assert received.subject == f"{settings.CLINIC_NAME}: Your appointment on Thu 04 Jun at 09:00 is booked"
    assert received.header("Message-ID") and received.header("Date")
    assert "SOT adjustment" in received.text and "Dr. Ada Adams" in received.text
    assert f"/account/appointments/{appointment.pk}/" in received.text
    assert "See, change or cancel" in received.html
    assert received.text.strip() != received.html.strip()

    (invitation,) = received.parts_of_type("text/calendar")
    assert invitation.get_param("method") == "REQUEST"
    assert invitation.get_filename().endswith(".ics")
    calendar = icalendar.Calendar.from_ical(invitation.get_content())
    (event,) = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == f"{appointment.uid}@sot-clinic"
    assert event.decoded("DTSTART") == at(3, 9)
    assert event["DTSTART"].params["TZID"] == "America/New_York"


def test_a_front_desk_move_and_cancel_reach_the_patient_in_order(
    smtp_server, immediate, clinic, patient_a, practitioner_a, commits
):
    with commits():
        appointment = book(patient_a, practitioner_a, clinic["adjustment"], at(3, 9), notify=True)
    with commits():
        appointment = services.appointment_move(appointment=appointment, start=at(3, 10), notify=True)
    with commits():
        services.appointment_cancel(appointment=appointment, reason="Patient called", notify=True)

    assert [m.subject.split(": ", 1)[1] for m in smtp_server.messages] == [
        "Your appointment on Thu 04 Jun at 09:00 is booked",
        "Your appointment is moved to Thu 04 Jun at 10:00",
        "Your appointment on Thu 04 Jun at 10:00 is cancelled",
    ]
    (cancel,) = smtp_server.messages[-1].parts_of_type("text/calendar")
    assert cancel.get_param("method") == "CANCEL"
    assert str(icalendar.Calendar.from_ical(cancel.get_content())["METHOD"]) == "CANCEL"


def test_a_mail_server_that_refuses_the_login_fails_the_notice_for_the_front_desk(
    smtp_server, settings, clinic, patient_a, practitioner_a
):
    appointment = book(patient_a, practitioner_a, clinic["adjustment"], at(1, 9))
    settings.EMAIL_HOST_PASSWORD = "not-the-password"
    assert services.reminder_send(appointment_id=appointment.pk, sequence=appointment.sequence) == "failed"
    notice = OutgoingNotice.objects.get(kind="reminder")
    # 535 is a permanent refusal: no retry, the front desk sees it as failed and calls the patient.
    assert notice.state == OutgoingNotice.State.FAILED and "535" in notice.last_error
    assert smtp_server.messages == []


def test_a_mail_server_that_is_down_leaves_the_notice_queued_and_the_sweep_sends_it(
    smtp_server, immediate, settings, clinic, patient_a, practitioner_a, commits
):
    appointment = book(patient_a, practitioner_a, clinic["adjustment"], at(1, 9))
    settings.EMAIL_PORT = closed_port()
    assert services.reminder_send(appointment_id=appointment.pk, sequence=appointment.sequence) == "failed"
    notice = OutgoingNotice.objects.get(kind="reminder")
    assert notice.state == OutgoingNotice.State.QUEUED and "ConnectionRefusedError" in notice.last_error

    settings.EMAIL_PORT = smtp_server.port  # the server is back
    later = timezone.now() + outbox.retry_after() + dt.timedelta(minutes=1)
    with commits():
        assert outbox.notices_requeue_stale(now=later) == 1
    received = smtp_server.wait_for(to=patient_a.email)
    assert received.subject.split(": ", 1)[1].startswith("Reminder")
    assert OutgoingNotice.objects.get(pk=notice.pk).state == OutgoingNotice.State.SENT


def test_a_mail_server_certificate_the_clinic_does_not_trust_is_never_sent_to(
    smtp_server, monkeypatch, tmp_path, clinic, patient_a, practitioner_a
):
    other_authority = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other_authority))
    monkeypatch.setenv("SSL_CERT_FILE", str(other_authority))
    appointment = book(patient_a, practitioner_a, clinic["adjustment"], at(1, 9))
    assert services.reminder_send(appointment_id=appointment.pk, sequence=appointment.sequence) == "failed"
    notice = OutgoingNotice.objects.get(kind="reminder")
    assert notice.state == OutgoingNotice.State.QUEUED and "CERTIFICATE_VERIFY_FAILED" in notice.last_error
    assert smtp_server.messages == []


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
