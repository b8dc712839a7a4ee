"""Online booking (/book/) and the patient's account (/account/) through Django's test client."""

import datetime as dt
import re

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from clinic.models import Patient
from scheduling import availability, services
from scheduling.forms import slot_value
from scheduling.models import Appointment, WaitlistEntry
from tests.scheduling.conftest import about_you, at, book
from tests.scheduling.conftest import book_hold as hold

pytestmark = pytest.mark.usefixtures("immediate")

BOOK = reverse("scheduling:book_start")
HOLD = reverse("scheduling:book_hold")
CONFIRM = reverse("scheduling:book_confirm")


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    """Run what a view queues for after commit (the e-mails), as a real request's commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def about(**overrides):
    return about_you("Nadia", "Novak", "1990-04-02", "(555) 010-7777", **overrides)


# --- The steps ---------------------------------------------------------------------------------


def test_a_new_visitor_sees_only_new_patient_types(client, clinic):
    page = client.get(BOOK).content.decode()
    assert "SOT new-patient exam" in page
    assert "SOT adjustment" not in page
    assert "Log in" in page


def test_a_returning_patient_sees_only_follow_up_types(client_for, returning):
    page = client_for(returning.user).get(BOOK).content.decode()
    assert "SOT adjustment" in page
    assert "SOT new-patient exam" not in page


def test_types_not_bookable_online_are_not_offered(client, clinic):
    clinic["exam"].bookable_online = False
    clinic["exam"].save()
    response = client.get(BOOK, {"type": "sot-new-patient-exam"})
    assert "SOT new-patient exam" not in response.content.decode()
    assert "cannot be booked online" in response.content.decode()


def test_the_day_step_highlights_days_with_free_times(client, clinic, practitioner_a):
    response = client.get(BOOK, {"type": "sot-new-patient-exam", "practitioner": "any"})
    page = response.content.decode()
    assert response.status_code == 200
    # Monday to Friday have times, the weekend is full (nobody works).
    assert page.count("has-times") == 10
    assert page.count("aria-disabled") == 4


def test_the_time_step_lists_free_times_as_buttons_of_a_plain_form(client, clinic, practitioner_a):
    response = client.get(
        BOOK, {"type": "sot-new-patient-exam", "practitioner": practitioner_a.pk, "day": "2026-06-02"}
    )
    page = response.content.decode()
    assert f'action="{HOLD}"' in page
    assert slot_value(at(1, 8), practitioner_a.pk) in page
    # Monday before 09:00 is inside the two-hour notice (now is 07:00), so not offered.
    assert "2026-06-01T08:00" not in page


def test_hold_wrong_method_and_garbage(client, clinic):
    assert client.get(HOLD).status_code == 405
    response = client.post(HOLD, {"type": "sot-new-patient-exam", "slot": "tomorrow|x"})
    assert response.status_code == 302 and response["Location"] == BOOK
    assert "online_booking" not in client.session


# --- The whole flow ----------------------------------------------------------------------------


def test_new_patient_signs_up_and_books(client, clinic, practitioner_a, commits):
    response = hold(client, clinic["exam"], at(1, 9), practitioner_a, mode="any")
    assert response["Location"] == CONFIRM
    page = client.get(CONFIRM).content.decode()
    assert "Create an account" in page
    signup = reverse("account_signup") + "?next=%2Fbook%2Fconfirm%2F"
    assert signup.replace("&", "&amp;") in page

    response = client.post(
        reverse("account_signup"),
        {
            "email": "nadia@example.com",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
            "next": CONFIRM,
        },
    )
    assert response.status_code == 302 and response["Location"] == CONFIRM
    page = client.get(CONFIRM).content.decode()
    assert "About you" in page and "Tuesday 2 June 2026 at 09:00" in page

    mail.outbox.clear()
    with commits():
        response = client.post(CONFIRM, {"slot": slot_value(at(1, 9), practitioner_a.pk), **about()})
    assert response.status_code == 302
    appointment = Appointment.objects.get(source=Appointment.Source.ONLINE)
    assert response["Location"] == reverse("scheduling:account_appointment", args=[appointment.pk])
    patient = Patient.objects.get(user__email="nadia@example.com")
    assert (patient.first_name, patient.date_of_birth, patient.email) == (
        "Nadia",
        dt.date(1990, 4, 2),
        "nadia@example.com",
    )
    assert appointment.patient == patient and appointment.start == at(1, 9)
    assert appointment.appointment_type == clinic["exam"]
    assert [m.subject for m in mail.outbox] == [
        "Harbour Street Chiropractic: Your appointment on Tue 02 Jun at 09:00 is booked"
    ]
    assert "online_booking" not in client.session
    # The account page lists it.
    page = client.get(reverse("scheduling:account_home")).content.decode()
    assert "Tuesday 2 June at 09:00" in page


def test_returning_patient_goes_straight_to_confirm(client_for, returning, clinic, practitioner_a):
    client = client_for(returning.user)
    hold(client, clinic["adjustment"], at(1, 10), practitioner_a)
    page = client.get(CONFIRM).content.decode()
    assert "Confirm your visit" in page and "About you" not in page
    response = client.post(CONFIRM, {"slot": slot_value(at(1, 10), practitioner_a.pk)})
    assert response.status_code == 302
    assert Appointment.objects.filter(patient=returning, start=at(1, 10), source="online").exists()


def test_first_available_books_whoever_is_free_at_that_time(
    client_for, returning, clinic, practitioner_a, practitioner_b, patient_b
):
    client = client_for(returning.user)
    hold(client, clinic["adjustment"], at(1, 10), practitioner_a, mode="any")
    # Meanwhile practitioner A's 10:00 goes to someone else; B is still free then.
    services.appointment_book(
        patient=patient_b, practitioner=practitioner_a, appointment_type=clinic["adjustment"], start=at(1, 10)
    )
    response = client.post(CONFIRM, {"slot": slot_value(at(1, 10), practitioner_a.pk)})
    assert response.status_code == 302
    assert Appointment.objects.get(patient=returning, start=at(1, 10)).practitioner == practitioner_b


def test_slot_taken_meanwhile_offers_nearest_times_and_keeps_what_was_typed(
    client_for, clinic, practitioner_a, patient_b
):
    from tests.clinic.factories import UserFactory

    user = UserFactory(email="new@example.com")
    client = client_for(user)
    hold(client, clinic["exam"], at(1, 9), practitioner_a)
    services.appointment_book(
        patient=patient_b, practitioner=practitioner_a, appointment_type=clinic["adjustment"], start=at(1, 9)
    )
    response = client.post(CONFIRM, {"slot": slot_value(at(1, 9), practitioner_a.pk), **about()})
    page = response.content.decode()
    assert response.status_code == 409
    assert "That time was just taken" in page
    assert 'value="Nadia"' in page and 'value="(555) 010-7777"' in page
    alternatives = re.findall(r'name="slot" id="alt-\d" value="([^"]+)"', page)
    assert slot_value(at(1, 9, 30), practitioner_a.pk) in alternatives
    assert not Patient.objects.filter(user=user).exists()  # rolled back with the refused booking
    assert 'href="/account/"' not in page  # no half-made patient left cached on the user either

    response = client.post(CONFIRM, {"slot": slot_value(at(1, 9, 30), practitioner_a.pk), **about()})
    assert response.status_code == 302
    assert Appointment.objects.get(patient__user=user).start == at(1, 9, 30)


def test_confirm_without_a_held_time_goes_back_to_the_start(client_for, patient_a, clinic):
    response = client_for(patient_a.user).get(CONFIRM)
    assert response.status_code == 302 and response["Location"] == BOOK


def test_staff_are_sent_to_the_front_desk_booking(client_for, front_desk, clinic, practitioner_a):
    client = client_for(front_desk)
    hold(client, clinic["exam"], at(1, 9), practitioner_a)
    response = client.get(CONFIRM)
    assert response.status_code == 302 and response["Location"] == reverse("scheduling:appointment_book")


# --- Forged or stale input ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "slot, message",
    [
        ("garbage", "Choose one of the free times shown"),
        (None, "not offered online"),  # 09:07: off the grid
        ("night", "does not work"),  # 03:00
        ("soon", "Online booking closes"),  # 08:00 today, inside the notice
        ("far", "days ahead"),
    ],
)
def test_forged_times_are_field_errors_and_book_nothing(client_for, returning, clinic, practitioner_a, slot, message):
    client = client_for(returning.user)
    hold(client, clinic["adjustment"], at(1, 10), practitioner_a)
    values = {
        "garbage": "2026-06-02T10:00|abc",
        None: slot_value(at(1, 9, 7), practitioner_a.pk),
        "night": slot_value(at(1, 3), practitioner_a.pk),
        "soon": slot_value(at(0, 8), practitioner_a.pk),
        "far": slot_value(at(120, 9), practitioner_a.pk),
    }
    response = client.post(CONFIRM, {"slot": values[slot]})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Appointment.objects.filter(source="online").exists()


def test_a_type_not_bookable_online_is_refused_even_when_posted(client_for, returning, clinic, practitioner_a):
    client = client_for(returning.user)
    hold(client, clinic["adjustment"], at(1, 10), practitioner_a)
    clinic["adjustment"].bookable_online = False
    clinic["adjustment"].save()
    response = client.post(CONFIRM, {"slot": slot_value(at(1, 10), practitioner_a.pk)})
    assert response.status_code == 302 and response["Location"] == BOOK
    assert not Appointment.objects.filter(source="online").exists()


def test_a_returning_patient_cannot_book_a_new_patient_type(client_for, returning, clinic, practitioner_a):
    client = client_for(returning.user)
    hold(client, clinic["exam"], at(1, 10), practitioner_a)
    response = client.post(CONFIRM, {"slot": slot_value(at(1, 10), practitioner_a.pk)})
    assert response.status_code == 400
    assert "cannot be booked online by you" in response.content.decode()
    assert not Appointment.objects.filter(source="online").exists()


def test_an_unverified_account_holds_at_most_the_set_number_of_bookings(
    settings, client_for, returning, clinic, practitioner_a
):
    settings.BOOKING_UNVERIFIED_MAX = 2
    client = client_for(returning.user)
    for hour in (9, 10):
        hold(client, clinic["adjustment"], at(1, hour), practitioner_a)
        assert client.post(CONFIRM, {"slot": slot_value(at(1, hour), practitioner_a.pk)}).status_code == 302
    hold(client, clinic["adjustment"], at(1, 11), practitioner_a)
    response = client.post(CONFIRM, {"slot": slot_value(at(1, 11), practitioner_a.pk)})
    assert response.status_code == 400 and "unverified" in response.content.decode()
    EmailAddress.objects.create(user=returning.user, email=returning.user.email, verified=True, primary=True)
    assert client.post(CONFIRM, {"slot": slot_value(at(1, 11), practitioner_a.pk)}).status_code == 302
    assert Appointment.objects.filter(source="online").count() == 3


# --- Rate limits -------------------------------------------------------------------------------


def test_booking_is_rate_limited_per_account(settings, client_for, returning, clinic, practitioner_a):
    settings.BOOKING_RATE_LIMIT_USER = "2/h"
    client = client_for(returning.user)
    hold(client, clinic["adjustment"], at(1, 10), practitioner_a)
    garbage = {"slot": "nonsense"}
    assert client.post(CONFIRM, garbage).status_code == 400
    assert client.post(CONFIRM, garbage).status_code == 400
    response = client.post(CONFIRM, {"slot": slot_value(at(1, 10), practitioner_a.pk)})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert not Appointment.objects.filter(source="online").exists()


def test_booking_is_rate_limited_per_ip(settings, client, returning, patient_b, clinic, practitioner_a):
    settings.BOOKING_RATE_LIMIT_IP = "2/h"
    for user in (returning.user, patient_b.user):
        client.force_login(user)
        hold(client, clinic["adjustment"], at(1, 10), practitioner_a)
        client.post(CONFIRM, {"slot": "nonsense"})
    client.force_login(returning.user)
    hold(client, clinic["adjustment"], at(1, 10), practitioner_a)
    assert client.post(CONFIRM, {"slot": slot_value(at(1, 10), practitioner_a.pk)}).status_code == 429


def test_signup_is_rate_limited_per_ip(settings, client, db):
    settings.ACCOUNT_RATE_LIMITS = {"signup": "2/h/ip"}
    statuses = [
        client.post(
            reverse("account_signup"),
            {"email": f"x{i}@example.com", "password1": "a-long-pass-phrase", "password2": "a-long-pass-phrase"},
        ).status_code
        for i in range(3)
    ]
    client.logout()
    assert statuses[-1] == 429


# --- The account: cancel, reschedule, policy window ---------------------------------------------


@pytest.fixture
def upcoming(clinic, patient_a, practitioner_a):
    """Patient A on Wednesday 3 June 09:00, booked online."""
    return book(patient_a, practitioner_a, clinic["adjustment"], at(2, 9), source=Appointment.Source.ONLINE)


def test_account_lists_upcoming_and_past(client_for, upcoming, returning):
    page = client_for(returning.user).get(reverse("scheduling:account_home")).content.decode()
    assert "Wednesday 3 June at 09:00" in page
    assert "Past and cancelled" in page and "Completed" in page


def test_cancel_frees_the_slot_and_offers_it_to_the_waitlist(
    client_for, upcoming, patient_a, patient_b, clinic, commits
):
    entry = WaitlistEntry.objects.create(
        patient=patient_b,
        appointment_type=clinic["adjustment"],
        earliest_date=dt.date(2026, 6, 3),
        latest_date=dt.date(2026, 6, 3),
    )
    with commits():
        response = client_for(patient_a.user).post(
            reverse("scheduling:account_cancel", args=[upcoming.pk]), {"reason": "Travelling"}
        )
    assert response.status_code == 302
    upcoming.refresh_from_db()
    assert upcoming.status == Appointment.Status.CANCELLED and upcoming.cancelled_by == patient_a.user
    free = availability.find_slots(
        appointment_type=clinic["adjustment"],
        practitioner_ids=[upcoming.practitioner_id],
        first_day=dt.date(2026, 6, 3),
        days=1,
    )
    assert at(2, 9) in [s.start for s in free]
    subjects = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert subjects[0][0] == patient_a.email and "cancelled" in subjects[0][1]
    assert subjects[1][0] == patient_b.email and "a time is free" in subjects[1][1]
    entry.refresh_from_db()
    assert entry.offered_at is not None


def test_reschedule_moves_keeps_the_uid_and_emails_the_new_time(
    client_for, upcoming, patient_a, practitioner_a, commits
):
    client = client_for(patient_a.user)
    url = reverse("scheduling:account_reschedule", args=[upcoming.pk])
    new_value = slot_value(at(3, 14), practitioner_a.pk)
    assert new_value not in client.get(url).content.decode()  # a day first
    page = client.get(url, {"day": at(3, 14).date().isoformat()}).content.decode()
    assert new_value in page
    with commits():
        response = client.post(url, {"slot": new_value})
    assert response.status_code == 302
    moved = Appointment.objects.get(pk=upcoming.pk)
    assert (moved.start, moved.sequence, moved.uid) == (at(3, 14), 1, upcoming.uid)
    assert ["moved" in m.subject for m in mail.outbox] == [True]
    assert client.put(url).status_code == 405


def test_reschedule_to_a_taken_time_offers_alternatives(client_for, upcoming, patient_a, patient_b, practitioner_a):
    services.appointment_book(
        patient=patient_b, practitioner=practitioner_a, appointment_type=upcoming.appointment_type, start=at(3, 14)
    )
    response = client_for(patient_a.user).post(
        reverse("scheduling:account_reschedule", args=[upcoming.pk]),
        {"slot": slot_value(at(3, 14), practitioner_a.pk)},
    )
    assert response.status_code == 409
    assert "just taken" in response.content.decode() and "The nearest free times" in response.content.decode()
    assert Appointment.objects.get(pk=upcoming.pk).start == at(2, 9)


@pytest.mark.parametrize(
    "now, allowed",
    [
        (at(1, 9) - dt.timedelta(seconds=1), True),
        (at(1, 9), True),  # exactly 24 hours before: still allowed
        (at(1, 9) + dt.timedelta(seconds=1), False),
        (at(2, 8), False),
    ],
)
def test_policy_window_at_its_edges(client_for, upcoming, patient_a, now, allowed):
    with time_machine.travel(now, tick=False):
        client = client_for(patient_a.user)  # logged in at that time (sessions last 12 hours)
        page = client.get(reverse("scheduling:account_appointment", args=[upcoming.pk])).content.decode()
        assert ("Cancel this appointment" in page) is allowed
        assert ("please call the clinic at" in page and "(555) 010-2040</a>" in page) is not allowed
        response = client.post(reverse("scheduling:account_cancel", args=[upcoming.pk]), {"reason": ""})
    upcoming.refresh_from_db()
    if allowed:
        assert response.status_code == 302 and upcoming.status == Appointment.Status.CANCELLED
    else:
        assert response.status_code == 400 and upcoming.status == Appointment.Status.BOOKED
        assert "Please call the clinic at (555) 010-2040" in response.content.decode()


def test_reschedule_inside_the_window_is_refused(client_for, upcoming, patient_a, practitioner_a):
    with time_machine.travel(at(1, 10), tick=False):
        client = client_for(patient_a.user)
        response = client.post(
            reverse("scheduling:account_reschedule", args=[upcoming.pk]),
            {"slot": slot_value(at(3, 14), practitioner_a.pk)},
        )
    assert response.status_code == 400
    assert Appointment.objects.get(pk=upcoming.pk).start == at(2, 9)


@pytest.mark.parametrize("name", ["account_appointment", "account_reschedule", "account_calendar"])
def test_another_patients_appointment_is_404(client_for, upcoming, patient_b, name):
    response = client_for(patient_b.user).get(reverse(f"scheduling:{name}", args=[upcoming.pk]))
    assert response.status_code == 404


def test_tampered_cancel_and_reschedule_change_nothing(client_for, upcoming, patient_b, practitioner_a):
    client = client_for(patient_b.user)
    assert client.post(reverse("scheduling:account_cancel", args=[upcoming.pk])).status_code == 404
    response = client.post(
        reverse("scheduling:account_reschedule", args=[upcoming.pk]),
        {"slot": slot_value(at(3, 14), practitioner_a.pk)},
    )
    assert response.status_code == 404
    upcoming.refresh_from_db()
    assert (upcoming.status, upcoming.start) == (Appointment.Status.BOOKED, at(2, 9))
    assert mail.outbox == []


def test_cancel_asks_to_confirm_first_and_says_what_happens(client_for, upcoming, patient_a):
    page = client_for(patient_a.user).get(reverse("scheduling:account_cancel", args=[upcoming.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and "Cancel your appointment?" in body
    assert "the time goes back to other patients" in body and "Reason (optional)" in body
    assert "Yes, cancel the appointment" in body and "No, keep it" in body
    upcoming.refresh_from_db()
    assert upcoming.status == Appointment.Status.BOOKED  # looking is not cancelling


def test_returning_patient_logs_in_mid_flow_and_keeps_the_chosen_time(client, returning, clinic, practitioner_a):
    from tests.clinic.factories import PASSWORD

    hold(client, clinic["adjustment"], at(1, 10), practitioner_a)
    page = client.get(CONFIRM).content.decode()
    assert "/accounts/login/?next=%2Fbook%2Fconfirm%2F" in page
    response = client.post(
        reverse("account_login"), {"login": returning.user.email, "password": PASSWORD, "next": CONFIRM}
    )
    assert response.status_code == 302 and response["Location"] == CONFIRM
    page = client.get(CONFIRM).content.decode()
    assert "Tuesday 2 June 2026 at 10:00" in page and "About you" not in page
    assert client.post(CONFIRM, {"slot": slot_value(at(1, 10), practitioner_a.pk)}).status_code == 302
    assert Appointment.objects.filter(patient=returning, start=at(1, 10)).exists()
