"""The front desk's appointment page shows where the visit falls in the care plan (issue 16, slice 4)."""

import pytest
from django.urls import reverse

from tests.clinic.careplan_factories import careplan
from tests.scheduling.conftest import at
from tests.scheduling.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def test_the_appointment_page_shows_visit_n_of_m(client_for, front_desk, clinic, patient_a, practitioner_a):
    careplan(patient_a, practitioner_a, how="online", phases=[{"visits_per_week": 3, "weeks": 4}], re_exam_visit=12)
    first = AppointmentFactory(patient=patient_a, practitioner=practitioner_a, start=at(1, 9), status="booked")
    second = AppointmentFactory(patient=patient_a, practitioner=practitioner_a, start=at(2, 9), status="booked")
    client = client_for(front_desk)
    body = client.get(reverse("scheduling:appointment_detail", args=[second.pk])).content.decode()
    assert "visit 2 of 12 · re-exam due at visit 12" in body
    assert "visit 1 of 12" in client.get(reverse("scheduling:appointment_detail", args=[first.pk])).content.decode()
