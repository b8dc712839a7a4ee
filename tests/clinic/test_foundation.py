import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.urls import reverse

from clinic.models import AuditEvent, Location, Patient, Practitioner, Room, User

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 64


def run_settings_check(env_extra, *args):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}}
    env.update({"DJANGO_SETTINGS_MODULE": "clinic.settings", "DATABASE_URL": "sqlite:///:memory:"})
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_the_default_secret_key():
    result = run_settings_check({"DEBUG": "0", "SECRET_KEY": "dev-insecure-key-change-me", "ALLOWED_HOSTS": "x.org"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_a_missing_secret_key():
    result = run_settings_check({"DEBUG": "0", "ALLOWED_HOSTS": "x.org"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_check_deploy_is_clean_with_production_variables():
    result = run_settings_check(
        {"DEBUG": "0", "SECRET_KEY": GOOD_KEY + "abcdefXYZ123", "ALLOWED_HOSTS": "clinic.example.org"},
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_content_security_policy_header_forbids_inline_scripts(client, db):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_seed_demo_twice_gives_the_same_counts():
    call_command("seed_demo")
    first = {m.__name__: m.objects.count() for m in (User, Patient, Practitioner, Location, Room)}
    call_command("seed_demo")
    second = {m.__name__: m.objects.count() for m in (User, Patient, Practitioner, Location, Room)}
    assert first == second
    # 20 patients, Ruby Harris (a child on a family account) and Marcus Bell (the care plans' overdue recall)
    assert first["Patient"] == 22
    assert first["Practitioner"] == 3
    assert first["Room"] == 3
    assert User.objects.filter(groups__name="Front desk").exists()
    assert User.objects.filter(groups__name="Clinic admin").exists()


@pytest.mark.django_db
def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_healthz_reports_database_failure(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def broken(self, sql, params=None):
        raise OperationalError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error"}


@pytest.mark.django_db
def test_login_and_logout_with_email(client, patient_a):
    response = client.post(reverse("account_login"), {"login": "alice@example.com", "password": "test-password-123"})
    assert response.status_code == 302
    assert response["Location"] == reverse("clinic:home_for_role")
    assert client.get(reverse("clinic:home_for_role"))["Location"] == reverse("scheduling:account_home")
    assert AuditEvent.objects.filter(action="login", actor=patient_a.user).exists()
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert client.get(reverse("scheduling:account_home")).status_code == 302


@pytest.mark.django_db
def test_wrong_password_is_refused_and_audited(client, patient_a):
    response = client.post(reverse("account_login"), {"login": "alice@example.com", "password": "nope-nope-nope"})
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert AuditEvent.objects.filter(action="login_failed").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fixture", "home"),
    [
        ("front_desk", "scheduling:frontdesk_home"),
        ("clinic_admin", "admin:index"),
    ],
)
def test_each_staff_role_lands_on_its_home(client, request, fixture, home):
    client.force_login(request.getfixturevalue(fixture))
    assert client.get(reverse("clinic:home_for_role"))["Location"] == reverse(home)


@pytest.mark.django_db
def test_practitioner_lands_on_my_day(client, practitioner_a):
    client.force_login(practitioner_a.user)
    assert client.get(reverse("clinic:home_for_role"))["Location"] == reverse("clinic:practitioner_home")


@pytest.mark.django_db
def test_patient_cannot_open_another_patients_profile(client, patient_a, patient_b):
    client.force_login(patient_a.user)
    response = client.get(reverse("clinic:patient_detail", args=[patient_b.pk]))
    assert response.status_code == 404
    assert patient_b.last_name not in response.content.decode()
    response = client.post(reverse("clinic:patient_edit", args=[patient_b.pk]), {"first_name": "Hacked"})
    assert response.status_code == 404
    patient_b.refresh_from_db()
    assert patient_b.first_name == "Bruno"


@pytest.mark.django_db
def test_patient_sees_own_profile_and_the_view_is_audited(client, patient_a):
    client.force_login(patient_a.user)
    response = client.get(reverse("clinic:patient_detail", args=[patient_a.pk]))
    assert response.status_code == 200
    assert "Arnold" in response.content.decode()
    assert AuditEvent.objects.filter(action="view", patient=patient_a, actor=patient_a.user).count() == 1


@pytest.mark.django_db
def test_detail_refuses_post(client, front_desk, patient_a):
    client.force_login(front_desk)
    assert client.post(reverse("clinic:patient_detail", args=[patient_a.pk])).status_code == 405
