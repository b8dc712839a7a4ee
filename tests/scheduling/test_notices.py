"""Calendar files, notice e-mails and reminders sent through the Tasks API."""

import datetime as dt

import icalendar
import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from clinic import outbox
from clinic.models import OutgoingNotice
from scheduling import ics, notices, services, tasks
from scheduling.models import Appointment
from tests.concurrency import at_once
from tests.conftest import requires_postgres
from tests.scheduling.conftest import NY, at, booking_form
from tests.smtp import smtp_server  # noqa: F401  (the fixture: a real SMTP server)

DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def run_worker(monkeypatch):
    """Run django-tasks-db's `db_worker` until the queue is empty, inside the test's transaction (its
    connection housekeeping would close the test connection on PostgreSQL, so it is skipped here)."""
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)

    def run(worker_id="test-worker"):
        call_command("db_worker", batch=True, interval=0, startup_delay=False, worker_id=worker_id, verbosity=0)

    return run


@pytest.fixture
def booked(clinic, patient_a, practitioner_a):
    """Patient A on Tuesday 2 June at 09:00 (New York), booked by the front desk without notices."""
    return services.appointment_book(
        patient=patient_a, practitioner=practitioner_a, appointment_type=clinic["adjustment"], start=at(1, 9)
    )


@pytest.fixture
def book_notified(django_capture_on_commit_callbacks):
    """Book an adjustment with its notices, as the booking page does, and run what waits for the commit."""

    def book(clinic, patient, practitioner, start):
        with django_capture_on_commit_callbacks(execute=True):
            return services.appointment_book(
                patient=patient,
                practitioner=practitioner,
                appointment_type=clinic["adjustment"],
                start=start,
                notify=True,
            )

    return book


def parse(data: bytes):
    cal = icalendar.Calendar.from_ical(data)
    events = list(cal.walk("VEVENT"))
    assert len(events) == 1
    return cal, events[0]


def test_ics_has_zone_times_uid_sequence_and_address(booked):
    cal, event = parse(ics.appointment_calendar(booked))
    assert str(cal["METHOD"]) == "PUBLISH"
    assert event.decoded("DTSTART") == at(1, 9)
    assert event.decoded("DTEND") == at(1, 9, 30)
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert event.decoded("DTSTART").tzinfo is not None
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["America/New_York"]
    assert str(event["UID"]) == f"{booked.uid}@sot-clinic"
    assert event.decoded("SEQUENCE") == 0
    assert "1 Main Street" in str(event["LOCATION"])
    assert "SOT adjustment" in str(event["SUMMARY"])


def test_ics_uid_is_stable_across_a_reschedule_and_sequence_goes_up(booked):
    _, before = parse(ics.appointment_calendar(booked))
    moved = services.appointment_move(appointment=booked, start=at(2, 14))
    _, after = parse(ics.appointment_calendar(moved))
    assert str(after["UID"]) == str(before["UID"])
    assert after.decoded("SEQUENCE") == 1
    assert after.decoded("DTSTART") == at(2, 14)
    assert after.decoded("DTSTART").utcoffset() == dt.timedelta(hours=-4)  # EDT in June


def test_ics_for_a_cancellation_says_cancel(booked):
    services.appointment_cancel(appointment=booked, reason="Patient called")
    booked.refresh_from_db()
    cal, event = parse(ics.appointment_calendar(booked, method=ics.CANCEL))
    assert str(cal["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"


def test_ics_download_is_the_patients_own(client_for, booked, patient_a, patient_b):
    url = reverse("scheduling:account_calendar", args=[booked.pk])
    response = client_for(patient_a.user).get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    _, event = parse(response.content)
    assert str(event["UID"]) == f"{booked.uid}@sot-clinic"
    assert client_for(patient_b.user).get(url).status_code == 404
    assert client_for(patient_a.user).post(url).status_code == 405


def test_notice_has_text_html_and_an_ics_and_no_clinical_details(booked):
    booked.frontdesk_notes = "Lumbar disc history, anticoagulants"
    booked.save()
    message = notices.notice_message(booked, notices.CONFIRMATION)
    message.send()
    sent = mail.outbox[-1]
    assert sent.to == [booked.patient.email]
    assert "SOT adjustment" in sent.body and "Dr. Ada Adams" in sent.body and "09:00" in sent.body
    assert f"/account/appointments/{booked.pk}/" in sent.body
    html, mimetype = sent.alternatives[0]
    assert mimetype == "text/html" and "See, change or cancel" in html
    raw = sent.message().as_string()
    assert "Lumbar" not in raw and "anticoagulants" not in raw
    calendar_parts = [p for p in sent.message().walk() if p.get_content_type() == "text/calendar"]
    assert len(calendar_parts) == 1
    assert calendar_parts[0].get_param("method") == "REQUEST"
    cal, _ = parse(calendar_parts[0].get_payload(decode=True))
    assert str(cal["METHOD"]) == "REQUEST"


def test_booking_with_notify_sends_a_confirmation_after_commit(
    immediate, clinic, patient_a, practitioner_a, book_notified
):
    appointment = book_notified(clinic, patient_a, practitioner_a, at(3, 9))
    assert len(mail.outbox) == 1
    assert "is booked" in mail.outbox[0].subject
    appointment.refresh_from_db()
    assert appointment.reminder_sent_at is None  # due later; the immediate backend cannot defer it


def test_booked_inside_the_reminder_window_the_confirmation_is_the_reminder(
    immediate, clinic, patient_a, practitioner_a, book_notified
):
    appointment = book_notified(clinic, patient_a, practitioner_a, at(0, 15))
    appointment.refresh_from_db()
    assert appointment.reminder_sent_at is not None
    assert services.reminders_enqueue_due(inline=True) == 0
    assert len(mail.outbox) == 1


def test_the_database_backend_defers_the_reminder_to_its_time(
    settings, run_worker, clinic, patient_a, practitioner_a, book_notified
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE
    appointment = book_notified(clinic, patient_a, practitioner_a, at(3, 9))
    appointment.refresh_from_db()
    reminder = DBTaskResult.objects.get(pk=appointment.reminder_task_id)
    assert reminder.run_after == at(2, 9)
    assert reminder.task_path.endswith("send_reminder")
    # The worker sends the confirmation now; the reminder waits for its time.
    run_worker()
    assert [m.subject.split(": ", 1)[1][:20] for m in mail.outbox] == ["Your appointment on "]
    with time_machine.travel(at(2, 9, 1), tick=False):
        run_worker()
    assert len(mail.outbox) == 2 and mail.outbox[1].subject.startswith(f"{settings.CLINIC_NAME}: Reminder")


def test_the_reminder_task_run_twice_sends_one_email(immediate, booked):
    tasks.send_reminder.enqueue(booked.pk, booked.sequence)
    tasks.send_reminder.enqueue(booked.pk, booked.sequence)
    assert len(mail.outbox) == 1
    assert "Reminder" in mail.outbox[0].subject
    booked.refresh_from_db()
    assert booked.reminder_sent_at is not None


def test_two_database_workers_send_the_reminder_once(settings, run_worker, booked):
    settings.TASKS = DATABASE
    tasks.send_reminder.enqueue(booked.pk, booked.sequence)
    tasks.send_reminder.enqueue(booked.pk, booked.sequence)
    run_worker("one")
    run_worker("two")
    assert len(mail.outbox) == 1


def test_a_failed_reminder_send_stays_in_the_outbox_and_the_sweep_sends_it(immediate, booked, monkeypatch):
    # Before the outbox, a failed send rolled the claim back; now the reminder is decided once (claimed on
    # the appointment) and its notice waits in the outbox until the sweep sends it.
    def broken(self, *args, **kwargs):
        raise ConnectionError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    with time_machine.travel(at(0, 10), tick=False):
        assert services.reminder_send(appointment_id=booked.pk, sequence=booked.sequence) == "failed"
    notice = OutgoingNotice.objects.get(kind="reminder")
    assert (notice.state, notice.attempts) == ("queued", 1)
    assert "mail server down" in notice.last_error
    monkeypatch.undo()
    with time_machine.travel(at(0, 10, 2), tick=False):
        assert services.reminder_send(appointment_id=booked.pk, sequence=booked.sequence) == "skipped"
        assert outbox.notices_requeue_stale() == 0  # not yet: the retry waits a few minutes
    with time_machine.travel(at(0, 10, 6), tick=False):
        assert outbox.notices_requeue_stale() == 1
    notice.refresh_from_db()
    assert (notice.state, notice.attempts) == ("sent", 2)
    assert len(mail.outbox) == 1 and "Reminder" in mail.outbox[0].subject


def test_a_rescheduled_appointment_gets_no_stale_reminder(immediate, booked):
    old_sequence = booked.sequence
    services.reminder_send(appointment_id=booked.pk, sequence=old_sequence)
    assert len(mail.outbox) == 1
    moved = services.appointment_move(appointment=booked, start=at(2, 14))
    assert moved.reminder_sent_at is None
    # The reminder queued for the old time is skipped; the new time gets its own.
    tasks.send_reminder.enqueue(moved.pk, old_sequence)
    assert len(mail.outbox) == 1
    tasks.send_reminder.enqueue(moved.pk, moved.sequence)
    assert len(mail.outbox) == 2
    assert "Wednesday 3 June 2026, 14:00" in mail.outbox[1].body


def test_a_cancelled_appointment_gets_no_reminder(immediate, booked):
    services.appointment_cancel(appointment=booked, reason="Patient called")
    tasks.send_reminder.enqueue(booked.pk, booked.sequence)
    assert mail.outbox == []


def test_no_reminder_for_an_appointment_that_has_started(booked):
    with time_machine.travel(at(1, 9, 1), tick=False):
        assert services.reminder_send(appointment_id=booked.pk, sequence=booked.sequence) == "skipped"
    assert mail.outbox == []


def test_send_due_reminders_picks_only_those_inside_the_window(immediate, clinic, booked, patient_b, practitioner_b):
    later = services.appointment_book(
        patient=patient_b, practitioner=practitioner_b, appointment_type=clinic["adjustment"], start=at(4, 9)
    )
    with time_machine.travel(at(0, 10), tick=False):
        call_command("send_due_reminders", verbosity=0)
        call_command("send_due_reminders", verbosity=0)
    assert [m.to for m in mail.outbox] == [[booked.patient.email]]
    later.refresh_from_db()
    assert later.reminder_sent_at is None


def test_a_superseded_confirmation_is_not_sent(booked):
    moved = services.appointment_move(appointment=booked, start=at(2, 14))
    assert services.notice_send(appointment_id=moved.pk, kind=notices.CONFIRMATION, sequence=0) == "superseded"
    assert services.notice_send(appointment_id=moved.pk, kind=notices.RESCHEDULE, sequence=1) == "sent"
    assert len(mail.outbox) == 1


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_reminder_workers_send_one_email_on_postgres(
    frozen, rooms, hours, adjustment, patient_a, practitioner_a
):
    appointment = services.appointment_book(
        patient=patient_a, practitioner=practitioner_a, appointment_type=adjustment, start=at(1, 9)
    )
    results = at_once(
        *[lambda: services.reminder_send(appointment_id=appointment.pk, sequence=appointment.sequence)] * 6
    )
    assert sorted(results) == ["sent"] + ["skipped"] * 5
    assert len(mail.outbox) == 1
    assert Appointment.objects.get(pk=appointment.pk).reminder_sent_at is not None


def test_notice_times_are_in_the_clinic_zone(booked):
    message = notices.notice_message(booked, notices.REMINDER)
    assert booked.start.astimezone(NY).strftime("%H:%M") in message.body


def test_front_desk_booking_moving_and_cancelling_email_the_patient(
    immediate, client_for, front_desk, clinic, patient_a, practitioner_a, django_capture_on_commit_callbacks
):
    desk = client_for(front_desk)
    with django_capture_on_commit_callbacks(execute=True):
        desk.post(
            reverse("scheduling:appointment_book"),
            booking_form(clinic, patient_a, practitioner_a, "2026-06-03T09:00"),
        )
    appointment = Appointment.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        desk.post(reverse("scheduling:appointment_move", args=[appointment.pk]), {"start": "2026-06-03T10:00"})
    with django_capture_on_commit_callbacks(execute=True):
        desk.post(reverse("scheduling:appointment_cancel", args=[appointment.pk]), {"reason": "Patient called"})
    subjects = [m.subject.split(": ", 1)[1] for m in mail.outbox]
    assert subjects == [
        "Your appointment on Wed 03 Jun at 09:00 is booked",
        "Your appointment is moved to Wed 03 Jun at 10:00",
        "Your appointment on Wed 03 Jun at 10:00 is cancelled",
    ]
    assert all(m.to == [patient_a.email] for m in mail.outbox)


def test_the_confirmation_through_a_real_smtp_server_has_the_same_parts(smtp_server, booked):  # noqa: F811
    """test_notice_has_text_html_and_an_ics_and_no_clinical_details, sent over SMTP (tests/smtp.py) instead of
    the in-memory outbox, and checked on what the server received."""
    booked.frontdesk_notes = "Lumbar disc history, anticoagulants"
    booked.save()
    notices.notice_message(booked, notices.CONFIRMATION).send()
    received = smtp_server.wait_for(to=booked.patient.email)
    assert received.tls_version is not None
    assert "SOT adjustment" in received.text and "Dr. Ada Adams" in received.text and "09:00" in received.text
    assert f"/account/appointments/{booked.pk}/" in received.text
    assert "See, change or cancel" in received.html
    decoded = " ".join(p.get_content() for p in received.message.walk() if p.get_content_maintype() == "text")
    assert "Dr. Ada Adams" in decoded and "Lumbar" not in decoded and "anticoagulants" not in decoded
    (calendar_part,) = received.parts_of_type("text/calendar")
    assert calendar_part.get_param("method") == "REQUEST"
    cal, _ = parse(calendar_part.get_content().encode())
    assert str(cal["METHOD"]) == "REQUEST"
