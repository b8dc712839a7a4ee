"""An audit row keeps the patient's identity in a column that never changes (`patient_ref`)."""

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.urls import reverse

from clinic import selectors, services
from clinic.models import AuditEvent, Patient
from tests.clinic.factories import PatientFactory
from tests.conftest import requires_postgres


@pytest.mark.django_db
def test_every_row_about_a_patient_carries_their_id(front_desk, patient_a):
    event = services.audit_record(actor=front_desk, action="view", obj=patient_a)
    assert event.patient_ref == patient_a.pk
    assert services.audit_record(actor=front_desk, action="login").patient_ref is None


@pytest.mark.django_db
def test_emptying_the_link_does_not_hide_a_row_from_the_access_log(client, clinic_admin, front_desk, patient_a):
    # What anyone with UPDATE rights on the table could do (the trigger must allow it for deleted patients).
    event = services.audit_record(actor=front_desk, action="view", obj=patient_a, detail="zzz-hidden-read")
    AuditEvent.objects.filter(pk=event.pk).update(patient=None)
    assert list(selectors.audit_events_for_patient(patient_a)) == [event]
    client.force_login(clinic_admin)
    body = client.get(reverse("clinic:patient_access_log", args=[patient_a.pk])).content.decode()
    assert "zzz-hidden-read" in body


@pytest.mark.django_db
def test_the_export_lists_rows_whose_link_was_emptied(front_desk, patient_a):
    from clinic.export import patient_records

    event = services.audit_record(actor=front_desk, action="view", obj=patient_a, detail="zzz-hidden-read")
    AuditEvent.objects.filter(pk=event.pk).update(patient=None)
    assert "zzz-hidden-read" in [row["detail"] for row in patient_records(patient_a)["access_log"]]


@pytest.mark.django_db
def test_a_row_linked_to_one_patient_cannot_name_another(front_desk, patient_a, patient_b):
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.create(action="view", patient=patient_a, patient_ref=patient_b.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.create(action="view", patient=patient_a)  # the id left out


@requires_postgres
@pytest.mark.django_db
def test_the_trigger_refuses_every_change_of_the_patients_id_on_postgres(front_desk, patient_a, patient_b):
    event = services.audit_record(actor=front_desk, action="view", obj=patient_a)
    for change in ({"patient_ref": None}, {"patient_ref": patient_b.pk}, {"patient": None, "patient_ref": None}):
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).update(**change)
    event.refresh_from_db()
    assert (event.patient, event.patient_ref) == (patient_a, patient_a.pk)


@requires_postgres
@pytest.mark.django_db
def test_a_deleted_patients_rows_stay_and_keep_their_id_on_postgres(front_desk):
    patient = PatientFactory()
    pk = patient.pk
    services.audit_record(actor=front_desk, action="view", obj=patient)
    Patient.objects.filter(pk=pk).delete()
    event = AuditEvent.objects.get(object_id=str(pk))
    assert (event.patient, event.patient_ref, event.actor) == (None, pk, front_desk)
