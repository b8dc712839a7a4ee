"""A guardian in the object-level walk: patient B's account acts for B's child, so B reaches every page of the
child's rows that a patient reaches for their own, and still nothing of patient A's (404, nothing of A shown)."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from tests.clinic.factories import child_of
from tests.intake import factories as intake_factories
from tests.scheduling.factories import AppointmentFactory
from tests.walks.test_object_access import MATRIX, a_markers, assert_no_leak, frozen, object_urls, world  # noqa: F401

# The pages a patient opens for one of their own rows (GET), by the row they name.
OWN_ROW_PAGES = ["account_appointment", "account_reschedule", "account_calendar"]


@pytest.mark.django_db
def test_a_guardian_reaches_their_childs_rows_and_never_another_patients(world, patient_b, practitioner_a):  # noqa: F811
    child = child_of(
        patient_b.user, first_name="Zed", last_name="Bravo", date_of_birth=dt.date(2019, 5, 1), relationship="father"
    )
    later = world["a"].appointment.start + dt.timedelta(hours=3)  # not over patient A's own visit with A
    appointment = AppointmentFactory(patient=child, practitioner=practitioner_a, start=later)
    submission = intake_factories.submitted(child)
    client = Client(raise_request_exception=False)
    client.force_login(patient_b.user)
    for name in OWN_ROW_PAGES:
        response = client.get(reverse(f"scheduling:{name}", args=[appointment.pk]))
        assert response.status_code == 200, name
    assert client.get(reverse("intake:submission_detail", args=[submission.pk])).status_code == 200
    assert client.get(reverse("clinic:patient_detail", args=[child.pk])).status_code == 200
    # Patient A's rows stay out of reach for the guardian too: every object URL patients may use answers 404.
    markers = a_markers(world)
    for name, url in object_urls(world).items():
        if MATRIX[name]["patient"] not in (200, 405):
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(url, {"reason": "x"})
            if response.status_code == 405:
                continue
            assert response.status_code == 404, f"guardian {method.upper()} {name}: {response.status_code}"
            assert_no_leak(response, markers, f"guardian {method.upper()} {name}")
    assert client.get(reverse("clinic:patient_detail", args=[world["patient_a"].pk])).status_code == 404
