"""`manage.py create_clinic_admin`: asks for the e-mail, name and password, enrols TOTP with a code from the
app, and the new admin then logs in through the real two-step login."""

import io
import re
import time
import urllib.parse

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management import CommandError, call_command
from django.urls import reverse

from clinic.models import AuditEvent, User
from clinic.roles import CLINIC_ADMIN

PASSWORD = "harbour-street-admin-2026"


def code_for(secret: str, periods_ahead: int = 0) -> str:
    """What an authenticator app shows for `secret` (RFC 6238, 30 s, 6 digits)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + periods_ahead))


def shown_secret(screen: str) -> str:
    return re.search(r"or type this secret: ([A-Z2-7]+)", screen).group(1)


class Typist:
    """Answers the prompts in order, like a person at the terminal; a callable answer reads the screen so far
    (the TOTP code is computed from the secret shown, as the phone would)."""

    def __init__(self, screen: io.StringIO, answers: list):
        self.screen, self.answers = screen, list(answers)

    def isatty(self) -> bool:
        return False

    def readline(self) -> str:
        if not self.answers:
            return ""
        answer = self.answers.pop(0)
        return (answer(self.screen.getvalue()) if callable(answer) else answer) + "\n"


def run(answers, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_clinic_admin", stdin=Typist(out, answers), stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_creates_an_admin_with_totp_who_logs_in_with_password_and_code(client, settings):
    typed = []

    def read_the_phone(screen):
        typed.append(code_for(shown_secret(screen)))
        return typed[-1]

    screen, _ = run(["Admin@Clinic.Example", "Alex", "Admin", PASSWORD, PASSWORD, read_the_phone])
    user = User.objects.get(email="admin@clinic.example")
    assert user.is_superuser and user.is_staff and user.get_full_name() == "Alex Admin"
    assert list(user.groups.values_list("name", flat=True)) == [CLINIC_ADMIN]
    assert EmailAddress.objects.get(user=user).verified
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).count() == 1
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).count() == 1
    link = urllib.parse.urlsplit(re.search(r"otpauth://\S+", screen).group(0))
    query = urllib.parse.parse_qs(link.query)
    assert link.netloc == "totp" and urllib.parse.unquote(link.path) == "/admin@clinic.example"
    assert query["secret"] == [shown_secret(screen)] and query["issuer"] == [settings.MFA_TOTP_ISSUER]
    assert "Created the clinic admin admin@clinic.example" in screen
    assert len(re.findall(r"\b[0-9a-f]{8}\b", screen.split("Recovery codes", 1)[1])) >= 10
    assert AuditEvent.objects.filter(action="create", object_id=str(user.pk), detail__contains="clinic admin").exists()

    secret = shown_secret(screen)
    response = client.post(reverse("account_login"), {"login": "admin@clinic.example", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    # The code typed at enrolment is spent; the next period's is accepted (one period of tolerance).
    replay = client.post(reverse("mfa_authenticate"), {"code": typed[0]})
    assert replay.status_code == 200 and "Incorrect code" in replay.content.decode()
    response = client.post(reverse("mfa_authenticate"), {"code": code_for(secret, 1)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_a_wrong_code_three_times_creates_nothing():
    with pytest.raises(CommandError, match="did not match three times"):
        run(["a@clinic.example", "A", "B", PASSWORD, PASSWORD, "000000", "111111", "222222"])
    assert not User.objects.filter(email="a@clinic.example").exists()


@pytest.mark.django_db
def test_a_weak_or_mistyped_password_is_asked_again_with_the_reason():
    _, err = run(
        [
            "b@clinic.example",
            "B",
            "C",
            "short",
            "short",
            PASSWORD,
            "something-else-2026",
            PASSWORD,
            PASSWORD,
            lambda screen: code_for(shown_secret(screen)),
        ]
    )
    assert "That password is refused: This password is too short." in err
    assert "The two passwords differ." in err
    assert User.objects.get(email="b@clinic.example").check_password(PASSWORD)


@pytest.mark.django_db
def test_an_existing_address_or_a_non_address_is_refused_before_anything_is_asked(clinic_admin):
    with pytest.raises(CommandError, match="already exists"):
        run([], email=clinic_admin.email.upper())
    with pytest.raises(CommandError, match="is not an e-mail address"):
        run(["not an address"])
    assert User.objects.count() == 1
