"""The intake's answers that are record fields update the record when it is submitted (issue 13, item 6): the
sex answer is no longer lost, a corrected name and date of birth replace the record's, and the change is
audited with the fields that changed."""

import datetime as dt

import pytest

from clinic.models import AuditEvent, Patient
from intake import services
from intake.forms import STEP_FORMS
from tests.intake import factories

pytestmark = pytest.mark.django_db


def submit_with_about(patient, **about):
    factories.load_questionnaires()
    submission = factories.draft(patient, steps=())
    data = {**factories.ABOUT, "date_of_birth": patient.date_of_birth.isoformat(), "sex": patient.sex, **about}
    form = STEP_FORMS["about"](data=data)
    assert form.is_valid(), form.errors
    services.intake_save_step(submission=submission, step="about", answers=form.cleaned_data)
    for step in ("visit", "health", "redflags"):
        answers = {"visit": factories.VISIT, "health": factories.HEALTH, "redflags": factories.red_flags()}[step]
        step_form = STEP_FORMS[step](data=answers)
        assert step_form.is_valid(), step_form.errors
        submission = services.intake_save_step(submission=submission, step=step, answers=step_form.cleaned_data)
    submission = services.intake_save_step(submission=submission, step="outcome", answers=factories.outcome_answers())
    return services.intake_submit(submission=submission)


def test_the_sex_answer_reaches_the_record(patient_a):
    Patient.objects.filter(pk=patient_a.pk).update(sex=Patient.Sex.UNDISCLOSED)
    patient_a.refresh_from_db()
    submit_with_about(patient_a, sex="female")
    patient_a.refresh_from_db()
    assert patient_a.sex == "female"
    changed = AuditEvent.objects.filter(patient=patient_a, action="update").latest("pk")
    assert "sex" in changed.detail


def test_a_corrected_name_and_date_of_birth_replace_the_records(patient_a):
    submit_with_about(patient_a, first_name="Alicia", last_name="Arnold-Smith", date_of_birth="1985-07-16")
    patient_a.refresh_from_db()
    assert (patient_a.first_name, patient_a.last_name) == ("Alicia", "Arnold-Smith")
    assert patient_a.date_of_birth == dt.date(1985, 7, 16)


def test_a_name_left_empty_keeps_the_records(patient_a):
    first, last = patient_a.first_name, patient_a.last_name
    submit_with_about(patient_a, first_name="", last_name="")
    patient_a.refresh_from_db()
    assert (patient_a.first_name, patient_a.last_name) == (first, last)
