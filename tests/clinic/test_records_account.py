"""The patient's own copy (clinic.records.views): /account/records/ lists their consents and intakes as PDFs, a
request for the whole record goes to clinic admins, who produce and release it; the patient gets an e-mail and
downloads it. Every step is audited; nobody gets another patient's documents."""

import io

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from clinic.models import AuditEvent, OutgoingNotice, RecordRequest
from tests.clinic import note_factories as nf
from tests.clinic.records import full_record


@pytest.fixture
def records(patient_a, patient_b, practitioner_a, front_desk):
    alice = full_record(patient_a, practitioner_a, "Sore after gardening", day=timezone.localdate(), sender=front_desk)
    bruno = full_record(patient_b, practitioner_a, "Bruno skiing fall", day=timezone.localdate(), sender=front_desk)
    nf.signed(patient_a, practitioner_a, red_flags_reviewed=True, plan="Review in two weeks")
    return alice, bruno


def _text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)


@pytest.mark.django_db
def test_patient_downloads_own_consent_and_intake_and_not_anothers(records, patient_a, client):
    alice, bruno = records
    client.force_login(patient_a.user)
    page = client.get(reverse("clinic:account_records"))
    assert page.status_code == 200
    consent_url = reverse("clinic:account_record_pdf", args=["consent", alice.signature.pk])
    intake_url = reverse("clinic:account_record_pdf", args=["intake", alice.submission.pk])
    assert consent_url in page.content.decode() and intake_url in page.content.decode()
    assert "Alice Arnold" in _text(client.get(consent_url))
    assert "Sore after gardening" in _text(client.get(intake_url))
    exports = AuditEvent.objects.filter(action="export", patient=patient_a)
    assert exports.count() == 2 and all(e.actor == patient_a.user and "own copy" in e.detail for e in exports)
    assert client.get(reverse("clinic:account_record_pdf", args=["consent", bruno.signature.pk])).status_code == 404
    assert client.get(reverse("clinic:account_record_pdf", args=["intake", bruno.submission.pk])).status_code == 404
    assert client.get(reverse("clinic:account_record_pdf", args=["note", 1])).status_code == 404
    assert not AuditEvent.objects.filter(action="export", patient=records[1].signature.patient).exists()


@pytest.mark.django_db
def test_request_release_email_and_download_are_audited(records, patient_a, patient_b, clinic_admin, client, settings):
    settings.CLINIC_SITE_URL = "https://clinic.example"
    client.force_login(patient_a.user)
    client.post(reverse("clinic:account_record_request"))
    again = client.post(reverse("clinic:account_record_request"), follow=True)
    assert "already asked" in again.content.decode()
    record_request = RecordRequest.objects.get()
    assert record_request.patient == patient_a
    assert AuditEvent.objects.filter(action="create", patient=patient_a, detail__contains="copy of the whole").exists()
    assert client.get(reverse("clinic:account_request_download", args=[record_request.pk])).status_code == 404

    client.force_login(clinic_admin)
    listing = client.get(reverse("clinic:record_requests")).content.decode()
    assert "Alice Arnold" in listing
    produced = _text(client.get(reverse("clinic:record_request_produce", args=[record_request.pk])))
    assert "Patient record" in produced and "Bruno" not in produced
    client.post(reverse("clinic:record_request_release", args=[record_request.pk]))
    record_request.refresh_from_db()
    assert record_request.released_by == clinic_admin
    notice = OutgoingNotice.objects.get(kind="records_ready")
    assert notice.recipient == "alice@example.com" and "https://clinic.example/account/records/" in notice.body
    assert AuditEvent.objects.filter(action="update", actor=clinic_admin, detail__contains="released").exists()

    client.force_login(patient_a.user)
    whole = _text(client.get(reverse("clinic:account_request_download", args=[record_request.pk])))
    assert "Review in two weeks" in whole and "Berg" not in whole
    download = AuditEvent.objects.filter(action="export", actor=patient_a.user).latest("at")
    assert f"records request {record_request.pk}" in download.detail

    client.force_login(patient_b.user)
    assert client.get(reverse("clinic:account_request_download", args=[record_request.pk])).status_code == 404
    del mail.outbox[:]


@pytest.mark.django_db
def test_only_clinic_admins_work_requests_and_export(records, patient_a, front_desk, clinic_admin, client):
    client.force_login(front_desk)
    assert client.get(reverse("clinic:record_requests")).status_code == 403
    assert client.get(reverse("clinic:patient_export", args=[patient_a.pk])).status_code == 403
    client.force_login(patient_a.user)
    assert client.get(reverse("clinic:record_requests")).status_code in (403, 404)


@pytest.mark.django_db
def test_admin_fhir_download_needs_a_reason_and_is_audited(records, patient_a, clinic_admin, client):
    client.force_login(clinic_admin)
    url = reverse("clinic:patient_export", args=[patient_a.pk])
    refused = client.post(url, {"format": "fhir", "reason": ""})
    assert refused.status_code == 200 and "This field is required" in refused.content.decode()
    assert not AuditEvent.objects.filter(action="export").exists()
    response = client.post(url, {"format": "fhir", "reason": "transfer to Dr. Lee"})
    assert response["Content-Type"] == "application/fhir+json"
    assert b'"resourceType": "Bundle"' in response.content and b"Berg" not in response.content
    event = AuditEvent.objects.get(action="export")
    assert event.actor == clinic_admin and "transfer to Dr. Lee" in event.detail
    pdf = client.post(url, {"format": "pdf", "reason": "insurer", "start": "2020-01-01", "end": "2019-01-01"})
    assert "before the first day" in pdf.content.decode()
