"""The patient's language: the switch, the browser's Accept-Language, the stored choice, and bad codes."""

import pytest
from django.conf import settings
from django.urls import reverse

from clinic.languages import supported_language
from clinic.models import AuditEvent, Patient
from tests.clinic.factories import PatientFactory

COOKIE = settings.LANGUAGE_COOKIE_NAME


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("es", "es"),
        ("es-MX", "es"),
        ("ES", "es"),
        ("en-GB", "en"),
        ("fr", "en"),
        ("", "en"),
        (None, "en"),
        ("x" * 500, "en"),
        ("es\x00", "en"),
    ],
)
def test_only_an_offered_language_is_ever_answered(code, expected):
    assert supported_language(code) == expected


@pytest.mark.django_db
def test_a_first_visit_follows_the_browsers_accept_language(client):
    page = client.get(reverse("clinic:index"), HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9,en;q=0.5")
    assert page.status_code == 200
    assert '<html lang="es">' in page.content.decode()
    other = client.get(reverse("clinic:index"), HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert '<html lang="en">' in other.content.decode()


@pytest.mark.django_db
def test_the_switch_keeps_the_choice_in_the_browser_and_goes_back_to_the_page(client):
    response = client.post(reverse("clinic:language_set"), {"language": "es", "next": "/book/?day=2026-12-04"})
    assert response.status_code == 302
    assert response["Location"] == "/book/?day=2026-12-04"
    assert response.cookies[COOKIE].value == "es"
    assert response.cookies[COOKIE]["httponly"]
    page = client.get(reverse("clinic:index"), HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="es">' in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "0", "javascript:alert(1)", ""])
def test_the_switch_never_sends_anyone_off_the_site(client, next_url):
    response = client.post(reverse("clinic:language_set"), {"language": "es", "next": next_url})
    assert response["Location"] == "/"


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["fr", "", "es-ZZ-very-long" * 10, "<script>"])
def test_an_unsupported_language_falls_back_to_english_and_changes_nothing_else(client_for, patient_a, code):
    patient_a.language = "es"
    patient_a.save()
    client = client_for(patient_a.user)
    response = client.post(reverse("clinic:language_set"), {"language": code, "next": "/account/"})
    assert response.status_code == 302
    assert response.cookies[COOKIE].value == "en"
    patient_a.refresh_from_db()
    assert patient_a.language == "en"


@pytest.mark.django_db
def test_a_patients_choice_is_stored_on_their_record_and_their_childrens(client_for, patient_a):
    child = PatientFactory(first_name="Kid", last_name="Arnold", date_of_birth="2018-01-01")
    from clinic.models import GuardianLink

    GuardianLink.objects.create(guardian=patient_a.user, dependant=child, relationship="mother")
    before = {f: getattr(patient_a, f) for f in Patient.RECORD_FIELDS if f != "language"}
    client = client_for(patient_a.user)
    client.post(reverse("clinic:language_set"), {"language": "es", "next": "/"})
    client.post(reverse("clinic:language_set"), {"language": "es", "next": "/"})  # twice: nothing more happens
    patient_a.refresh_from_db()
    child.refresh_from_db()
    assert (patient_a.language, child.language) == ("es", "es")
    assert {f: getattr(patient_a, f) for f in before} == before
    changes = AuditEvent.objects.filter(detail="language: es", object_type="clinic.Patient")
    assert sorted(int(e.object_id) for e in changes) == sorted([patient_a.pk, child.pk])


@pytest.mark.django_db
def test_staff_switching_language_touch_no_record(client_for, front_desk, patient_a):
    client_for(front_desk).post(reverse("clinic:language_set"), {"language": "es", "next": "/"})
    patient_a.refresh_from_db()
    assert patient_a.language == "en"
    assert not AuditEvent.objects.filter(detail__startswith="language:").exists()


@pytest.mark.django_db
def test_a_patient_signing_in_on_a_new_browser_gets_the_language_on_their_record(client_for, patient_a):
    patient_a.language = "es"
    patient_a.save()
    client = client_for(patient_a.user)
    page = client.get(reverse("clinic:index"), HTTP_ACCEPT_LANGUAGE="en-US")
    assert '<html lang="es">' in page.content.decode()
    assert page.cookies[COOKIE].value == "es"
    # The cookie is the choice from then on: switching to English there wins over the record until saved.
    client.post(reverse("clinic:language_set"), {"language": "en", "next": "/"})
    patient_a.refresh_from_db()
    assert patient_a.language == "en"


@pytest.mark.django_db
def test_the_front_desk_sets_a_patients_language_on_their_record(client_for, front_desk, patient_a):
    client = client_for(front_desk)
    form = client.get(reverse("clinic:patient_edit", args=[patient_a.pk])).content.decode()
    assert 'name="language"' in form
    data = {f: getattr(patient_a, f) or "" for f in Patient.RECORD_FIELDS}
    data.update(date_of_birth=patient_a.date_of_birth.isoformat(), language="es")
    response = client.post(reverse("clinic:patient_edit", args=[patient_a.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    patient_a.refresh_from_db()
    assert patient_a.language == "es"


def test_a_date_box_keeps_its_iso_value_in_spanish():
    import datetime as dt

    from django.utils import translation

    from clinic.widgets import DateInput

    with translation.override("es"):
        html = DateInput().render("born", dt.date(1985, 6, 15))
    assert 'value="1985-06-15"' in html
