"""`manage.py export_clinic`: every patient's FHIR bundle and PDF in a folder, with a manifest of counts and
checksums; each patient's export audited with who and why; no patient's file holds another's data."""

import hashlib
import json
import stat

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from pypdf import PdfReader

from clinic.models import AuditEvent
from tests.clinic import note_factories as nf
from tests.clinic.records import full_record


@pytest.mark.django_db
def test_every_patient_with_manifest_and_audit(
    patient_a, patient_b, practitioner_a, front_desk, clinic_admin, tmp_path
):
    full_record(patient_a, practitioner_a, "Sore after gardening", day=timezone.localdate(), sender=front_desk)
    full_record(patient_b, practitioner_a, "Bruno skiing fall", day=timezone.localdate(), sender=front_desk)
    nf.signed(patient_a, practitioner_a, red_flags_reviewed=True, plan="Review in two weeks")
    out = tmp_path / "leaving"
    call_command("export_clinic", str(out), "--by", clinic_admin.email, "--reason", "moving to new software")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["patients"] == 2 and manifest["exported_by"] == clinic_admin.email
    assert manifest["resources"]["Patient"] == 2 and manifest["resources"]["DocumentReference"] == 1
    for entry in manifest["entries"]:
        for name, info in entry["files"].items():
            content = (out / name).read_bytes()
            assert hashlib.sha256(content).hexdigest() == info["sha256"] and len(content) == info["bytes"]
            assert stat.S_IMODE((out / name).stat().st_mode) == 0o600
    alice = out / f"patient-{patient_a.pk}"
    bundle_text = (alice / "bundle.json").read_text()
    assert "Arnold" in bundle_text and "Berg" not in bundle_text and "skiing" not in bundle_text
    pdf_text = "".join(p.extract_text() for p in PdfReader(alice / "record.pdf").pages)
    assert "Review in two weeks" in pdf_text and "Bruno" not in pdf_text
    events = AuditEvent.objects.filter(action="export")
    assert {e.patient for e in events} == {patient_a, patient_b}
    assert all(e.actor == clinic_admin and "moving to new software" in e.detail for e in events)


@pytest.mark.django_db
def test_refuses_a_full_folder_or_an_unknown_exporter(patient_a, clinic_admin, tmp_path):
    (tmp_path / "old.txt").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("export_clinic", str(tmp_path), "--by", clinic_admin.email, "--reason", "backup")
    with pytest.raises(CommandError, match="No user"):
        call_command("export_clinic", str(tmp_path / "new"), "--by", "nobody@example.com", "--reason", "backup")
    assert not AuditEvent.objects.filter(action="export").exists()
