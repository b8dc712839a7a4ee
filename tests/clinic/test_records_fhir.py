"""FHIR R4 export (clinic.records.fhir): `export_patient ID --format fhir` writes a Bundle of one patient's record,
every resource valid; a round trip keeps the key fields; `--format pdf --output FILE` writes the whole record."""

import hashlib
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from pypdf import PdfReader

from clinic.models import AuditEvent
from clinic.notes import services as note_services
from tests.clinic import note_factories as nf
from tests.clinic.records import full_record


@pytest.fixture
def two_records(patient_a, patient_b, practitioner_a, front_desk):
    alice = full_record(patient_a, practitioner_a, "Sore after gardening", day=timezone.localdate(), sender=front_desk)
    full_record(patient_b, practitioner_a, "Bruno skiing fall", day=timezone.localdate(), sender=front_desk)
    note = nf.signed(patient_a, practitioner_a, red_flags_reviewed=True, pain_today=4, plan="Review in two weeks")
    note_services.note_addendum_add(note=note, actor=practitioner_a.user, text="Phoned: feeling better")
    nf.signed(patient_b, practitioner_a, red_flags_reviewed=True, plan="Bruno plan", start=nf.at(0, 15))
    return alice, note


def _export(patient, tmp_path, *extra) -> dict:
    target = tmp_path / "bundle.json"
    call_command("export_patient", str(patient.pk), "--format", "fhir", "-o", str(target), *extra)
    return json.loads(target.read_text())


@pytest.mark.django_db
def test_bundle_has_every_resource_and_each_validates(two_records, patient_a, tmp_path, front_desk):
    data = _export(patient_a, tmp_path, "--by", front_desk.email, "--reason", "transfer REQ-9")
    assert data["resourceType"] == "Bundle" and data["type"] == "collection"
    kinds = {e["resource"]["resourceType"] for e in data["entry"]}
    assert kinds == {
        "Patient",
        "Practitioner",
        "Location",
        "Appointment",
        "Encounter",
        "QuestionnaireResponse",
        "Observation",
        "Consent",
        "DocumentReference",
    }
    for entry in data["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    Bundle.model_validate(data)
    urls = {e["fullUrl"] for e in data["entry"]}
    text = json.dumps(data)
    for ref in (r for r in text.split('"reference": "')[1:]):
        assert ref.split('"')[0] in urls  # every reference resolves inside the bundle
    event = AuditEvent.objects.get(action="export")
    assert (event.actor, event.patient) == (front_desk, patient_a)
    assert "transfer REQ-9" in event.detail and "FHIR" in event.detail


@pytest.mark.django_db
def test_round_trip_keeps_the_key_fields_and_only_one_patient(two_records, patient_a, tmp_path):
    alice, note = two_records
    bundle = Bundle.model_validate(_export(patient_a, tmp_path))
    by_kind: dict[str, list] = {}
    for entry in bundle.entry:
        by_kind.setdefault(entry.resource.get_resource_type(), []).append(entry.resource)
    (patient,) = by_kind["Patient"]
    assert (patient.name[0].family, patient.name[0].given[0]) == ("Arnold", "Alice")
    assert patient.birthDate == patient_a.date_of_birth
    (consent,) = by_kind["Consent"]
    assert alice.signature.text_sha256 in [i.value for i in consent.identifier]
    # fhir.resources decodes base64Binary on parsing.
    assert consent.sourceAttachment.data.decode() == alice.signature.version.text
    (document,) = by_kind["DocumentReference"]
    note.refresh_from_db()
    assert note.content_sha256 in [i.value for i in document.identifier]
    attached = document.content[0].attachment
    pdf_bytes = attached.data
    assert pdf_bytes.startswith(b"%PDF") and attached.size == len(pdf_bytes)
    assert attached.hash == hashlib.sha1(pdf_bytes).digest()
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_bytes)).pages).replace("\n", "")
    assert note.content_sha256 in pdf_text.replace(" ", "")
    pains = sorted(
        o.valueInteger for o in by_kind["Observation"] if o.code.coding and o.code.coding[0].code == "72514-3"
    )
    assert 4 in pains
    assert {a.start for a in by_kind["Appointment"]} == {a.start for a in patient_a.appointments.all()}
    assert all(r.encounter is None or r.encounter.reference for r in by_kind["Observation"])
    dumped = bundle.model_dump_json()
    assert "Bruno" not in dumped and "Berg" not in dumped and "skiing" not in dumped


@pytest.mark.django_db
def test_json_stays_the_default_and_pdf_needs_output(two_records, patient_a, tmp_path, capsys):
    call_command("export_patient", str(patient_a.pk))
    assert json.loads(capsys.readouterr().out)["records"]["clinic"]["patient"]["first_name"] == "Alice"
    with pytest.raises(CommandError, match="--output"):
        call_command("export_patient", str(patient_a.pk), "--format", "pdf")
    target = tmp_path / "alice.pdf"
    call_command("export_patient", str(patient_a.pk), "--format", "pdf", "--output", str(target), "--reason", "copy")
    text = "".join(p.extract_text() for p in PdfReader(target).pages)
    assert "Patient record" in text and "Alice Arnold" in text and "Bruno" not in text
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("export_patient", str(patient_a.pk), "--format", "pdf", "-o", str(target), "--start", "soon")
