"""Every e-mail the clinic sends is in its name and voice (issue 13, item 10): sign-up confirmation and password
reset, plain text and HTML, the clinic's name in the subject, its contact details, links from CLINIC_SITE_URL
and never the Host the request came with."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(settings):
    settings.CLINIC_SITE_URL = "https://clinic.example.org"
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    return settings


def html_of(message) -> str:
    return next(body for body, kind in message.alternatives if kind == "text/html")


def check_in_clinic_voice(message, settings):
    assert message.subject.startswith(f"{settings.CLINIC_NAME}: "), message.subject
    assert "127.0.0.1" not in message.subject + message.body
    assert "Hello from" not in message.body and "Thank you for using" not in message.body
    assert settings.CLINIC_PHONE in message.body and settings.CLINIC_EMAIL in message.body
    assert settings.CLINIC_PHONE in html_of(message)


def test_the_sign_up_confirmation_is_in_the_clinics_voice(site):
    client = Client(HTTP_HOST="127.0.0.1")
    client.post(
        reverse("account_signup"),
        {"email": "nadia@example.com", "password1": "a-long-pass-phrase-1", "password2": "a-long-pass-phrase-1"},
    )
    [message] = mail.outbox
    assert message.subject == f"{site.CLINIC_NAME}: Confirm your e-mail address"
    assert "https://clinic.example.org/accounts/confirm-email/" in message.body
    assert 'href="https://clinic.example.org/accounts/confirm-email/' in html_of(message)
    check_in_clinic_voice(message, site)


def test_the_password_reset_is_in_the_clinics_voice(site, patient_a):
    client = Client(HTTP_HOST="127.0.0.1")
    client.post(reverse("account_reset_password"), {"email": patient_a.user.email})
    [message] = mail.outbox
    assert message.subject == f"{site.CLINIC_NAME}: Choose a new password"
    assert "https://clinic.example.org/accounts/password/reset/key/" in message.body
    check_in_clinic_voice(message, site)
