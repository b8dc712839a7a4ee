"""Issue 24 item 4: consent per language. A patient reads the active version in their language, else the default
language's with a notice about an interpreter; the signature keeps the exact text shown, its language, the reader's
language and the hash; a new version in one language asks again only those who signed in that language (and, when
the clinic ticks it, the patients whose language gets a version of its own)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.admin.sites import AdminSite
from django.urls import reverse
from django.utils import translation

from intake import consent_text
from intake.admin import ConsentVersionAdmin
from intake.models import ConsentSignature, ConsentVersion, text_sha256
from intake.selectors import consent_version_for, patient_readiness
from tests.intake import factories

pytestmark = pytest.mark.django_db


spanish_version = factories.spanish_consent_version


def _speaks_spanish(patient):
    patient.language = "es"
    patient.save(update_fields=["language"])
    return patient


def _sign_post(version: ConsentVersion, name: str) -> dict:
    data = {"read_to_end": "on", "cervical_consent": "yes", "signer_name": name, "text_sha256": version.sha256}
    data.update({f"risk_{r['code']}": "on" for r in version.risks})
    return data


def test_a_spanish_reader_signs_the_spanish_text_and_the_signature_keeps_it_exactly(client, patient_a):
    factories.consent_version(2)
    spanish = spanish_version()
    client.force_login(_speaks_spanish(patient_a).user)
    page = client.get(reverse("intake:consent_sign"))
    body = page.content.decode()
    assert page.status_code == 200
    assert consent_text.ES_TITLE in body and "Confirme cada riesgo" in body and "Firmar el consentimiento" in body
    assert "Riesgo de lesión en el cuello" in body  # the Spanish version's own risk labels
    assert "no está disponible en su idioma" not in body and consent_text.TITLE not in body
    response = client.post(reverse("intake:consent_sign"), _sign_post(spanish, patient_a.full_name))
    assert response.status_code == 302, response.content[:2000]
    signature = ConsentSignature.objects.get(patient=patient_a)
    assert signature.version == spanish
    assert (signature.language, signature.reader_language) == ("es", "es")
    assert signature.text_shown == consent_text.ES_V2_TEXT
    assert signature.text_sha256 == text_sha256(consent_text.ES_V2_TEXT) == spanish.sha256
    assert signature.hash_matches_text_shown and not signature.read_in_another_language
    copy = client.get(response["Location"]).content.decode()
    assert "Texto en español" in copy and "(coincide con el texto de arriba)" in copy
    assert patient_readiness(patient_a).consent_status == "current"


def test_with_no_version_in_their_language_the_patient_reads_the_default_one_and_a_notice(client, patient_a):
    english = factories.consent_version(2)
    client.force_login(_speaks_spanish(patient_a).user)
    page = client.get(reverse("intake:consent_sign"))
    body = page.content.decode()
    assert "Este documento de consentimiento aún no está disponible en su idioma." in body
    assert "Abajo está el texto de la clínica en inglés." in body and "puede pedir a la clínica un intérprete" in body
    assert english.title in body and 'lang="en"' in body  # the English text, marked as English on the Spanish page
    response = client.post(reverse("intake:consent_sign"), _sign_post(english, patient_a.full_name))
    assert response.status_code == 302
    signature = ConsentSignature.objects.get(patient=patient_a)
    assert (signature.version, signature.language, signature.reader_language) == (english, "en", "es")
    assert signature.text_shown == english.text and signature.read_in_another_language
    copy = client.get(response["Location"]).content.decode()
    assert "Texto en inglés" in copy and "Las páginas de quien firmó estaban en español" in copy
    assert "se le avisó de que este texto no está disponible en su idioma" in copy


def test_an_english_reader_sees_no_notice_and_the_english_version(client, patient_a):
    english = factories.consent_version(2)
    spanish_version()
    client.force_login(patient_a.user)
    body = client.get(reverse("intake:consent_sign")).content.decode()
    assert english.title in body and consent_text.ES_TITLE not in body and "not available in your language" not in body


def test_the_version_shown_follows_the_active_language_and_falls_back_to_the_default():
    assert consent_version_for("es").version is None
    english = factories.consent_version(2)
    assert consent_version_for("es").version == english and consent_version_for("es").in_another_language
    spanish = spanish_version()
    assert consent_version_for("es").version == spanish and not consent_version_for("es").in_another_language
    assert consent_version_for("en").version == english


def test_a_new_version_in_one_language_asks_again_only_those_who_signed_in_it(patient_a, patient_b):
    english = factories.consent_version(2)
    spanish = spanish_version()
    factories.sign(patient_a, english)
    factories.sign(_speaks_spanish(patient_b), spanish)
    factories.consent_version(4)  # a new English wording
    assert patient_readiness(patient_a).consent_status == "out_of_date"
    assert patient_readiness(patient_b).consent_status == "current"
    assert ConsentVersion.objects.get(pk=spanish.pk).active  # activating English left Spanish active
    spanish_version(5, text=consent_text.ES_V2_TEXT + "\n(versión 5)")
    assert patient_readiness(patient_b).consent_status == "out_of_date"
    assert "version 5 is current" in " ".join(patient_readiness(patient_b).missing)


def test_a_first_version_in_a_language_asks_its_readers_only_when_the_clinic_says_so(patient_a, patient_b):
    english = factories.consent_version(2)
    factories.sign(_speaks_spanish(patient_a), english)  # no Spanish text yet: signed the English one
    factories.sign(patient_b, english)
    spanish_version(3)
    assert patient_readiness(patient_a).consent_status == "current"
    spanish_version(4, text=consent_text.ES_V2_TEXT + "\n(4)", asks_other_language_signers=True)
    readiness = patient_readiness(patient_a)
    assert readiness.consent_status == "out_of_date"
    assert "version 4 is now available in the patient's language" in " ".join(readiness.missing)
    assert patient_readiness(patient_b).consent_status == "current"  # an English reader is not asked


def test_an_unoffered_language_never_reaches_a_consent_version():
    row = ConsentVersion(
        title="Consentement",
        version=9,
        effective_date=dt.date(2026, 1, 1),
        text="Texte",
        risks=consent_text.RISKS,
        language="fr",
    )
    with pytest.raises(Exception, match="language"):
        row.full_clean()


def test_signing_records_the_reader_language_of_the_page_when_not_given(patient_a):
    english = factories.consent_version(2)
    with translation.override("es"):
        signature = factories.sign(patient_a, english)
    assert (signature.language, signature.reader_language) == ("en", "es")
    with translation.override("es-mx"):
        other = factories.sign(patient_a, english, cervical=False)
    assert other.reader_language == "es"


def test_the_admin_shows_which_languages_have_an_active_version(rf, clinic_admin):
    factories.consent_version(2)
    admin = ConsentVersionAdmin(ConsentVersion, AdminSite())
    request = rf.get("/admin/intake/consentversion/")
    request.user = clinic_admin
    response = admin.changelist_view(request)
    languages = response.context_data["languages_active"]
    assert [(name, v.version if v else None) for name, v, _default in languages] == [("English", 2), ("Español", None)]
    spanish_version()
    response = admin.changelist_view(request)
    response.render()
    body = response.content.decode()
    assert "Español: version 3 is active." in body and "not yet approved by the clinic" in body
    assert "translation_note" in admin.list_display and "language" in admin.list_display


def test_the_admin_pages_show_the_languages_and_the_demo_translation_note(client, clinic_admin):
    factories.consent_version(2)
    spanish = spanish_version()
    client.force_login(clinic_admin)
    listing = client.get(reverse("admin:intake_consentversion_changelist")).content.decode()
    assert "Active version per language" in listing and "English: version 2 is active." in listing
    assert "Español: version 3 is active." in listing
    body = client.get(reverse("admin:intake_consentversion_change", args=[spanish.pk])).content.decode()
    assert "not yet approved by the clinic" in body and 'value="es" selected' in body


def test_the_migration_keeps_each_signed_text_and_translates_only_our_own_wording(patient_a):
    import importlib

    from django.apps import apps

    from intake.models import QuestionnaireOption

    migration = importlib.import_module("intake.migrations.0004_languages")
    questionnaires = factories.load_questionnaires()
    english = factories.consent_version(2)
    signature = factories.sign(patient_a, english)
    ConsentSignature.objects.filter(pk=signature.pk).update(text_shown="")  # as a row from before the migration
    ndi = questionnaires["ndi"]
    ndi.items.update(translations={})
    QuestionnaireOption.objects.filter(item__questionnaire=ndi).update(translations={})
    ndi.items.filter(code="reading").update(text="Reading (the clinic's licensed wording)")
    type(ndi).objects.filter(pk=ndi.pk).update(translations={})
    migration.keep_exact_text_and_fill_spanish(apps, None)
    signature.refresh_from_db()
    assert signature.text_shown == english.text and signature.hash_matches_text_shown
    ndi.refresh_from_db()
    assert ndi.translations["es"]["title"].startswith("Cuestionario")
    pain = ndi.items.get(code="pain")
    assert pain.translations == {"es": {"text": "¿Qué intensidad tiene su dolor en este momento?"}}
    assert ndi.items.get(code="reading").translations == {}  # not our wording: left for the clinic to translate


def test_one_active_version_per_language_is_held_by_the_database():
    from django.db import IntegrityError, transaction

    english = factories.consent_version(2)
    spanish = spanish_version(3)
    later = spanish_version(4, active=False, text=consent_text.ES_V2_TEXT + "\n(4)")
    assert ConsentVersion.objects.filter(active=True).count() == 2  # one per language, side by side
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsentVersion.objects.filter(pk=later.pk).update(active=True)
    assert {english.pk, spanish.pk} == set(ConsentVersion.objects.filter(active=True).values_list("pk", flat=True))


def test_a_reader_language_the_site_does_not_offer_is_stored_as_the_default(patient_a):
    english = factories.consent_version(2)
    signature = factories.sign(patient_a, english, reader_language="fr")
    assert signature.reader_language == "en"
