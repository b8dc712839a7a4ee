"""After booking online (issue 13 items 1 and 8): a time inside the cancellation window is said before it is
booked; the confirmation gives the real deadline (or the clinic's number) and, with the intake still to do,
leads straight to it."""

import pytest
import time_machine
from django.urls import reverse

from scheduling.forms import slot_value
from scheduling.models import Appointment
from tests.intake import factories as intake_factories
from tests.scheduling.conftest import at

pytestmark = pytest.mark.django_db
CONFIRM = reverse("scheduling:book_confirm")


def hold(client, appointment_type, start, practitioner):
    client.post(
        reverse("scheduling:book_hold"),
        {"type": appointment_type.slug, "practitioner": practitioner.pk, "slot": slot_value(start, practitioner.pk)},
    )


def test_a_time_inside_the_window_is_said_before_booking(client_for, patient_a, clinic, practitioner_a, settings):
    settings.SCHEDULING_MIN_NOTICE_MINUTES = 60
    client = client_for(patient_a.user)
    soon, later = at(0, 15), at(2, 9)  # 8 hours and 2 days after the clinic's clock (Monday 07:00)
    hold(client, clinic["exam"], soon, practitioner_a)
    page = client.get(CONFIRM).content.decode()
    assert "less than 24 hours away: once booked, it cannot be changed or cancelled online" in page
    hold(client, clinic["exam"], later, practitioner_a)
    assert "once booked, it cannot be changed" not in client.get(CONFIRM).content.decode()


def test_the_confirmation_gives_the_deadline_and_the_next_step(client_for, patient_a, clinic, practitioner_a):
    client = client_for(patient_a.user)
    hold(client, clinic["exam"], at(2, 9), practitioner_a)
    response = client.post(CONFIRM, {"slot": slot_value(at(2, 9), practitioner_a.pk)}, follow=True)
    page = response.content.decode()
    assert "Booked: SOT new-patient exam on Wednesday 3 June at 09:00." in page
    assert "You can change or cancel it online until Tue 2 Jun, 09:00." in page
    assert "Next: tell us about your visit" in page and reverse("intake:intake_home") in page


def test_inside_the_window_the_confirmation_gives_the_clinics_number(
    client_for, patient_a, clinic, practitioner_a, settings
):
    settings.SCHEDULING_MIN_NOTICE_MINUTES = 60
    client = client_for(patient_a.user)
    hold(client, clinic["exam"], at(0, 15), practitioner_a)
    page = client.post(CONFIRM, {"slot": slot_value(at(0, 15), practitioner_a.pk)}, follow=True).content.decode()
    assert f"It is less than 24 hours away: to change or cancel it, call {settings.CLINIC_PHONE}." in page


def test_no_intake_step_once_the_intake_is_submitted(client_for, patient_a, clinic, practitioner_a):
    intake_factories.submitted(patient_a)
    appointment = Appointment.objects.create(
        patient=patient_a,
        practitioner=practitioner_a,
        room=clinic["rooms"][0],
        appointment_type=clinic["exam"],
        start=at(2, 9),
        end=at(2, 10),
        blocks_until=at(2, 10),
    )
    with time_machine.travel(at(0, 8), tick=False):
        page = client_for(patient_a.user).get(reverse("scheduling:account_appointment", args=[appointment.pk]))
    assert "Next: tell us about your visit" not in page.content.decode()
