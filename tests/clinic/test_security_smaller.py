"""The smaller hardening items: e-mail links from CLINIC_SITE_URL, browser-feature and cross-origin headers,
messages kept in the session, control characters out of one-line fields, invitation links that end with their
intake, and a refused request logged on one line."""

import logging
import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from clinic.forms import PatientForm
from clinic.models import Patient
from clinic.single_line import single_line

SITE = "https://clinic.example.org"
FOREIGN_HOSTS = ["127.0.0.1:8201", "localhost.:8200", "localhost."]


@pytest.fixture
def site_url(settings):
    settings.CLINIC_SITE_URL = SITE
    return SITE


def links_in(message) -> list[str]:
    return [word for word in message.body.split() if "://" in word]


def assert_links_from_the_site(message, host):
    links = links_in(message)
    assert links, f"no link in {message.subject!r}"
    assert all(link.startswith(SITE + "/") for link in links), links
    assert host.split(":")[0].rstrip(".") + ":" not in message.body.replace(SITE, "")
    assert host not in message.body


# --- Links in e-mails -----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("host", FOREIGN_HOSTS)
def test_the_password_reset_link_comes_from_the_site_url(site_url, patient_a, host):
    response = Client().post(reverse("account_reset_password"), {"email": "alice@example.com"}, headers={"host": host})
    assert response.status_code == 302
    (message,) = mail.outbox
    assert_links_from_the_site(message, host)
    assert any("/accounts/password/reset/key/" in link for link in links_in(message))


@pytest.mark.django_db
def test_the_unknown_account_e_mail_links_to_the_site_url(site_url):
    Client().post(
        reverse("account_reset_password"), {"email": "nobody@example.com"}, headers={"host": "localhost.:8200"}
    )
    (message,) = mail.outbox
    assert_links_from_the_site(message, "localhost.:8200")


@pytest.mark.django_db
@pytest.mark.parametrize("host", FOREIGN_HOSTS)
def test_the_e_mail_verification_link_comes_from_the_site_url(site_url, host):
    response = Client().post(
        reverse("account_signup"),
        {"email": "new.patient@example.com", "password1": "a-long-pass-phrase-9", "password2": "a-long-pass-phrase-9"},
        headers={"host": host},
    )
    assert response.status_code == 302
    (message,) = mail.outbox
    assert_links_from_the_site(message, host)
    assert any("/accounts/confirm-email/" in link for link in links_in(message))


@pytest.mark.django_db
@pytest.mark.parametrize("host", FOREIGN_HOSTS)
def test_the_intake_invitation_link_comes_from_the_site_url(site_url, client, front_desk, patient_a, host):
    client.force_login(front_desk)
    response = client.post(
        reverse("intake:invitation_send", args=[patient_a.pk]), {"email": "alice@example.org"}, headers={"host": host}
    )
    assert response.status_code == 302
    (message,) = mail.outbox
    assert_links_from_the_site(message, host)
    assert any("/intake/invitation/" in link for link in links_in(message))


def test_make_run_serves_with_the_site_url_of_its_own_host_and_port():
    root = Path(__file__).resolve().parents[2]

    def site_url_of(env_value=None):
        env = {k: v for k, v in os.environ.items() if k != "CLINIC_SITE_URL"}
        if env_value:
            env["CLINIC_SITE_URL"] = env_value
        dry = subprocess.run(
            ["make", "-n", "run", "PORT=8100"], cwd=root, env=env, capture_output=True, text=True, check=True
        ).stdout
        export = next(line for line in dry.splitlines() if line.startswith("export CLINIC_SITE_URL="))
        shown = subprocess.run(
            ["sh", "-c", export.rstrip("\\ ;") + '; echo "$CLINIC_SITE_URL"'], env=env, capture_output=True, text=True
        )
        return shown.stdout.strip()

    assert site_url_of() == "http://127.0.0.1:8100"
    assert site_url_of("https://clinic.example.org") == "https://clinic.example.org"


# --- Headers ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "front_desk"])
def test_every_page_turns_off_browser_features_and_cross_origin_use(client, request, patient_a, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
        url = reverse("clinic:patient_detail", args=[patient_a.pk])
    else:
        url = reverse("account_login")
    response = client.get(url)
    assert response.status_code == 200
    policy = {part.strip() for part in response["Permissions-Policy"].split(",")}
    assert {"camera=()", "microphone=()", "geolocation=()", "payment=()"} <= policy
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


# --- Messages -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_messages_are_kept_in_the_session_not_in_a_cookie(client, front_desk, patient_a):
    client.force_login(front_desk)
    response = client.post(reverse("intake:invitation_send", args=[patient_a.pk]), {"email": "alice@example.org"})
    assert response.status_code == 302
    assert "messages" not in response.cookies
    assert django_settings.MESSAGE_STORAGE.endswith("SessionStorage")
    page = client.get(response["Location"])
    shown = [str(m) for m in page.context["messages"]]
    assert shown, "the message was lost"
    assert "messages" not in page.cookies


# --- Control characters ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Ann\r\nSmith", "Ann Smith"),
        ("Ann\nSmith\t", "Ann Smith"),
        ("\x1b[31mAnn", "[31mAnn"),
        ("Ann\x85Smith", "Ann Smith"),
        ("Ann\u2028Smith", "Ann Smith"),
        ("Zoë O'Brien-Núñez", "Zoë O'Brien-Núñez"),
    ],
)
def test_single_line(raw, clean):
    assert single_line(raw) == clean


PATIENT = {"first_name": "Ann", "last_name": "Smith", "date_of_birth": "1980-01-02", "sex": "female"}


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["first_name", "last_name", "city", "emergency_contact_name", "guardian_name"])
def test_patient_form_strips_line_breaks_from_one_line_fields(field):
    form = PatientForm({**PATIENT, field: "Evil\r\nBcc: someone@example.com"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data[field] == "Evil Bcc: someone@example.com"


@pytest.mark.django_db
def test_a_line_break_in_a_phone_number_becomes_a_space_before_it_is_checked():
    form = PatientForm({**PATIENT, "phone": "555 0101\r\n234"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["phone"] == "555 0101 234"
    assert not PatientForm({**PATIENT, "phone": "555\r\n\r\n\r\nx"}).is_valid()


@pytest.mark.django_db
def test_names_are_stored_without_control_characters_from_every_form(client, front_desk, clinic_admin):
    client.force_login(front_desk)
    response = client.post(reverse("clinic:patient_create"), {**PATIENT, "first_name": "Ann\r\nX-Header: 1"})
    assert response.status_code == 302
    patient = Patient.objects.get(last_name="Smith")
    assert patient.first_name == "Ann X-Header: 1"

    client.force_login(clinic_admin)
    change = reverse("admin:clinic_patient_change", args=[patient.pk])
    data = {**PATIENT, "last_name": "Smith\r\nJones", "language": "en"}  # the admin shows the select, chosen
    response = client.post(change, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    patient.refresh_from_db()
    assert patient.last_name == "Smith Jones"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("form_path", "field"),
    [
        ("scheduling.forms.AboutYouForm", "first_name"),
        ("scheduling.forms.AppointmentBookForm", "new_last_name"),
        ("intake.forms.AboutForm", "emergency_contact_name"),
        ("intake.forms.ConsentForm", "signer_name"),
    ],
)
def test_the_other_name_forms_clean_control_characters_too(form_path, field):
    from django.utils.module_loading import import_string

    form_class = import_string(form_path)
    if form_path.endswith("ConsentForm"):
        from tests.intake.factories import consent_version

        form = form_class(version=consent_version(), minor=False)
    else:
        form = form_class()
    assert form.fields[field].clean("Ann\r\nSmith") == "Ann Smith"
    assert form_class.base_fields[field].clean("Ann\r\nSmith") == "Ann\r\nSmith"  # only the form's own copy


# --- Invitation links end with their intake --------------------------------------------------------------------


@pytest.mark.django_db
def test_an_invitation_link_stops_working_once_its_intake_is_submitted(client, front_desk, patient_a):
    from intake import services as intake_services
    from tests.intake import factories as intake_factories

    intake_factories.load_questionnaires()
    _invitation, link = intake_services.invitation_send(patient=patient_a, email="p@example.com", actor=front_desk)
    path = link[link.index("/intake/") :]
    assert Client().get(path).status_code == 302  # works before

    intake_factories.submitted(patient_a)
    response = Client().get(path)
    assert response.status_code == 400
    assert "has been submitted" in response.content.decode()


@pytest.mark.django_db
def test_an_intake_submitted_before_the_invitation_does_not_stop_it(client, front_desk, patient_a):
    from intake import services as intake_services
    from tests.intake import factories as intake_factories

    intake_factories.load_questionnaires()
    intake_factories.submitted(patient_a)  # last year's intake; the clinic asks for a new one
    _invitation, link = intake_services.invitation_send(patient=patient_a, email="p@example.com", actor=front_desk)
    assert Client().get(link[link.index("/intake/") :]).status_code == 302


# --- A 403 is one line in the log ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_refused_request_is_logged_on_one_line(client, patient_a, caplog):
    client.force_login(patient_a.user)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(reverse("clinic:practitioner_home")).status_code == 403
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.exc_info is None
    line = logging.Formatter().format(record)
    assert "\n" not in line and "Traceback" not in line
    assert "Forbidden" in line and reverse("clinic:practitioner_home") in line


@pytest.mark.django_db
def test_a_server_error_keeps_its_traceback(settings, caplog):
    settings.ROOT_URLCONF = "tests.clinic.error_urls"
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        assert client.get("/test-errors/500/").status_code == 500
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.exc_info is not None
