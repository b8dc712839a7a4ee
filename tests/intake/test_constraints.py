import pytest
from django.db import IntegrityError, transaction

from intake import services
from intake.models import ConsentVersion, IntakeSubmission, OutcomeScore
from tests.concurrency import at_once
from tests.conftest import requires_postgres
from tests.intake import factories


@pytest.mark.django_db
def test_the_database_refuses_a_second_draft_for_a_patient(patient_a):
    IntakeSubmission.objects.create(patient=patient_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        IntakeSubmission.objects.create(patient=patient_a)


@pytest.mark.django_db
def test_the_database_refuses_two_active_consent_versions(db):
    factories.consent_version(1)
    v2 = factories.consent_version(2, active=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsentVersion.objects.filter(pk=v2.pk).update(active=True)


@pytest.mark.django_db
def test_the_database_refuses_a_submitted_intake_without_a_time(patient_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        IntakeSubmission.objects.create(patient=patient_a, status="submitted")


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submits_score_once(patient_a):
    factories.load_questionnaires()
    draft = factories.draft(patient_a, steps=("about", "visit", "health", "redflags", "outcome"))
    outcomes = at_once(*[lambda: services.intake_submit(submission=draft)] * 2)
    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert OutcomeScore.objects.filter(patient=patient_a).count() == 1
    assert IntakeSubmission.objects.get(pk=draft.pk).is_locked


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_starts_make_one_draft(patient_a):
    outcomes = at_once(*[lambda: services.intake_start(patient=patient_a).pk] * 2)
    assert [o for o in outcomes if isinstance(o, Exception)] == [] and len(set(outcomes)) == 1
    assert IntakeSubmission.objects.filter(patient=patient_a).count() == 1
