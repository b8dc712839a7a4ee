"""Records out as PDF (clinic.records): a signed note, a consent, an intake and the whole record, each page with
the clinic, the patient's name and date of birth, page x of y and the time produced; audited; one patient only."""

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader

from clinic.models import AuditEvent
from clinic.notes import services as note_services
from clinic.records import pdf
from clinic.records.services import records_pdf
from tests.clinic import note_factories as nf
from tests.clinic.records import full_record


def _pages(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    return [page.extract_text() for page in reader.pages]


def _text(data: bytes) -> str:
    return re.sub(r"\s+", " ", "\n".join(_pages(data)))


@pytest.fixture
def alice_record(patient_a, practitioner_a, front_desk):
    record = full_record(patient_a, practitioner_a, "Sore after gardening", day=timezone.localdate(), sender=front_desk)
    note = nf.signed(patient_a, practitioner_a, red_flags_reviewed=True, pain_today=4, plan="Review in two weeks")
    note_services.note_addendum_add(note=note, actor=practitioner_a.user, text="Phoned: feeling better")
    return record, note


@pytest.fixture
def bruno_record(patient_b, practitioner_a, front_desk):
    record = full_record(patient_b, practitioner_a, "Bruno skiing fall", day=timezone.localdate(), sender=front_desk)
    note = nf.signed(patient_b, practitioner_a, red_flags_reviewed=True, plan="Bruno plan", start=nf.at(0, 15))
    return record, note


def _assert_every_page_framed(data: bytes, patient) -> None:
    pages = _pages(data)
    for number, text in enumerate(pages, start=1):
        assert "Harbour Street Chiropractic" in text
        assert f"{patient.first_name} {patient.last_name} · born {patient.date_of_birth:%Y-%m-%d}" in text
        assert f"Page {number} of {len(pages)}" in text
        assert "Produced " in text


@pytest.mark.django_db
def test_signed_note_pdf_has_content_addenda_signer_time_and_hash(alice_record, patient_a, front_desk):
    _record, note = alice_record
    data = records_pdf(patient=patient_a, actor=front_desk, reason="referral REQ-1", kind="note", item_id=note.pk)
    assert data.startswith(b"%PDF")
    text = _text(data)
    note.refresh_from_db()
    assert "Low back pain" in text and "Review in two weeks" in text and "Category II" in text
    assert "Phoned: feeling better" in text
    assert "ada@example.com" in text
    assert f"{timezone.localtime(note.signed_at):%Y-%m-%d %H:%M}" in text
    assert note.content_sha256 in text.replace(" ", "")
    _assert_every_page_framed(data, patient_a)
    event = AuditEvent.objects.get(action="export")
    assert (event.actor, event.patient) == (front_desk, patient_a)
    assert "referral REQ-1" in event.detail and f"PDF note {note.pk}" in event.detail


@pytest.mark.django_db
def test_consent_pdf_holds_the_exact_text_acknowledgements_scope_and_signer(alice_record, patient_a, front_desk):
    record, _note = alice_record
    signature = record.signature
    data = records_pdf(patient=patient_a, actor=front_desk, reason="copy", kind="consent", item_id=signature.pk)
    text = _text(data)
    seen = re.sub(r"\s+", " ", signature.version.text)
    # Hyphenation aside, the text the patient saw is there word for word.
    assert seen[:400].replace("-", "") in text.replace("- ", "").replace("-", "")
    for risk in signature.risks_acknowledged:
        assert risk in text
    assert "Care including neck (cervical) procedures" in text
    assert f"Signed by {signature.signer_name} (patient)" in text
    assert signature.text_sha256 in text.replace(" ", "")
    _assert_every_page_framed(data, patient_a)


@pytest.mark.django_db
def test_intake_pdf_has_body_diagram_answers_and_scores(alice_record, patient_a, front_desk):
    record, _note = alice_record
    data = records_pdf(patient=patient_a, actor=front_desk, reason="copy", kind="intake", item_id=record.submission.pk)
    text = _text(data)
    assert "Where it hurts" in text and "Marked:" in text
    regions = record.submission.data["visit"]["pain_regions"]
    assert regions
    from intake.content import REGION_BY_CODE

    assert all(str(REGION_BY_CODE[code].label) in text for code in regions)
    assert "Sore after gardening" in text
    assert "Pain 3" in text
    _assert_every_page_framed(data, patient_a)


@pytest.mark.django_db
def test_whole_record_pdf_for_a_date_range_is_one_patients(alice_record, bruno_record, patient_a, front_desk):
    data = records_pdf(patient=patient_a, actor=front_desk, reason="transfer", kind="record")
    text = _text(data)
    for heading in ("Demographics", "Consents", "Intakes", "Visit notes", "Appointments"):
        assert heading in text
    assert "Alice Arnold" in text and "Phoned: feeling better" in text
    assert "Bruno" not in text and "Berg" not in text
    _assert_every_page_framed(data, patient_a)
    assert len(_pages(data)) >= 2
    # A range before today's visit leaves out today's note, consent and intake.
    past = timezone.localdate() - dt.timedelta(days=400)
    older = _text(
        records_pdf(patient=patient_a, actor=front_desk, reason="transfer", start=past, end=past + dt.timedelta(days=1))
    )
    assert "Phoned: feeling better" not in older and "None in this period" in older
    assert AuditEvent.objects.filter(action="export", patient=patient_a).count() == 2


@pytest.mark.django_db
def test_another_patients_item_or_a_draft_is_not_found(alice_record, bruno_record, patient_a, practitioner_a):
    _record, bruno_note = bruno_record
    with pytest.raises(pdf.RecordNotFound):
        records_pdf(patient=patient_a, actor=None, reason="copy", kind="note", item_id=bruno_note.pk)
    draft = nf.draft(patient_a, practitioner_a, start=nf.at(-3, 9))
    with pytest.raises(pdf.RecordNotFound):
        records_pdf(patient=patient_a, actor=None, reason="copy", kind="note", item_id=draft.pk)


@pytest.mark.django_db
def test_no_reason_no_export(patient_a):
    with pytest.raises(ValueError, match="reason"):
        records_pdf(patient=patient_a, actor=None, reason="  ")
    assert not AuditEvent.objects.filter(action="export").exists()


def test_body_diagram_is_drawn_with_its_marked_regions(monkeypatch):
    """WeasyPrint styles inline SVG only from inside it: the figure carries its own fills."""
    seen = {}

    class FakeHTML:
        def __init__(self, string):
            seen["html"] = string

        def write_pdf(self):
            return b"%PDF-fake"

    import weasyprint

    monkeypatch.setattr(weasyprint, "HTML", FakeHTML)
    data = {
        "clinic": "C",
        "records": {
            "clinic": {"patient": {"first_name": "A", "last_name": "B", "date_of_birth": dt.date(1990, 1, 1)}},
            "intake": {
                "submissions": [{"id": 1, "submitted_at": None, "answers": {"visit": {"pain_regions": ["low_back"]}}}]
            },
        },
    }
    assert pdf.intake_pdf(data, 1) == b"%PDF-fake"
    html = seen["html"]
    assert html.count(f"<style>{pdf.DIAGRAM_STYLE}</style>") == 2  # front and back
    assert re.search(r'class="region marked" data-region="low_back"', html)
