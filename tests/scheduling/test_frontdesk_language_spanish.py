"""The front desk sets a patient's language (issue 24): on the new-patient form and when booking by phone (a new
patient, or a change on the chosen patient's record, made before the confirmation is written, so it is in that
language); the staff's patient page shows it. A language the site does not offer is refused."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from clinic.models import AuditEvent, Patient
from scheduling import services
from scheduling.models import Appointment
from tests.scheduling.conftest import at

BOOK = reverse("scheduling:appointment_book")
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def desk(client_for, front_desk):
    return client_for(front_desk)


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def booking(clinic, practitioner, start, patient=None, **extra):
    return {
        "appointment_type": clinic["adjustment"].pk,
        "practitioner": practitioner.pk,
        "start": start.strftime("%Y-%m-%dT%H:%M"),
        "patient": patient.pk if patient else "",
        **extra,
    }


NEW = {"new_first_name": "Lucía", "new_last_name": "Ramos", "new_date_of_birth": "1985-03-09"}


def test_the_new_patient_form_sets_the_language_and_the_patient_page_shows_it(desk):
    form = desk.get(reverse("clinic:patient_create"), **EN).content.decode()
    assert 'name="language"' in form and "Español" in form
    data = {"first_name": "Lucía", "last_name": "Ramos", "date_of_birth": "1985-03-09", "sex": "female"}
    response = desk.post(reverse("clinic:patient_create"), {**data, "language": "es"}, **EN)
    assert response.status_code == 302
    patient = Patient.objects.get(last_name="Ramos")
    assert patient.language == "es"
    page = desk.get(reverse("clinic:patient_detail", args=[patient.pk]), **EN).content.decode()
    assert '<html lang="en">' in page
    assert re.search(r'<dt[^>]*>Language</dt><dd[^>]*id="patient-language"[^>]*lang="es"[^>]*>Español</dd>', page)


def test_booking_a_new_patient_by_phone_in_spanish_confirms_in_spanish(desk, clinic, practitioner_a, commits):
    page = desk.get(BOOK, **EN).content.decode()
    assert 'name="language"' in page and "Patient&#x27;s language" in page
    with commits():
        response = desk.post(
            BOOK, booking(clinic, practitioner_a, at(0, 10), new_email="lucia@example.org", language="es", **NEW), **EN
        )
    assert response.status_code == 302
    patient = Patient.objects.get(last_name="Ramos")
    assert patient.language == "es"
    (message,) = mail.outbox
    assert message.subject.endswith("Su cita del lun 01 jun a las 10:00 está reservada")


def test_a_new_patient_without_a_choice_is_english(desk, clinic, practitioner_a):
    assert desk.post(BOOK, booking(clinic, practitioner_a, at(0, 10), **NEW), **EN).status_code == 302
    assert Patient.objects.get(last_name="Ramos").language == "en"


def test_booking_an_existing_patient_can_change_their_language_before_the_confirmation(
    desk, clinic, patient_a, practitioner_a, commits
):
    with commits():
        response = desk.post(BOOK, booking(clinic, practitioner_a, at(0, 10), patient_a, language="es"), **EN)
    assert response.status_code == 302
    patient_a.refresh_from_db()
    assert patient_a.language == "es"
    assert AuditEvent.objects.filter(object_id=str(patient_a.pk), detail="language: es").count() == 1
    (message,) = mail.outbox
    assert "Su cita" in message.subject
    # Left as "as on their record", the next booking changes nothing.
    assert desk.post(BOOK, booking(clinic, practitioner_a, at(0, 14), patient_a), **EN).status_code == 302
    patient_a.refresh_from_db()
    assert patient_a.language == "es"


def test_a_refused_booking_leaves_the_language_as_it_was(desk, clinic, patient_a, patient_b, practitioner_a):
    services.appointment_book(
        patient=patient_b, practitioner=practitioner_a, appointment_type=clinic["adjustment"], start=at(0, 10)
    )
    response = desk.post(BOOK, booking(clinic, practitioner_a, at(0, 10), patient_a, language="es"), **EN)
    assert response.status_code == 400
    patient_a.refresh_from_db()
    assert patient_a.language == "en"
    assert Appointment.objects.filter(patient=patient_a).count() == 0


@pytest.mark.parametrize("code", ["fr", "es-xx", "<script>", "x" * 50])
def test_a_language_the_site_does_not_offer_is_refused(desk, clinic, patient_a, practitioner_a, code):
    response = desk.post(BOOK, booking(clinic, practitioner_a, at(0, 10), patient_a, language=code), **EN)
    assert response.status_code == 400
    assert "language" in response.context["form"].errors
    patient_a.refresh_from_db()
    assert patient_a.language == "en" and not Appointment.objects.exists()
