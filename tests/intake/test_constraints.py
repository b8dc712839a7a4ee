import threading

import pytest
from django.db import IntegrityError, connection, transaction

from intake import services
from intake.models import ConsentVersion, IntakeSubmission, OutcomeScore
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
    barrier = threading.Barrier(2)
    errors = []

    def submit():
        try:
            barrier.wait()
            services.intake_submit(submission=draft)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert OutcomeScore.objects.filter(patient=patient_a).count() == 1
    assert IntakeSubmission.objects.get(pk=draft.pk).is_locked


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_starts_make_one_draft(patient_a):
    barrier = threading.Barrier(2)
    results, errors = [], []

    def start():
        try:
            barrier.wait()
            results.append(services.intake_start(patient=patient_a).pk)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(set(results)) == 1
    assert IntakeSubmission.objects.filter(patient=patient_a).count() == 1
