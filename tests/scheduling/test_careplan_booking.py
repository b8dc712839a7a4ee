"""Booking from a care plan (issue 16, slice 3): the plan links the desk to the existing series page filled in
with the phase; once booked, the plan counts booked / attended / missed / remaining per phase."""

import re

import pytest
from django.urls import reverse

from clinic.careplans import selectors, services
from scheduling.models import Appointment
from tests.clinic.careplan_factories import careplan
from tests.scheduling.conftest import series_form

pytestmark = pytest.mark.django_db


def accepted_plan(patient, practitioner):
    phases = [{"visits_per_week": 2, "weeks": 1}, {"visits_per_week": 1, "weeks": 2}]
    return careplan(patient, practitioner, how="online", phases=phases)


def test_the_desk_books_phase_one_from_the_plan(client_for, front_desk, clinic, patient_a, practitioner_a):
    plan = accepted_plan(patient_a, practitioner_a)
    client = client_for(front_desk)
    body = client.get(plan.get_absolute_url()).content.decode()
    link = re.search(r'href="([^"]+)">Book phase 1<', body).group(1).replace("&amp;", "&")
    form = client.get(link)
    assert form.status_code == 200
    initial = form.context["form"].initial
    assert (initial["weeks"], initial["weekdays"], initial["notes"]) == ("1", ["1", "3"], "Care plan v1, phase 1")
    data = series_form(
        clinic,
        patient_a,
        practitioner_a,
        step="confirm",
        first_date="2026-06-02",
        weeks="1",
        weekdays=["1", "3"],
        notes=initial["notes"],
    )
    assert client.post(reverse("scheduling:series_book"), data).status_code == 302
    assert Appointment.objects.filter(patient=patient_a).count() == 2
    phases = selectors.phase_progress(plan)
    assert [(p["booked"], p["attended"], p["missed"], p["remaining"]) for p in phases] == [(2, 0, 0, 0), (0, 0, 0, 2)]
    body = client.get(plan.get_absolute_url()).content.decode()
    assert "Book phase 1<" not in body and "Book phase 2<" in body


def test_attended_and_missed_visits_count_per_phase(clinic, patient_a, practitioner_a):
    from tests.scheduling.conftest import at
    from tests.scheduling.factories import AppointmentFactory

    plan = accepted_plan(patient_a, practitioner_a)
    for day, status in ((1, "completed"), (2, "no_show"), (3, "completed"), (8, "booked"), (9, "cancelled")):
        AppointmentFactory(patient=patient_a, practitioner=practitioner_a, start=at(day, 9), status=status)
    phases = selectors.phase_progress(plan)
    assert [(p["booked"], p["attended"], p["missed"], p["remaining"]) for p in phases] == [(0, 2, 1, 0), (1, 0, 0, 1)]


def test_booking_link_only_for_an_accepted_plan_and_for_the_desk(
    client_for, front_desk, clinic, patient_a, practitioner_a
):
    plan = services.careplan_propose(
        patient=patient_a,
        practitioner=practitioner_a,
        actor=practitioner_a.user,
        phases=[{"visits_per_week": 2, "weeks": 1}],
    )
    assert "Book phase 1" not in client_for(front_desk).get(plan.get_absolute_url()).content.decode()
    services.careplan_accept(plan=plan, actor=patient_a.user, how="online")
    assert "Book phase 1" not in client_for(patient_a.user).get(plan.get_absolute_url()).content.decode()
