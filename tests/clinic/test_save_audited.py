"""`save_audited`: the one way a service writes a row with its audit row."""

import pytest
from django.core.exceptions import ValidationError

from clinic.models import AuditEvent, Patient
from clinic.services import save_audited, update_audited


@pytest.mark.django_db
def test_a_valid_row_is_saved_with_one_audit_row_naming_it(front_desk):
    patient = Patient(first_name="Ana", last_name="Ruiz", date_of_birth="1990-04-02", email="ana@example.com")
    save_audited(patient, actor=front_desk, action=AuditEvent.Action.CREATE, detail="phoned in")
    assert patient.pk is not None
    event = AuditEvent.objects.get(object_type="clinic.Patient", object_id=str(patient.pk))
    assert (event.action, event.actor, event.patient, event.detail) == (
        AuditEvent.Action.CREATE,
        front_desk,
        patient,
        "phoned in",
    )


@pytest.mark.django_db
def test_a_row_the_model_refuses_is_neither_saved_nor_audited(front_desk):
    before = AuditEvent.objects.count()
    patient = Patient(first_name="", last_name="Ruiz", date_of_birth="1990-04-02")
    with pytest.raises(ValidationError) as refused:
        save_audited(patient, actor=front_desk, action=AuditEvent.Action.CREATE)
    assert "first_name" in refused.value.message_dict
    assert patient.pk is None
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_update_fields_write_only_those_columns(patient_a, front_desk):
    Patient.objects.filter(pk=patient_a.pk).update(last_name="Changed elsewhere")
    patient_a.phone = "555-0100"
    save_audited(patient_a, actor=front_desk, action=AuditEvent.Action.UPDATE, clean=False, update_fields=["phone"])
    stored = Patient.objects.get(pk=patient_a.pk)
    assert (stored.phone, stored.last_name) == ("555-0100", "Changed elsewhere")


@pytest.mark.django_db
def test_update_audited_sets_and_writes_only_the_changed_columns_and_audits_them(patient_a, front_desk):
    Patient.objects.filter(pk=patient_a.pk).update(last_name="Changed elsewhere")
    update_audited(patient_a, {"phone": "555-0101"}, actor=front_desk, detail="phone changed")
    stored = Patient.objects.get(pk=patient_a.pk)
    assert (patient_a.phone, stored.phone, stored.last_name) == ("555-0101", "555-0101", "Changed elsewhere")
    event = AuditEvent.objects.filter(object_type="clinic.Patient", object_id=str(patient_a.pk)).latest("pk")
    assert (event.action, event.actor, event.detail) == (AuditEvent.Action.UPDATE, front_desk, "phone changed")


@pytest.mark.django_db
def test_update_audited_with_clean_refuses_a_row_the_model_refuses(patient_a, front_desk):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        update_audited(patient_a, {"first_name": ""}, actor=front_desk, clean=True)
    assert Patient.objects.get(pk=patient_a.pk).first_name != ""
    assert AuditEvent.objects.count() == before
