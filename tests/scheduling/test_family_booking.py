"""A parent books for their child online (clinic.family): who the visit is for, the account's family list, the
e-mails to the parent naming the child, and no way into another family's appointments."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from clinic.models import AuditEvent, OutgoingNotice
from scheduling import ics
from scheduling.forms import slot_value
from scheduling.models import Appointment
from tests.clinic.factories import PatientFactory, child_of
from tests.scheduling.conftest import at
from tests.scheduling.factories import AppointmentFactory

pytestmark = pytest.mark.usefixtures("immediate")

CONFIRM = reverse("scheduling:book_confirm")


@pytest.fixture
def child(patient_a, clinic):
    return child_of(patient_a.user, date_of_birth=dt.date(2019, 3, 1), sex="male")


def hold(client, appointment_type, start, practitioner):
    return client.post(
        reverse("scheduling:book_hold"),
        {"type": appointment_type.slug, "practitioner": practitioner.pk, "slot": slot_value(start, practitioner.pk)},
    )


def test_a_parent_books_for_their_child_and_the_email_names_the_child(
    client_for, django_capture_on_commit_callbacks, patient_a, child, clinic, practitioner_a
):
    client = client_for(patient_a.user)
    hold(client, clinic["exam"], at(1, 9), practitioner_a)
    page = client.get(CONFIRM).content.decode()
    assert "Who is this visit for?" in page and "Theo Arnold" in page and "Alice Arnold (me)" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CONFIRM, {"slot": slot_value(at(1, 9), practitioner_a.pk), "who-patient": child.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    booked = Appointment.objects.get(start=at(1, 9))
    assert booked.patient == child and booked.booked_by == patient_a.user
    notice = OutgoingNotice.objects.get(kind="confirmation", patient=child)
    assert notice.recipient == patient_a.user.email
    [message] = mail.outbox
    assert message.to == [patient_a.user.email]
    assert "Theo's appointment" in message.subject
    assert "This e-mail is about Theo Arnold's appointment" in message.body
    assert "Hello Theo" not in message.body
    calendar = ics.appointment_calendar(booked).decode()
    assert "SUMMARY:Theo: SOT" in calendar


def test_a_visit_for_nobody_chosen_is_refused_with_the_reason(client_for, patient_a, child, clinic, practitioner_a):
    client = client_for(patient_a.user)
    hold(client, clinic["exam"], at(1, 9), practitioner_a)
    response = client.post(CONFIRM, {"slot": slot_value(at(1, 9), practitioner_a.pk), "who-patient": "99999"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Appointment.objects.filter(start=at(1, 9)).exists()


def test_the_account_lists_every_family_members_appointments(
    client_for, patient_a, child, clinic, practitioner_a, django_assert_max_num_queries
):
    mine = AppointmentFactory(patient=patient_a, practitioner=practitioner_a, start=at(2, 9))
    theirs = AppointmentFactory(patient=child, practitioner=practitioner_a, start=at(3, 9))
    client = client_for(patient_a.user)
    page = client.get(reverse("scheduling:account_home")).content.decode()
    assert reverse("scheduling:account_appointment", args=[mine.pk]) in page
    assert reverse("scheduling:account_appointment", args=[theirs.pk]) in page
    assert "<strong>Theo</strong>" in page
    # The child's page, cancel and calendar are the parent's to use; each read is in the child's log.
    assert client.get(reverse("scheduling:account_appointment", args=[theirs.pk])).status_code == 200
    assert AuditEvent.objects.filter(patient=child, action="view", actor=patient_a.user).exists()
    # More children do not mean more queries.
    for n in range(3):
        extra = child_of(patient_a.user, first_name=f"Kid{n}", date_of_birth=dt.date(2020, 1, 1))
        AppointmentFactory(patient=extra, practitioner=practitioner_a, start=at(4, 9 + n))
    with django_assert_max_num_queries(14):
        assert client.get(reverse("scheduling:account_home")).status_code == 200


def test_another_familys_child_stays_out_of_reach(client_for, patient_a, patient_b, child, clinic, practitioner_a):
    stranger = PatientFactory(date_of_birth=dt.date(2018, 1, 1))
    zed = child_of(
        patient_b.user, first_name="Zed", last_name="Bravo", date_of_birth=dt.date(2017, 1, 1), relationship="father"
    )
    others = [
        AppointmentFactory(patient=stranger, practitioner=practitioner_a, start=at(2, 10)),
        AppointmentFactory(patient=zed, practitioner=practitioner_a, start=at(2, 11)),
    ]
    client = client_for(patient_a.user)
    for appointment in others:
        for name in ("account_appointment", "account_reschedule", "account_calendar"):
            response = client.get(reverse(f"scheduling:{name}", args=[appointment.pk]))
            assert response.status_code == 404, name
        response = client.post(reverse("scheduling:account_cancel", args=[appointment.pk]), {"reason": "x"})
        assert response.status_code == 404
        appointment.refresh_from_db()
        assert appointment.status == Appointment.Status.BOOKED
    page = client.get(reverse("scheduling:account_home")).content.decode()
    assert "Zed" not in page and stranger.last_name not in page


def book_exam_online(user, patient, clinic, practitioner, start):
    """`user` books a new-patient exam online for `patient` (themselves or their child)."""
    from scheduling import services

    return services.appointment_book_online(
        user=user, patient=patient, appointment_type=clinic["exam"], practitioner=practitioner, start=start
    )


def test_children_do_not_multiply_the_unverified_allowance(patient_a, child, clinic, practitioner_a, settings):
    settings.BOOKING_UNVERIFIED_MAX = 1
    book_exam_online(patient_a.user, patient_a, clinic, practitioner_a, at(1, 9))
    with pytest.raises(Exception, match="unverified e-mail address can hold 1"):
        book_exam_online(patient_a.user, child, clinic, practitioner_a, at(1, 10))


def test_booking_online_for_someone_elses_child_is_refused(patient_a, patient_b, clinic, practitioner_a):
    stranger = PatientFactory(date_of_birth=dt.date(2018, 1, 1))
    with pytest.raises(Exception, match="only for yourself and your children"):
        book_exam_online(patient_a.user, stranger, clinic, practitioner_a, at(1, 9))
