import pytest
from django.core.management import call_command

from clinic import demo as clinic_demo
from intake import demo
from intake.models import ConsentSignature, ConsentVersion, IntakeSubmission, Questionnaire, RedFlagReview
from intake.selectors import readiness_for_patients

pytestmark = pytest.mark.django_db


def test_load_defaults_is_idempotent_and_adds_an_inactive_consent():
    call_command("intake_load_defaults", "--consent")
    call_command("intake_load_defaults", "--consent")
    assert set(Questionnaire.objects.values_list("code", flat=True)) == {"ndi", "odi"}
    version = ConsentVersion.objects.get()
    assert not version.active


def test_demo_seed_is_idempotent_and_shows_every_state():
    clinic_demo.seed()
    demo.seed()
    counts = (IntakeSubmission.objects.count(), ConsentSignature.objects.count(), RedFlagReview.objects.count())
    demo.seed()
    assert (IntakeSubmission.objects.count(), ConsentSignature.objects.count(), RedFlagReview.objects.count()) == counts
    assert ConsentVersion.objects.get(active=True, language="en").version == 2
    spanish = ConsentVersion.objects.get(active=True, language="es")
    assert spanish.version == 3 and "not yet approved by the clinic" in spanish.translation_note
    states = readiness_for_patients(IntakeSubmission.objects.values_list("patient_id", flat=True))
    statuses = {(r.intake_status, r.consent_status) for r in states.values()}
    assert ("in_progress", "missing") in statuses
    assert ("submitted", "out_of_date") in statuses
    assert ("submitted", "current") in statuses
    assert any(r.red_flags_unreviewed for r in states.values())
    assert ConsentSignature.objects.filter(signer_role="parent").exists()


def test_demo_consent_text_makes_no_unsourced_figures_or_claims():
    from intake.consent_text import V2_TEXT

    lowered = V2_TEXT.lower()
    for phrase in ("1 in", "safer than", "cure", "guarantee", "heal"):
        assert phrase not in lowered, phrase
    assert "not been shown that manipulation causes" in V2_TEXT
    assert "no treatment" in V2_TEXT and "withdraw" in V2_TEXT
