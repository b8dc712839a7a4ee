"""Appointment type names are the clinic's data, translated in the data (issue 24): `translations` on the type,
`local_name` in the active language (English when no translation is given), on the booking pages, the account
page, the patient's e-mails and the calendar file; the admin edits them; the demo's types have Spanish names."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from scheduling.models import Appointment, AppointmentType
from tests.scheduling.conftest import at, book
from tests.scheduling.test_patient_spanish import BOOK, ES, assert_spanish

pytestmark = pytest.mark.usefixtures("immediate")

AJUSTE = {"es": {"name": "Ajuste SOT"}}


@pytest.fixture
def spanish_names(clinic):
    clinic["adjustment"].translations = AJUSTE
    clinic["adjustment"].save()
    clinic["exam"].translations = {"es": {"name": "Examen SOT de paciente nuevo"}}
    clinic["exam"].save()
    return clinic


def test_local_name_follows_the_active_language_and_falls_back_to_the_name(db):
    kind = AppointmentType(name="SOT adjustment", translations=AJUSTE)
    with translation.override("es"):
        assert kind.local_name == "Ajuste SOT"
    with translation.override("es-mx"):
        assert kind.local_name == "Ajuste SOT"
    with translation.override("en"):
        assert kind.local_name == "SOT adjustment"
    untranslated = AppointmentType(name="SOT re-examination")
    with translation.override("es"):
        assert untranslated.local_name == "SOT re-examination"
    assert str(kind) == "SOT adjustment"  # the staff side keeps the clinic's own name


@pytest.mark.parametrize(
    "translations",
    [{"fr": {"name": "Ajustement"}}, {"es": {"title": "Ajuste"}}, {"es": {"name": "x" * 121}}, ["Ajuste"]],
)
def test_a_translation_the_site_cannot_show_is_refused(translations):
    kind = AppointmentType(name="SOT adjustment", translations=translations)
    with pytest.raises(ValidationError) as exc:
        kind.clean()
    assert "translations" in exc.value.message_dict


def test_the_booking_pages_name_the_types_in_spanish(client, spanish_names, practitioner_a):
    assert_spanish(client.get(BOOK, **ES), "Examen SOT de paciente nuevo", "60 minutos")
    page = client.get(BOOK, {"type": "sot-new-patient-exam"}, **ES)
    assert_spanish(page, "Examen SOT de paciente nuevo (60 min)")
    english = client.get(BOOK, {"type": "sot-new-patient-exam"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "SOT new-patient exam (60 min)" in english and "Examen SOT" not in english


def test_the_account_page_e_mails_and_calendar_name_the_type_in_spanish(
    client_for, spanish_names, patient_a, practitioner_a, commits
):
    patient_a.language = "es"
    patient_a.save()
    with commits():
        online = {"source": Appointment.Source.ONLINE, "notify": True}
        appointment = book(patient_a, practitioner_a, spanish_names["adjustment"], at(2, 9), **online)
    (message,) = mail.outbox
    assert "Ajuste SOT con Dr. Ada Adams" in message.body
    assert "Ajuste SOT" in message.alternatives[0][0]
    calendar = next(part for part in message.attachments if "calendar" in str(part.get_content_type()))
    assert "SUMMARY:Ajuste SOT con Dr. Ada Adams" in calendar.get_payload(decode=True).decode()
    client = client_for(patient_a.user)
    assert_spanish(client.get(reverse("scheduling:account_home")), "Ajuste SOT con Dr. Ada Adams")
    page = client.get(reverse("scheduling:account_appointment", args=[appointment.pk]))
    assert_spanish(page, "Ajuste SOT")
    download = client.get(reverse("scheduling:account_calendar", args=[appointment.pk])).content.decode()
    assert "SUMMARY:Ajuste SOT con Dr. Ada Adams" in download


def test_an_english_patient_reads_the_clinics_own_name(spanish_names, patient_b, practitioner_a, commits):
    with commits():
        book(patient_b, practitioner_a, spanish_names["adjustment"], at(2, 9), notify=True)
    (message,) = mail.outbox
    assert "SOT adjustment with Dr. Ada Adams" in message.body and "Ajuste" not in message.body


def test_the_admin_edits_the_spanish_name(client_for, clinic_admin, spanish_names):
    client = client_for(clinic_admin)
    kind = spanish_names["adjustment"]
    changelist = client.get(reverse("admin:scheduling_appointmenttype_changelist")).content.decode()
    assert "Ajuste SOT" in changelist
    url = reverse("admin:scheduling_appointmenttype_change", args=[kind.pk])
    assert 'name="translations"' in client.get(url).content.decode()
    data = {
        "name": kind.name,
        "slug": kind.slug,
        "duration": "00:30:00",
        "buffer_after": "00:05:00",
        "colour": kind.colour,
        "bookable_online": "on",
        "requires_consent": "on",
        "active": "on",
    }
    refused = client.post(url, {**data, "translations": '{"fr": {"name": "Ajustement"}}'})
    assert refused.status_code == 200
    assert "is not a language the site offers" in refused.content.decode()
    assert client.post(url, {**data, "translations": '{"es": {"name": "Ajuste quiropráctico SOT"}}'}).status_code == 302
    kind.refresh_from_db()
    assert kind.translations == {"es": {"name": "Ajuste quiropráctico SOT"}}


def test_the_demo_types_have_spanish_names_and_a_reseed_keeps_the_clinics_edit(db):
    call_command("seed_demo")
    names = dict(AppointmentType.objects.values_list("slug", "translations"))
    assert names["sot-new-patient-exam"] == {"es": {"name": "Examen SOT de paciente nuevo"}}
    assert names["sot-adjustment"] == {"es": {"name": "Ajuste SOT"}}
    assert names["sot-re-examination"] == {"es": {"name": "Reevaluación SOT"}}
    AppointmentType.objects.filter(slug="sot-adjustment").update(translations={"es": {"name": "Ajuste"}})
    call_command("seed_demo")
    assert AppointmentType.objects.get(slug="sot-adjustment").translations == {"es": {"name": "Ajuste"}}
