import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.contrib.admin.sites import AdminSite
from django.core.exceptions import ValidationError

from clinic.models import AuditEvent
from intake import services
from intake.admin import ConsentVersionAdmin
from intake.models import (
    ConsentSignature,
    ConsentVersion,
    IntakeSubmission,
    OutcomeScore,
    RedFlagReview,
    text_sha256,
)
from intake.selectors import patient_readiness
from tests.clinic.factories import PatientFactory
from tests.intake import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def questionnaires(db):
    return factories.load_questionnaires()


# --- Intake --------------------------------------------------------------------------------------


def test_starting_twice_gives_the_same_draft(patient_a):
    first = services.intake_start(patient=patient_a)
    second = services.intake_start(patient=patient_a)
    assert first.pk == second.pk
    assert IntakeSubmission.objects.filter(patient=patient_a).count() == 1


def test_saving_a_step_moves_the_resume_point(patient_a, questionnaires):
    draft = factories.draft(patient_a, steps=("about", "visit"))
    assert draft.current_step == "health"
    assert draft.step_data("visit")["pain_regions"] == ["neck_back", "shoulder_back_left"]
    assert draft.questionnaire.code == "ndi"  # neck complaint -> NDI


def test_low_back_complaint_chooses_the_odi(patient_a, questionnaires):
    draft = factories.draft(patient_a, steps=("about",))
    draft = services.intake_save_step(
        submission=draft, step="visit", answers={**factories.VISIT, "complaint_area": "low_back"}
    )
    assert draft.questionnaire.code == "odi"


def test_changing_the_complaint_area_drops_answers_to_the_other_questionnaire(patient_a, questionnaires):
    draft = factories.draft(patient_a, steps=("about", "visit", "health", "redflags", "outcome"))
    assert "outcome" in draft.data
    draft = services.intake_save_step(
        submission=draft, step="visit", answers={**factories.VISIT, "complaint_area": "low_back"}
    )
    assert "outcome" not in draft.data


def test_submit_refuses_an_incomplete_draft(patient_a, questionnaires):
    draft = factories.draft(patient_a, steps=("about", "visit"))
    with pytest.raises(services.IntakeError, match="Health history"):
        services.intake_submit(submission=draft)
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_submit_scores_and_stores_answers_with_the_score(patient_a, questionnaires):
    submission = factories.submitted(patient_a)
    score = OutcomeScore.objects.get(submission=submission)
    assert score.questionnaire.code == "ndi"
    assert score.answers["pain"] == 3 and score.answers["reading"] == 2 and score.answers["headaches"] is None
    assert (score.total, score.items_answered, score.percent, score.band) == (5, 9, Decimal("11.1"), "Mild")
    assert submission.is_locked and submission.submitted_at is not None


def test_double_submit_creates_nothing_twice(patient_a, questionnaires):
    submission = factories.submitted(patient_a, flags=("cancer",))
    again = services.intake_submit(submission=submission)
    assert again.pk == submission.pk
    assert OutcomeScore.objects.filter(patient=patient_a).count() == 1
    assert RedFlagReview.objects.filter(patient=patient_a).count() == 1
    assert AuditEvent.objects.filter(object_type="intake.IntakeSubmission", action="sign").count() == 1


def test_a_submitted_intake_cannot_be_changed(patient_a, questionnaires):
    submission = factories.submitted(patient_a)
    with pytest.raises(services.IntakeError, match="already submitted"):
        services.intake_save_step(submission=submission, step="about", answers=factories.ABOUT)


def test_a_later_change_is_a_new_submission_and_history_is_kept(patient_a, questionnaires):
    first = factories.submitted(patient_a)
    second = services.intake_start(patient=patient_a)
    assert second.pk != first.pk
    assert second.data["visit"]["complaint"] == "Stiff neck"  # starts from the last answers
    first.refresh_from_db()
    assert first.is_locked
    assert IntakeSubmission.objects.filter(patient=patient_a).count() == 2


def test_submitting_copies_contact_details_to_the_patient(patient_a, questionnaires):
    factories.submitted(patient_a)
    patient_a.refresh_from_db()
    assert patient_a.emergency_contact_name == "Pat Doe"


def test_red_flag_answers_raise_an_alert_that_a_practitioner_review_clears(patient_a, practitioner_a, questionnaires):
    submission = factories.submitted(patient_a, flags=("saddle_bladder", "night_pain"))
    assert submission.red_flags == ["night_pain", "saddle_bladder"]
    assert patient_readiness(patient_a).red_flags_unreviewed is True
    review = RedFlagReview.objects.get(patient=patient_a)
    services.red_flags_review(review=review, practitioner=practitioner_a, note="Referred to GP today")
    review.refresh_from_db()
    assert review.reviewed_by == practitioner_a and review.review_note == "Referred to GP today"
    assert patient_readiness(patient_a).red_flags_unreviewed is False
    with pytest.raises(services.IntakeError, match="already reviewed"):
        services.red_flags_review(review=review, practitioner=practitioner_a)


def test_no_red_flags_raise_no_alert(patient_a, questionnaires):
    factories.submitted(patient_a)
    assert not RedFlagReview.objects.filter(patient=patient_a).exists()


# --- Consent --------------------------------------------------------------------------------------


def test_the_stored_hash_is_the_sha256_of_the_exact_text(patient_a):
    version = factories.consent_version(text="Exact text\nwith a second line.\n")
    signature = factories.sign(patient_a, version)
    assert version.sha256 == text_sha256("Exact text\nwith a second line.\n")
    assert signature.text_sha256 == version.sha256


@pytest.mark.parametrize("left_out", ["neck_artery", "soreness"])
def test_consent_cannot_be_signed_with_a_risk_unticked(patient_a, left_out):
    version = factories.consent_version()
    risks = [r["code"] for r in version.risks if r["code"] != left_out]
    with pytest.raises(services.IntakeError, match="Not yet ticked"):
        factories.sign(patient_a, version, risks_acknowledged=risks)
    assert not ConsentSignature.objects.exists()


def test_consent_cannot_be_signed_without_reading_to_the_end(patient_a):
    version = factories.consent_version()
    with pytest.raises(services.IntakeError, match="to the end"):
        factories.sign(patient_a, version, read_to_end=False)


def test_consent_refuses_a_text_other_than_the_one_stored(patient_a):
    version = factories.consent_version()
    with pytest.raises(services.IntakeError, match="changed while you were reading"):
        factories.sign(patient_a, version, text_sha256_shown="0" * 64)


def test_an_inactive_version_cannot_be_signed(patient_a):
    version = factories.consent_version(active=False)
    with pytest.raises(services.IntakeError, match="no longer the current one"):
        factories.sign(patient_a, version)


def test_a_minor_needs_a_parent_or_guardian(db):
    child = PatientFactory(date_of_birth=dt.date.today() - dt.timedelta(days=365 * 10))
    version = factories.consent_version()
    with pytest.raises(services.IntakeError, match="parent or legal guardian must sign"):
        factories.sign(child, version)
    with pytest.raises(services.IntakeError, match="relationship"):
        factories.sign(child, version, signer_role="parent", signer_name="Morgan Parent")
    signature = factories.sign(
        child, version, signer_role="parent", signer_name="Morgan Parent", guardian_relationship="Mother"
    )
    assert (signature.signer_role, signature.guardian_relationship) == ("parent", "Mother")


def test_signing_the_same_again_returns_the_first_signature(patient_a):
    version = factories.consent_version()
    first = factories.sign(patient_a, version)
    second = factories.sign(patient_a, version)
    assert first.pk == second.pk
    assert ConsentSignature.objects.count() == 1


def test_changing_the_neck_choice_replaces_the_signature(patient_a):
    version = factories.consent_version()
    first = factories.sign(patient_a, version, cervical=True)
    second = factories.sign(patient_a, version, cervical=False)
    first.refresh_from_db()
    assert first.withdrawn_at is not None and second.withdrawn_at is None
    readiness = patient_readiness(patient_a)
    assert readiness.consent_status == "current" and readiness.consent_covers_cervical is False


def test_editing_a_signed_version_is_refused_by_the_service(patient_a):
    version = factories.consent_version()
    factories.sign(patient_a, version)
    with pytest.raises(services.IntakeError, match="cannot be changed"):
        services.consent_version_update(version=version, text="New wording")
    version.refresh_from_db()
    assert version.text.startswith("Please read")


def test_editing_a_signed_version_is_refused_by_model_validation(patient_a):
    version = factories.consent_version()
    factories.sign(patient_a, version)
    version.text = "Quietly changed"
    with pytest.raises(ValidationError, match="cannot change"):
        version.full_clean()


def test_the_admin_shows_a_signed_version_read_only(patient_a, rf, clinic_admin):
    version = factories.consent_version()
    admin = ConsentVersionAdmin(ConsentVersion, AdminSite())
    request = rf.get("/")
    request.user = clinic_admin
    assert "text" not in admin.get_readonly_fields(request, version)
    factories.sign(patient_a, version)
    assert {"title", "version", "effective_date", "text", "risks"} <= set(admin.get_readonly_fields(request, version))
    assert admin.has_delete_permission(request, version) is False


def test_an_unsigned_version_can_still_be_corrected(db):
    version = factories.consent_version(active=False)
    services.consent_version_update(version=version, text="Corrected wording")
    version.refresh_from_db()
    assert version.text == "Corrected wording" and version.sha256 == text_sha256("Corrected wording")


def test_a_new_active_version_makes_earlier_signatures_out_of_date(patient_a, patient_b):
    v1 = factories.consent_version(1)
    factories.sign(patient_a, v1)
    assert patient_readiness(patient_a).consent_status == "current"
    v2 = factories.consent_version(2)
    v1.refresh_from_db()
    assert not v1.active
    readiness = patient_readiness(patient_a)
    assert readiness.consent_status == "out_of_date"
    assert readiness.consent_signature_id is None
    assert "Consent out of date (signed version 1; version 2 is current)" in readiness.missing
    signature = factories.sign(patient_a, v2)
    readiness = patient_readiness(patient_a)
    assert readiness.consent_status == "current" and readiness.consent_signature_id == signature.pk
    assert readiness.consent_version_label == v2.label


def test_withdrawal_is_recorded_and_ends_the_consent(patient_a):
    version = factories.consent_version()
    signature = factories.sign(patient_a, version)
    with time_machine.travel(dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)):
        services.consent_withdraw(signature=signature, actor=patient_a.user)
    signature.refresh_from_db()
    assert signature.withdrawn_at == dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
    readiness = patient_readiness(patient_a)
    assert readiness.consent_status == "withdrawn"
    assert readiness.missing[-1] == "Consent withdrawn on 2026-03-02"
    # Signing again after withdrawing makes a new signature.
    again = factories.sign(patient_a, version)
    assert again.pk != signature.pk


def test_a_practitioner_records_the_consent_discussion(patient_a, practitioner_a):
    signature = factories.sign(patient_a, factories.consent_version())
    services.consent_record_discussed(signature=signature, practitioner=practitioner_a)
    signature.refresh_from_db()
    assert signature.discussed_by == practitioner_a and signature.discussed_at is not None


def test_a_withdrawn_consent_cannot_be_marked_discussed(patient_a, practitioner_a):
    signature = factories.sign(patient_a, factories.consent_version())
    services.consent_withdraw(signature=signature)
    with pytest.raises(services.IntakeError, match="withdrawn"):
        services.consent_record_discussed(signature=signature, practitioner=practitioner_a)


def test_only_one_version_is_active(db):
    v1 = factories.consent_version(1)
    v2 = factories.consent_version(2)
    services.consent_version_activate(version=v1)
    assert list(ConsentVersion.objects.filter(active=True)) == [v1]
    v2.refresh_from_db()
    assert not v2.active


# --- Invitations ----------------------------------------------------------------------------------


def test_invitation_token_round_trip_and_expiry(patient_a, front_desk, settings, mailoutbox):
    settings.INTAKE_INVITATION_DAYS = 3
    with time_machine.travel(dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC), tick=False):
        invitation, link = services.invitation_send(patient=patient_a, email="a@example.com", actor=front_desk)
        token = link.rstrip("/").rsplit("/", 1)[1]
        assert services.invitation_from_token(token).pk == invitation.pk
    assert len(mailoutbox) == 1 and link in mailoutbox[0].body
    with (
        time_machine.travel(dt.datetime(2026, 5, 4, 12, 1, tzinfo=dt.UTC), tick=False),
        pytest.raises(services.IntakeError, match="expired"),
    ):
        services.invitation_from_token(token)


def test_a_tampered_token_is_refused(patient_a, front_desk):
    invitation, link = services.invitation_send(patient=patient_a, email="a@example.com", actor=front_desk)
    token = link.rstrip("/").rsplit("/", 1)[1]
    other = str(invitation.pk + 1) + token[len(str(invitation.pk)) :]
    with pytest.raises(services.IntakeError, match="not valid"):
        services.invitation_from_token(other)
