"""Records out in a real browser: a patient finds "My records" on their account, downloads their signed consent,
asks for their whole record; a clinic admin produces and releases it; the patient downloads it."""

import io
import re

from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from clinic.models import AuditEvent, OutgoingNotice
from tests.clinic import note_factories as nf
from tests.clinic.records import full_record
from tests.e2e.harness import PHONE, click_through, login, shoot, visit


def _pdf_text(download) -> str:
    with open(download.path(), "rb") as fh:
        return "".join(p.extract_text() for p in PdfReader(io.BytesIO(fh.read())).pages)


def test_patient_downloads_and_requests_admin_releases(
    page, patient_a, patient_b, practitioner_a, front_desk, clinic_admin
):
    full_record(patient_a, practitioner_a, "Sore after gardening", day=timezone.localdate(), sender=front_desk)
    full_record(patient_b, practitioner_a, "Bruno skiing fall", day=timezone.localdate(), sender=front_desk)
    nf.signed(patient_a, practitioner_a, red_flags_reviewed=True, plan="Review in two weeks")
    page.set_viewport_size(PHONE)

    login(page, patient_a.user)
    visit(page, "/account/")
    click_through(page, page.get_by_role("link", name="My records"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("My records")
    shoot(page, "records-01-patient-records")
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("Download PDF.*consent signed")).click()
    text = _pdf_text(info.value)
    assert "Consent to care" in text and "Alice Arnold" in text and "Bruno" not in text
    click_through(page, page.get_by_role("button", name="Ask for my whole record"))
    expect(page.get_by_role("main")).to_contain_text("We have your request")
    expect(page.get_by_role("main")).to_contain_text("Being prepared")
    shoot(page, "records-02-requested")

    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, clinic_admin)
    visit(page, "/records/requests/")
    row = page.get_by_role("row", name=re.compile("Alice Arnold"))
    expect(row).to_contain_text("Waiting")
    shoot(page, "records-03-admin-requests")
    with page.expect_download() as info:
        row.get_by_role("link", name=re.compile("^Produce PDF")).click()
    assert "Review in two weeks" in _pdf_text(info.value)
    click_through(page, row.get_by_role("button", name=re.compile("^Release to patient")))
    expect(page.get_by_role("main")).to_contain_text("Released to Alice Arnold")
    shoot(page, "records-04-admin-released")
    assert OutgoingNotice.objects.filter(kind="records_ready", recipient="alice@example.com").exists()

    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    login(page, patient_a.user)
    visit(page, "/account/records/")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download my record (PDF)").click()
    whole = _pdf_text(info.value)
    assert "Patient record" in whole and "Review in two weeks" in whole and "Berg" not in whole
    shoot(page, "records-05-patient-released")
    assert AuditEvent.objects.filter(action="export", actor=patient_a.user).count() == 2
