"""The README's demo claims hold for `seed_demo`'s data, and the demo's rows agree with each other: notes are
signed on the day of their visit, after the visit and after the intake and consent they cite (issue 13,
item 23)."""

import datetime as dt
import re
import zoneinfo
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from clinic.demo import PATIENT_NAMES
from clinic.models import NoteAddendum, Patient, VisitNote
from intake.models import ConsentSignature, IntakeSubmission, RedFlagReview

NY = zoneinfo.ZoneInfo("America/New_York")
README = (Path(settings.BASE_DIR) / "README.md").read_text()
WHEN = dt.datetime(2026, 12, 2, 12, 0, tzinfo=NY)  # a Wednesday at noon


def numbered(index: int) -> Patient:
    first, last, born, _sex = PATIENT_NAMES[index - 1]
    return Patient.objects.get(first_name=first, last_name=last, date_of_birth=dt.date.fromisoformat(born))


def numbers(text: str) -> set[int]:
    found = set()
    for part in re.split(r",\s*|\s+and\s+", text):
        low, _, high = part.partition("-")
        found |= set(range(int(low), int(high or low) + 1))
    return found


@pytest.fixture
def demo(db, settings):
    settings.TIME_ZONE = "America/New_York"
    with time_machine.travel(WHEN, tick=False):
        call_command("seed_demo")
        yield


def test_the_readme_names_the_patients_with_submitted_intakes(demo):
    claim = re.search(r"Demo: patients ([\d\-, and]+?) have submitted intakes", README)
    assert claim, "the README's intake demo sentence changed: update this test"
    submitted = {
        index
        for index in range(1, len(PATIENT_NAMES) + 1)
        if IntakeSubmission.objects.filter(patient=numbered(index), status="submitted").exists()
    }
    assert submitted == numbers(claim.group(1))


def test_the_readme_intake_details(demo):
    assert "Noah Smith (4) has unreviewed red flags" in README
    assert RedFlagReview.objects.filter(patient=numbered(4), reviewed_at__isnull=True).exists()
    assert "Lucas Moore (10) signed consent version 1 only" in README
    assert set(ConsentSignature.objects.filter(patient=numbered(10)).values_list("version__version", flat=True)) == {1}
    half_way = re.search(r"(\w+ \w+) \((\d+)\) is half-way through", README)
    patient = numbered(int(half_way.group(2)))
    assert patient.full_name == half_way.group(1)
    assert IntakeSubmission.objects.filter(patient=patient, status="draft").exists()
    assert not IntakeSubmission.objects.filter(patient=patient, status="submitted").exists()
    assert "Ava Johnson (5) declined neck procedures" in README
    assert not ConsentSignature.objects.get(patient=numbered(5)).cervical_consent


def test_sophia_davis_has_the_three_signed_notes_and_the_pain_trend(demo, client):
    claim = re.search(r"Demo: (Dr\. [\w ]+?) has three signed notes for (\w+ \w+) \((\d+)\)", README)
    assert claim, "the README's visit-notes demo sentence changed: update this test"
    patient = numbered(int(claim.group(3)))
    assert patient.full_name == claim.group(2)
    notes = list(VisitNote.objects.filter(patient=patient, status="signed").order_by("signed_at"))
    assert len(notes) == 3
    assert {n.practitioner.display_name for n in notes} == {claim.group(1)}
    assert NoteAddendum.objects.filter(note=notes[-1]).count() == 1
    assert not VisitNote.objects.filter(status="signed").exclude(patient=patient).exists()
    client.force_login(notes[0].practitioner.user)
    chart = client.get(reverse("clinic:patient_chart", args=[patient.pk]))
    assert chart.status_code == 200
    body = chart.content.decode()
    assert "No visit notes yet" not in body
    assert re.search(r'class="trend-chart"[^>]*data-points="([3-9]|\d\d)"', body)


def test_each_signed_note_is_signed_on_its_visit_day_after_the_paperwork_it_cites(demo):
    for note in VisitNote.objects.filter(status="signed").select_related("appointment", "consent_signature"):
        visit = note.appointment
        assert note.signed_at.astimezone(NY).date() == visit.start.astimezone(NY).date()
        assert note.signed_at >= visit.end
        intake = IntakeSubmission.objects.filter(patient=note.patient, status="submitted").order_by("submitted_at")
        assert intake.exists() and intake.first().submitted_at < visit.start
        if note.consent_signature is not None:
            assert note.consent_signature.signed_at < visit.start
        if note.outcome_score is not None:
            assert note.outcome_score.scored_at < visit.start
        for addendum in note.addenda.all():
            assert addendum.created_at > note.signed_at
            assert addendum.created_at.astimezone(NY).date() == visit.start.astimezone(NY).date()


def test_the_draft_for_today_is_the_first_practitioners(demo):
    draft = VisitNote.objects.get(status="draft")
    assert draft.appointment.start.astimezone(NY).date() == WHEN.date()
    assert "has a draft for her first visit" in README or "draft for her first visit today" in README
    assert draft.practitioner.display_name == "Dr. Amara Okafor"
