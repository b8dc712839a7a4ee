import pytest

from intake.selectors import Readiness, patient_readiness, readiness_for_patients
from tests.clinic.factories import PatientFactory
from tests.intake import factories

pytestmark = pytest.mark.django_db


def _mixed_patients(count: int):
    factories.load_questionnaires()
    version = factories.consent_version()
    patients = PatientFactory.create_batch(count)
    for index, patient in enumerate(patients):
        kind = index % 4
        if kind == 0:
            factories.submitted(patient, flags=("cancer",))
            factories.sign(patient, version)
        elif kind == 1:
            factories.draft(patient, steps=("about",))
        elif kind == 2:
            factories.sign(patient, version, cervical=False)
    return patients


@pytest.mark.parametrize("count", [1, 20])
def test_readiness_takes_two_queries_whatever_the_number_of_patients(django_assert_num_queries, count):
    patients = _mixed_patients(count)
    with django_assert_num_queries(2):
        result = readiness_for_patients([p.pk for p in patients])
    assert set(result) == {p.pk for p in patients}


def test_no_ids_takes_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert readiness_for_patients([]) == {}


def test_a_new_patient_misses_everything(patient_a):
    factories.consent_version()
    readiness = patient_readiness(patient_a)
    assert readiness == Readiness(
        intake_status="not_started", consent_status="missing", missing=("Intake form not started", "No signed consent")
    )
    assert not readiness.ready


def test_without_an_active_version_the_message_says_so(patient_a):
    assert "no consent version is active" in patient_readiness(patient_a).missing[-1]


def test_in_progress_intake_is_named(patient_a):
    factories.draft(patient_a, steps=("about",))
    readiness = patient_readiness(patient_a)
    assert readiness.intake_status == "in_progress"
    assert "Intake form not submitted (in progress)" in readiness.missing


def test_submitted_and_signed_is_ready_even_with_red_flags(patient_a):
    factories.load_questionnaires()
    submission = factories.submitted(patient_a, flags=("night_pain",))
    version = factories.consent_version()
    signature = factories.sign(patient_a, version)
    readiness = patient_readiness(patient_a)
    # Red flags are an alert for the practitioner, not missing paperwork.
    assert readiness.ready and readiness.red_flags_unreviewed
    assert readiness.intake_status == "submitted" and readiness.intake_submitted_at == submission.submitted_at
    assert readiness.consent_status == "current" and readiness.consent_covers_cervical
    assert readiness.consent_signature_id == signature.pk
    assert readiness.consent_version_label == f"{version.title}, version 1 (effective 2026-01-01)"


def test_a_new_draft_after_a_submission_still_counts_as_submitted(patient_a):
    factories.load_questionnaires()
    factories.submitted(patient_a)
    factories.draft(patient_a)
    assert patient_readiness(patient_a).intake_status == "submitted"


def test_another_patients_rows_do_not_leak(patient_a, patient_b):
    factories.load_questionnaires()
    factories.submitted(patient_b, flags=("cancer",))
    factories.sign(patient_b, factories.consent_version())
    readiness = patient_readiness(patient_a)
    assert readiness.intake_status == "not_started" and readiness.consent_status == "missing"
    assert not readiness.red_flags_unreviewed
