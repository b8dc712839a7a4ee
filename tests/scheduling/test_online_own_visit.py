"""Online booking or rescheduling over the patient's own visit names that visit (issue 13 item 11 for patients):
"That time was just taken" would read like a race and send them hunting for another time in vain."""

import pytest
from django.urls import reverse

from scheduling import services
from scheduling.forms import slot_value
from scheduling.models import Appointment
from tests.scheduling.conftest import at

CONFIRM = reverse("scheduling:book_confirm")
HOLD = reverse("scheduling:book_hold")


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_booking_over_your_own_visit_says_so(client_for, returning, clinic, practitioner_a, practitioner_b):
    services.appointment_book(
        patient=returning, practitioner=practitioner_b, appointment_type=clinic["adjustment"], start=at(1, 10)
    )
    client = client_for(returning.user)
    slot = slot_value(at(1, 10), practitioner_a.pk)
    client.post(HOLD, {"type": clinic["adjustment"].slug, "practitioner": practitioner_a.pk, "slot": slot})
    response = client.post(CONFIRM, {"slot": slot})
    page = response.content.decode()
    assert response.status_code in (400, 409)
    assert "You already have a visit from 10:00 to 10:30 that day with Dr. Bo Brown" in page
    assert "just taken" not in page
    assert Appointment.objects.filter(patient=returning, start=at(1, 10)).count() == 1


def test_moving_onto_your_own_other_visit_says_so(client_for, returning, clinic, practitioner_a, practitioner_b):
    first = services.appointment_book(
        patient=returning, practitioner=practitioner_a, appointment_type=clinic["adjustment"], start=at(2, 9)
    )
    services.appointment_book(
        patient=returning, practitioner=practitioner_b, appointment_type=clinic["adjustment"], start=at(3, 14)
    )
    response = client_for(returning.user).post(
        reverse("scheduling:account_reschedule", args=[first.pk]), {"slot": slot_value(at(3, 14), practitioner_a.pk)}
    )
    page = response.content.decode()
    assert "You already have a visit from 14:00 to 14:30 that day with Dr. Bo Brown" in page
    assert "just taken" not in page
    first.refresh_from_db()
    assert first.start == at(2, 9)
