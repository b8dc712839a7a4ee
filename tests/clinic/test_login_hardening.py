"""Logging in: a TOTP code works once, the account lockout has one counter per account, and every part of the
application (audit trail, lockout, allauth, django-ratelimit) agrees on the client's address."""

import datetime as dt

import pytest
import time_machine
from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, validate_totp_code
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse
from django_ratelimit.core import is_ratelimited

from clinic.client_ip import client_ip
from clinic.models import AuditEvent
from tests.clinic.factories import PASSWORD, STAFF_TOTP_SECRET, UserFactory, totp_code

# On a 30-second boundary, so the offsets below fall in known periods.
T0 = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)
PERIOD = 30
LOGIN_URL = reverse("account_login")
TWO_FACTOR_URL = reverse("mfa_authenticate")


def code_for_step(step: int) -> str:
    """The code an authenticator shows `step` periods after T0."""
    return format_hotp_value(hotp_value(STAFF_TOTP_SECRET, int(T0.timestamp()) // PERIOD + step))


def log_in_with_code(user, code: str):
    client = Client()
    response = client.post(LOGIN_URL, {"login": user.email, "password": PASSWORD})
    assert response["Location"] == TWO_FACTOR_URL
    return client, client.post(TWO_FACTOR_URL, {"code": code})


# --- 1. TOTP replay -------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("tolerance", [0, 1, 2])
def test_a_used_totp_code_is_refused_for_as_long_as_it_would_be_accepted(settings, front_desk, tolerance):
    settings.MFA_TOTP_TOLERANCE = tolerance
    # The newest code accepted at T0 is the one that stays acceptable longest: (2 x tolerance + 1) periods.
    code = code_for_step(tolerance)
    lifetime = (2 * tolerance + 1) * PERIOD
    with time_machine.travel(T0, tick=False) as traveller:
        client, response = log_in_with_code(front_desk, code)
        assert response["Location"] == reverse("clinic:home_for_role")
        client.post(reverse("account_logout"))

        for offset in sorted({0, 35, 60, 95, lifetime - 1}):
            traveller.move_to(T0 + dt.timedelta(seconds=offset))
            # Without the guard the code would still be accepted up to the end of its lifetime.
            assert validate_totp_code(STAFF_TOTP_SECRET, code) is (offset < lifetime)
            _, response = log_in_with_code(front_desk, code)
            assert response.status_code == 200, f"code replayed {offset} s later was accepted"
            if offset < lifetime:
                assert "used already" in response.content.decode()

        # The guard refuses the used code only: the code the app shows now still logs in.
        fresh = totp_code()
        assert fresh != code
        _, response = log_in_with_code(front_desk, fresh)
        assert response["Location"] == reverse("clinic:home_for_role")
    assert AuditEvent.objects.filter(action="login", actor=front_desk).count() == 2
    assert AuditEvent.objects.filter(action="login_failed", detail__contains="two-factor").exists()


@pytest.mark.django_db
def test_a_used_code_is_refused_on_reauthentication_too(client, front_desk):
    with time_machine.travel(T0, tick=False):
        code = totp_code()
        _, response = log_in_with_code(front_desk, code)
        client.force_login(front_desk)
        response = client.post(reverse("mfa_reauthenticate"), {"code": code})
    assert response.status_code == 200
    assert "used already" in response.content.decode()


# --- 2. One lockout counter per account ---------------------------------------------------------------------

N = settings.CLINIC_LOGIN_FAILURES_PER_ACCOUNT


def login_post(client, email, password, **headers):
    return client.post(LOGIN_URL, {"login": email, "password": password}, headers=headers)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "host", ["127.0.0.1:8201", "localhost:8200", "localhost.", "LOCALHOST", "testserver:80", "127.0.0.1."]
)
def test_the_account_lockout_holds_whatever_host_port_or_case(client, patient_a, host):
    with time_machine.travel(T0, tick=False):
        for _ in range(N):
            assert "not correct" in login_post(client, "alice@example.com", "wrong-password-1").content.decode()
        response = login_post(Client(), "Alice@Example.COM", PASSWORD, host=host)
    assert response.status_code == 200, f"the right password got in through Host: {host}"
    assert "Too many failed login attempts" in response.content.decode()


@pytest.mark.django_db
def test_failures_sent_to_other_hosts_count_against_the_same_account(patient_a):
    hosts = ["127.0.0.1:8201", "localhost:8200", "localhost.", "127.0.0.1", "LocalHost:9000"]
    with time_machine.travel(T0, tick=False):
        for host in hosts[:N]:
            login_post(Client(), "alice@example.com", "wrong-password-1", host=host)
        response = login_post(Client(), "alice@example.com", PASSWORD)
    assert "Too many failed login attempts" in response.content.decode()


@pytest.mark.django_db
def test_a_password_reset_still_clears_the_account_counter(client, patient_a):
    from allauth.account.adapter import get_adapter

    with time_machine.travel(T0, tick=False):
        for _ in range(N):
            login_post(client, "alice@example.com", "wrong-password-1")
        request = RequestFactory().post(LOGIN_URL)
        get_adapter(request)._delete_login_attempts_cached_email(request, email="alice@example.com")
        assert login_post(client, "alice@example.com", PASSWORD).status_code == 302


# --- 3. The client's address ---------------------------------------------------------------------------------


def request_from(remote_addr, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, **headers)


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        (0, "203.0.113.5", None, "203.0.113.5"),
        (0, "203.0.113.5", "198.51.100.1", "203.0.113.5"),  # forged: ignored without a proxy
        (1, "10.0.0.1", "198.51.100.7", "198.51.100.7"),
        (1, "10.0.0.1", "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # the client wrote the first one
        (2, "10.0.0.2", "6.6.6.6, 198.51.100.7, 10.0.0.1", "198.51.100.7"),
        (1, "10.0.0.1", None, "10.0.0.1"),  # came straight to the app server
        (2, "10.0.0.2", "198.51.100.7", "10.0.0.2"),  # fewer hops than proxies
        (1, "10.0.0.1", "not-an-address", "10.0.0.1"),
        (1, "10.0.0.1", " 2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_client_ip(settings, proxies, remote, forwarded, expected):
    settings.CLINIC_TRUSTED_PROXY_COUNT = proxies
    assert client_ip(request_from(remote, forwarded)) == expected


def test_allauth_and_django_ratelimit_are_set_from_the_same_setting():
    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == settings.CLINIC_TRUSTED_PROXY_COUNT == 0
    assert settings.RATELIMIT_IP_META_KEY == "clinic.client_ip.client_ip"


@pytest.mark.django_db
def test_allauth_uses_the_same_address(settings):
    settings.CLINIC_TRUSTED_PROXY_COUNT = 1
    request = request_from("10.0.0.1", "6.6.6.6, 198.51.100.7")
    assert get_account_adapter(request).get_client_ip(request) == "198.51.100.7"


@pytest.mark.django_db
def test_the_booking_rate_limit_counts_each_client_behind_the_proxy_apart(settings):
    settings.CLINIC_TRUSTED_PROXY_COUNT = 1

    def limited(forwarded):
        request = RequestFactory().post("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
        return is_ratelimited(request, group="probe", key="ip", rate="2/h", method="POST", increment=True)

    assert [limited("198.51.100.7") for _ in range(3)] == [False, False, True]
    assert limited("198.51.100.8") is False


@pytest.mark.django_db
def test_a_forged_forwarded_for_does_not_escape_the_booking_rate_limit():
    def limited(forwarded):
        request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=forwarded)
        return is_ratelimited(request, group="probe", key="ip", rate="2/h", method="POST", increment=True)

    assert [limited(f"198.51.100.{i}") for i in range(3)] == [False, False, True]


PER_IP = settings.CLINIC_LOGIN_FAILURES_PER_IP


@pytest.mark.django_db
def test_behind_the_proxy_failures_from_one_client_never_lock_out_another(settings, patient_a):
    settings.CLINIC_TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    with time_machine.travel(T0, tick=False):
        attacker = Client(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.66")
        for i in range(PER_IP):
            assert "not correct" in login_post(attacker, f"guess{i}@example.com", "wrong").content.decode()
        # The attacker's address is locked...
        assert "Too many" in login_post(attacker, "alice@example.com", PASSWORD).content.decode()
        # ...patient A, through the same proxy from her own address, is not.
        alice = Client(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.10")
        assert login_post(alice, "alice@example.com", PASSWORD).status_code == 302
    lockout = AuditEvent.objects.get(action="lockout")
    assert lockout.ip_address == "198.51.100.66"
    assert AuditEvent.objects.get(action="login", actor=patient_a.user).ip_address == "198.51.100.10"


@pytest.mark.django_db
def test_without_a_proxy_a_forged_forwarded_for_does_not_escape_the_address_lockout(patient_a):
    with time_machine.travel(T0, tick=False):
        attacker = Client(REMOTE_ADDR="203.0.113.5")
        for i in range(PER_IP):
            login_post(attacker, f"guess{i}@example.com", "wrong", x_forwarded_for=f"198.51.100.{i}")
        response = login_post(attacker, "alice@example.com", PASSWORD, x_forwarded_for="198.51.100.200")
        assert "Too many" in response.content.decode()
        # Another real address is not affected.
        assert login_post(Client(REMOTE_ADDR="203.0.113.6"), "alice@example.com", PASSWORD).status_code == 302
    assert set(AuditEvent.objects.filter(action="login_failed").values_list("ip_address", flat=True)) == {"203.0.113.5"}


@pytest.mark.django_db
def test_the_audit_trail_records_the_client_behind_the_proxy(settings, client, front_desk, patient_a):
    settings.CLINIC_TRUSTED_PROXY_COUNT = 1
    client.force_login(front_desk)
    response = client.get(
        reverse("clinic:patient_detail", args=[patient_a.pk]),
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.23",
    )
    assert response.status_code == 200
    assert AuditEvent.objects.get(action="view", patient=patient_a).ip_address == "198.51.100.23"


@pytest.mark.django_db
def test_the_sessions_list_shows_the_client_behind_the_proxy(settings):
    from allauth.usersessions.models import UserSession

    settings.CLINIC_TRUSTED_PROXY_COUNT = 1
    user = UserFactory()
    client = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.31")
    assert login_post(client, user.email, PASSWORD).status_code == 302
    assert UserSession.objects.get(user=user).ip == "198.51.100.31"
