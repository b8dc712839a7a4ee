"""An account without a booking meets a way forward, never a bare 403 (issue 13 item 7): /account/, /intake/ and
every patient page send it to /account/start/, where it books a first visit or makes its record and fills the
intake first."""

import pytest
from django.urls import reverse

from clinic.models import AuditEvent, Patient
from tests.clinic.factories import UserFactory
from tests.intake import factories as intake_factories

pytestmark = pytest.mark.django_db
START = reverse("scheduling:account_start")


@pytest.fixture
def newcomer(client):
    user = UserFactory(email="solo@example.com")
    client.force_login(user)
    return user


@pytest.mark.parametrize(
    "url", ["/account/", "/intake/", "/intake/step/about/", "/account/records/"], ids=lambda u: u.strip("/")
)
def test_patient_pages_lead_an_account_without_a_record_to_the_start(client, newcomer, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(START + "?next=")


def test_the_start_page_offers_booking_and_the_intake(client, newcomer):
    page = client.get(START + "?next=/intake/").content.decode()
    assert "we do not have a patient record for you yet" in page
    assert 'href="/book/"' in page and "Make my record and start the intake" in page


def test_making_the_record_goes_on_to_the_intake(client, newcomer):
    intake_factories.load_questionnaires()
    data = {"first_name": "Sol", "last_name": "Oakes", "date_of_birth": "1991-03-04", "phone": "(555) 010-4444"}
    response = client.post(START + "?next=/intake/", data)
    assert response.status_code == 302 and response["Location"] == "/intake/"
    patient = Patient.objects.get(user=newcomer)
    assert (patient.full_name, patient.email, str(patient.date_of_birth)) == (
        "Sol Oakes",
        "solo@example.com",
        "1991-03-04",
    )
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, object_id=str(patient.pk)).exists()
    assert client.get("/intake/").status_code == 200
    assert client.get(START).status_code == 302  # once made, the start page sends them on


def test_a_mistake_is_said_next_to_the_field_and_what_was_typed_kept(client, newcomer):
    data = {"first_name": "Sol", "last_name": "Oakes", "date_of_birth": "2091-03-04", "phone": "call me"}
    response = client.post(START, data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "The date of birth cannot be in the future." in page and 'value="Sol"' in page
    assert not Patient.objects.filter(user=newcomer).exists()


def test_a_next_pointing_elsewhere_is_ignored(client, newcomer):
    data = {"first_name": "Sol", "last_name": "Oakes", "date_of_birth": "1991-03-04", "phone": "(555) 010-4444"}
    response = client.post(START + "?next=https://evil.example/", data)
    assert response["Location"] == "/intake/"


def test_staff_are_still_refused_patient_pages(client, front_desk):
    client.force_login(front_desk)
    assert client.get("/account/").status_code == 403
    assert client.get(START).status_code == 403
