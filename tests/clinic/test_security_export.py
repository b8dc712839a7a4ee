"""`manage.py export_patient`: one patient's whole record as JSON, gathered from every app, audited."""

import json
import stat

import pytest
from django.core.management import CommandError, call_command

from clinic import services
from clinic.models import AuditEvent


@pytest.mark.django_db
def test_export_contains_the_patient_and_only_them(patient_a, patient_b, front_desk, tmp_path):
    services.audit_record(actor=front_desk, action="view", obj=patient_a)
    services.audit_record(actor=front_desk, action="view", obj=patient_b)
    target = tmp_path / "alice.json"
    call_command("export_patient", str(patient_a.pk), "--output", str(target), "--by", front_desk.email)
    data = json.loads(target.read_text())
    assert data["patient_id"] == patient_a.pk
    core = data["records"]["clinic"]
    assert core["patient"]["last_name"] == "Arnold"
    assert core["patient"]["online_account_email"] == "alice@example.com"
    assert [e["who"] for e in core["access_log"]] == ["desk@example.com"]
    assert "Berg" not in target.read_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.mark.django_db
def test_export_is_audited_with_who_and_why(patient_a, front_desk, tmp_path):
    call_command(
        "export_patient",
        str(patient_a.pk),
        "-o",
        str(tmp_path / "x.json"),
        "--by",
        front_desk.email,
        "--reason",
        "REQ-7",
    )
    event = AuditEvent.objects.get(action="export")
    assert (event.actor, event.patient) == (front_desk, patient_a)
    assert "REQ-7" in event.detail


@pytest.mark.django_db
def test_export_to_stdout(patient_a, capsys):
    call_command("export_patient", str(patient_a.pk))
    assert json.loads(capsys.readouterr().out)["records"]["clinic"]["patient"]["first_name"] == "Alice"


@pytest.mark.django_db
def test_export_of_unknown_patient_or_user_is_refused(patient_a):
    with pytest.raises(CommandError, match="No patient"):
        call_command("export_patient", "999999")
    with pytest.raises(CommandError, match="No user"):
        call_command("export_patient", str(patient_a.pk), "--by", "nobody@example.com")
    assert not AuditEvent.objects.filter(action="export").exists()


def test_export_collects_from_our_apps_only():
    labels = [label for label, _ in services._export_modules()]
    assert "clinic" in labels
    assert not any(label in {"account", "mfa", "admin", "auth"} for label in labels)


@pytest.mark.django_db
def test_each_apps_export_hook_lands_in_its_own_section(patient_a, monkeypatch):
    class FakeIntakeExport:
        @staticmethod
        def patient_records(patient):
            return {"questionnaires": [{"patient": patient.pk}]}

    real = list(services._export_modules())
    monkeypatch.setattr(services, "_export_modules", lambda: [*real, ("intake", FakeIntakeExport)])
    data = services.patient_export(patient=patient_a)
    assert data["records"]["intake"] == {"questionnaires": [{"patient": patient_a.pk}]}
    assert "intake" in AuditEvent.objects.get(action="export").detail
