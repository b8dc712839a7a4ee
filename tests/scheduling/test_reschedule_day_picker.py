"""Rescheduling online (issue 13, item 2): a day first, then that day's times; no time inside the cancellation
window is offered (moved there, the visit could not be changed again), and the page says why."""

import re

import pytest
from django.urls import reverse

from scheduling.forms import slot_value
from scheduling.models import Appointment
from tests.scheduling.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def upcoming(patient_a, practitioner_a, clinic):
    return Appointment.objects.create(
        patient=patient_a,
        practitioner=practitioner_a,
        room=clinic["rooms"][0],
        appointment_type=clinic["adjustment"],
        start=at(3, 9),
        end=at(3, 9, 30),
        blocks_until=at(3, 9, 35),
    )


def test_the_days_come_first_then_one_days_times(client_for, patient_a, upcoming, practitioner_a):
    client = client_for(patient_a.user)
    url = reverse("scheduling:account_reschedule", args=[upcoming.pk])
    first = client.get(url).content.decode()
    assert "Which day?" in first and "booking-time" not in first  # no time buttons before a day is chosen
    assert len(re.findall(r'class="btn [^"]*booking-day"', first)) >= 5
    wednesday = at(2, 9).date().isoformat()
    page = client.get(url, {"day": wednesday}).content.decode()
    assert "Times on Wednesday 3 June" in page
    assert slot_value(at(2, 14), practitioner_a.pk) in page
    assert slot_value(at(3, 14), practitioner_a.pk) not in page  # another day's time


def test_times_inside_the_window_are_not_offered_online(client_for, patient_a, upcoming, practitioner_a):
    client = client_for(patient_a.user)  # the clinic's clock: Monday 07:00
    url = reverse("scheduling:account_reschedule", args=[upcoming.pk])
    page = client.get(url, {"day": at(0, 9).date().isoformat()}).content.decode()
    assert slot_value(at(0, 14), practitioner_a.pk) not in page  # Monday 14:00 is 7 hours away
    assert "Times in the next 24 hours are not offered here" in page
    tuesday = client.get(url, {"day": at(1, 9).date().isoformat()}).content.decode()
    assert slot_value(at(1, 8), practitioner_a.pk) in tuesday  # 25 hours away: outside the window
