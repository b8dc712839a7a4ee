"""Likely duplicate patients are shown before registering (by the desk, or with a booking), the existing record
is offered, and a clinic admin can merge two records: everything follows the survivor, audited, and the
merged id stays an alias in the access log (issue 13, item 15)."""

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from clinic import selectors, services
from clinic.models import AuditEvent, Patient
from clinic.services import MergeError
from intake.models import ConsentSignature, IntakeSubmission
from scheduling.models import Appointment
from tests.clinic.factories import PatientFactory, UserFactory
from tests.intake import factories as intake

BORN = dt.date(1979, 3, 8)


@pytest.fixture
def mia(db):
    return PatientFactory(first_name="Mia", last_name="Moreno", date_of_birth=BORN, email="mia@example.org", phone="")


def duplicates(**fields):
    base = {"first_name": "", "last_name": "", "date_of_birth": None, "email": "", "phone": ""}
    return selectors.patient_duplicates(**{**base, **fields})


@pytest.mark.parametrize(
    ("first", "last"),
    [("Mia", "Moreno"), ("mia", "MORENO"), ("Mía", "Moreno"), ("Mia", "Morena"), ("Moreno", "Mia"), ("M.", "Moreno")],
)
def test_same_birth_date_and_a_similar_name_is_a_likely_duplicate(mia, first, last):
    assert duplicates(first_name=first, last_name=last, date_of_birth=BORN) == [mia]


def test_a_different_name_or_birth_date_is_not(mia):
    assert duplicates(first_name="Noah", last_name="Moreno", date_of_birth=BORN) == []
    assert duplicates(first_name="Mia", last_name="Moreno", date_of_birth=dt.date(1980, 3, 8)) == []


def test_same_email_or_phone_is_a_likely_duplicate(mia):
    assert duplicates(first_name="X", last_name="Y", email="MIA@example.org ") == [mia]
    other = PatientFactory(first_name="Ben", last_name="Bell", phone="(555) 777-0199")
    assert duplicates(first_name="X", last_name="Y", phone="555 777 0199") == [other]


def test_the_desk_is_warned_and_offered_the_existing_record(client_for, front_desk, mia):
    data = {"first_name": "Mia", "last_name": "Moreno", "date_of_birth": "1979-03-08", "sex": "female"}
    response = client_for(front_desk).post(reverse("clinic:patient_create"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "This patient may already be registered" in body
    assert reverse("clinic:patient_detail", args=[mia.pk]) in body
    assert Patient.objects.filter(last_name="Moreno").count() == 1
    assert AuditEvent.objects.filter(patient_ref=mia.pk, detail="possible duplicate shown on registering").exists()
    # "A different person": the form comes back with the answer, and registers.
    response = client_for(front_desk).post(reverse("clinic:patient_create"), {**data, "not_a_duplicate": "on"})
    assert response.status_code == 302
    assert Patient.objects.filter(last_name="Moreno").count() == 2


def test_booking_a_new_patient_warns_about_a_duplicate(client_for, front_desk, mia, practitioner_a):
    from scheduling.models import AppointmentType

    sot = AppointmentType.objects.create(name="SOT", slug="sot", duration=dt.timedelta(minutes=30))
    data = {
        "appointment_type": sot.pk,
        "practitioner": practitioner_a.pk,
        "start": "2031-01-06T09:00",
        "new_first_name": "Mia",
        "new_last_name": "Moreno",
        "new_date_of_birth": "1979-03-08",
    }
    response = client_for(front_desk).post(reverse("scheduling:appointment_book"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "This patient may already be registered" in body and f"patient={mia.pk}" in body
    assert "may already be registered (see above)" in response.context["form"].errors["new_first_name"][0]
    assert Patient.objects.filter(last_name="Moreno").count() == 1


# --- Merge -----------------------------------------------------------------------------------------


@pytest.fixture
def twin(db, practitioner_a):
    """The same Mia registered twice: the duplicate has a visit, an intake and a consent."""
    survivor = PatientFactory(first_name="Mia", last_name="Moreno", date_of_birth=BORN, email="", phone="")
    duplicate = PatientFactory(
        first_name="Mia", last_name="Moreno", date_of_birth=BORN, email="mia@example.org", user=UserFactory()
    )
    from tests.scheduling.factories import AppointmentFactory

    appointment = AppointmentFactory(patient=duplicate, practitioner=practitioner_a)
    intake.submitted(duplicate)
    intake.sign(duplicate, intake.consent_version())
    services.audit_record(action=AuditEvent.Action.VIEW, obj=duplicate, detail="looked at the duplicate")
    return survivor, duplicate, appointment


def test_merge_moves_everything_to_the_survivor_and_keeps_the_duplicate_as_an_alias(twin, clinic_admin):
    survivor, duplicate, appointment = twin
    user = duplicate.user
    duplicate.refresh_from_db()
    email = duplicate.email
    assert email and not survivor.email
    moved = services.patient_merge(survivor=survivor, merged=duplicate, actor=clinic_admin)
    assert moved["appointments"] == 1
    assert Appointment.objects.get(pk=appointment.pk).patient == survivor
    assert IntakeSubmission.objects.filter(patient=survivor).count() == 1
    assert ConsentSignature.objects.filter(patient=survivor).count() == 1
    survivor.refresh_from_db()
    duplicate.refresh_from_db()
    assert survivor.email == email and survivor.user == user  # empty fields and the login came over
    assert duplicate.merged_into == survivor and duplicate.user is None
    # Audit rows keep the id they were written with; the access log reads the duplicate's id as an alias.
    log = list(selectors.audit_events_for_patient(survivor))
    assert any(e.detail == "looked at the duplicate" and e.patient_ref == duplicate.pk for e in log)
    merge_rows = [e.detail for e in log if "merged" in e.detail]
    assert any(d.startswith(f"merged record #{duplicate.pk} into this one: 1 appointments") for d in merge_rows)
    assert f"merged into record #{survivor.pk}" in merge_rows
    assert duplicate not in selectors.patients_search("Moreno")


def test_merge_twice_or_into_itself_is_refused(twin, clinic_admin):
    survivor, duplicate, _ = twin
    with pytest.raises(MergeError, match="two different records"):
        services.patient_merge(survivor=survivor, merged=survivor, actor=clinic_admin)
    services.patient_merge(survivor=survivor, merged=duplicate, actor=clinic_admin)
    with pytest.raises(MergeError, match="already merged"):
        services.patient_merge(survivor=survivor, merged=duplicate, actor=clinic_admin)


def test_merge_of_two_logins_is_refused_and_changes_nothing(twin, clinic_admin):
    survivor, duplicate, appointment = twin
    survivor.user = UserFactory(email="mia.other@example.org")
    survivor.save()
    with pytest.raises(MergeError, match="Both records have their own login"):
        services.patient_merge(survivor=survivor, merged=duplicate, actor=clinic_admin)
    assert Appointment.objects.get(pk=appointment.pk).patient == duplicate


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's")
def test_the_trigger_still_refuses_changing_patient_ref(twin, clinic_admin):
    survivor, duplicate, _ = twin
    services.patient_merge(survivor=survivor, merged=duplicate, actor=clinic_admin)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(patient_ref=duplicate.pk).update(patient_ref=survivor.pk)


def test_merge_page_for_admins_only(client_for, clinic_admin, front_desk, twin):
    survivor, duplicate, _ = twin
    url = reverse("clinic:patient_merge", args=[survivor.pk])
    assert client_for(front_desk).get(url).status_code == 403
    page = client_for(clinic_admin).get(url)
    assert page.status_code == 200 and f"patient #{duplicate.pk}" in page.content.decode()
    refused = client_for(clinic_admin).post(url, {"merged": duplicate.pk})
    assert refused.status_code == 400 and not Patient.objects.get(pk=duplicate.pk).merged_into_id
    done = client_for(clinic_admin).post(url, {"merged": duplicate.pk, "confirm": "on"}, follow=True)
    assert "is merged into this record: 1 appointments" in done.content.decode()
    assert Patient.objects.get(pk=duplicate.pk).merged_into == survivor


def test_staff_see_on_the_patient_page_that_other_records_look_alike(client_for, front_desk, clinic_admin, mia):
    # e.g. a patient who signed up and booked online while the desk had already registered them
    online = PatientFactory(first_name="Mia", last_name="Moreno", date_of_birth=BORN, email="", phone="")
    desk_page = client_for(front_desk).get(reverse("clinic:patient_detail", args=[online.pk])).content.decode()
    assert "One other record looks like this patient" in desk_page and "A clinic admin can compare" in desk_page
    assert mia.email not in desk_page  # a count, no other patient's details
    admin_page = client_for(clinic_admin).get(reverse("clinic:patient_detail", args=[online.pk])).content.decode()
    assert reverse("clinic:patient_merge", args=[online.pk]) in admin_page


def test_the_patient_never_sees_the_duplicate_count(client, mia):
    user = UserFactory()
    me = PatientFactory(first_name="Mia", last_name="Moreno", date_of_birth=BORN, email="", phone="", user=user)
    client.force_login(user)
    page = client.get(reverse("clinic:patient_detail", args=[me.pk])).content.decode()
    assert "look like this patient" not in page


def _views(actor):
    return sorted(
        AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, actor=actor).values_list("patient_ref", "detail")
    )


def test_every_possible_duplicate_shown_on_registering_is_audited(client_for, front_desk, mia):
    mio = PatientFactory(first_name="Mía", last_name="Moreno", date_of_birth=BORN, email="", phone="")
    data = {"first_name": "Mia", "last_name": "Moreno", "date_of_birth": "1979-03-08", "sex": "female"}
    assert client_for(front_desk).post(reverse("clinic:patient_create"), data).status_code == 200
    shown = "possible duplicate shown on registering"
    assert _views(front_desk) == sorted([(mia.pk, shown), (mio.pk, shown)])


def test_the_merge_page_audits_its_patient_and_every_possible_duplicate_it_shows(client_for, clinic_admin, twin):
    survivor, duplicate, _ = twin
    third = PatientFactory(first_name="Mia", last_name="Moreno", date_of_birth=BORN, email="", phone="")
    assert client_for(clinic_admin).get(reverse("clinic:patient_merge", args=[survivor.pk])).status_code == 200
    shown = f"shown as a possible duplicate of #{survivor.pk}"
    assert _views(clinic_admin) == sorted([(survivor.pk, "merge form"), (duplicate.pk, shown), (third.pk, shown)])
