"""The patient pages marked last (issue 24): the recall opt-out page a patient opens from an e-mail, and the record
PDF a patient downloads from their account, are in Spanish when Spanish is the active language; English unchanged."""

import html
import re

import pytest
from django.conf import settings
from django.utils import translation

from clinic.careplans import recalls
from clinic.models import RecallOptOut
from clinic.records.services import records_pdf
from tests.clinic.test_records_pdf import _text, alice_record  # noqa: F401

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def opt_out_path(patient):
    from django.urls import reverse

    return reverse("clinic:recall_opt_out", args=[recalls.opt_out_token(patient)])


def pdf_texts(patient, actor, language, **kinds) -> dict[str, str]:
    """The text of each PDF the patient downloads, by kind, read in `language`: `kinds` maps a kind to the id of
    its item (None for the whole record)."""
    with translation.override(language):
        return {
            kind: _text(records_pdf(patient=patient, actor=actor, reason="copy", kind=kind, item_id=item_id))
            for kind, item_id in kinds.items()
        }


def test_the_recall_opt_out_page_is_in_spanish_for_a_spanish_reader(client, patient_a):
    patient_a.language = "es"
    patient_a.save()
    path = opt_out_path(patient_a)
    page = client.get(path, HTTP_ACCEPT_LANGUAGE="en")  # an English browser: the record's language wins
    text = text_of(page)
    assert page.status_code == 200 and '<html lang="es"' in page.content.decode()
    assert "¿Dejar de recibir los correos de recordatorio de seguimiento?" in text
    assert "Dejar de recibir estos correos" in text and "Stop recall e-mails" not in text
    done = client.post(path, HTTP_ACCEPT_LANGUAGE="en")
    text = text_of(done)
    assert "Ya no recibirá más correos de recordatorio de seguimiento" in text
    assert re.search(r"Registramos su decisión el \d+ de [a-z]+ de \d{4}\.", text), text
    assert RecallOptOut.objects.filter(patient=patient_a).count() == 1


def test_the_recall_opt_out_page_stays_english_by_default(client, patient_a):
    text = text_of(client.get(opt_out_path(patient_a), HTTP_ACCEPT_LANGUAGE="en"))
    assert "Stop recall e-mails?" in text and "Dejar" not in text


def test_the_recall_opt_out_page_follows_the_record_not_a_spanish_browser(client, patient_a):
    assert patient_a.language != "es"
    page = client.get(opt_out_path(patient_a), HTTP_ACCEPT_LANGUAGE="es")
    assert '<html lang="en"' in page.content.decode()
    assert "Stop recall e-mails?" in text_of(page)


def test_the_language_switch_on_this_browser_wins_over_the_record(client, patient_a):
    patient_a.language = "es"
    patient_a.save()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    path = opt_out_path(patient_a)
    text = text_of(client.get(path, HTTP_ACCEPT_LANGUAGE="es"))
    assert "Stop recall e-mails?" in text and "Dejar" not in text
    text = text_of(client.post(path))
    assert "Dejar" not in text and "Ya no recibirá" not in text
    assert RecallOptOut.objects.filter(patient=patient_a).count() == 1


def test_the_record_pdf_a_patient_downloads_is_in_spanish(alice_record, patient_a, front_desk):  # noqa: F811
    record, _note = alice_record
    signature = record.signature
    with translation.override("es"):
        data = records_pdf(patient=patient_a, actor=front_desk, reason="copy", kind="consent", item_id=signature.pk)
    text = _text(data)
    assert "Página 1 de 1" in text or "Página 1 de 2" in text, text[-300:]
    assert f"nacido/a el {patient_a.date_of_birth:%Y-%m-%d}" in text
    assert "Generado el " in text
    assert "Atención que incluye procedimientos en el cuello (cervicales)" in text
    assert f"Firmado por {signature.signer_name}" in text and "Alcance" in text
    assert "Signed by" not in text and "Page 1 of" not in text
    # The text the patient signed is theirs, not translated.
    assert re.sub(r"\s+", " ", signature.version.text)[:60] in text


def test_the_record_pdf_titles_and_sex_label_are_in_spanish(alice_record, patient_a, front_desk):  # noqa: F811
    record, note = alice_record
    patient_a.sex = "female"
    patient_a.save()
    texts = pdf_texts(patient_a, front_desk, "es", record=None, note=note.pk, consent=record.signature.pk)
    whole, one_note, consent = texts["record"], texts["note"], texts["consent"]
    assert "Expediente del paciente" in whole and "Patient record" not in whole
    assert "Femenino" in whole and "Female" not in whole
    assert "Nota de la visita" in one_note and "Visit note" not in one_note
    assert "Consentimiento para la atención" in consent and "Consent to care" not in consent


def test_the_record_pdf_titles_stay_english_for_an_english_reader(alice_record, patient_a, front_desk):  # noqa: F811
    _record, note = alice_record
    patient_a.sex = "female"
    patient_a.save()
    texts = pdf_texts(patient_a, front_desk, "en", record=None, note=note.pk)
    whole, one_note = texts["record"], texts["note"]
    assert "Patient record" in whole and "Female" in whole and "Expediente" not in whole
    assert "Visit note" in one_note


def test_the_record_pdf_names_the_intake_sections_in_the_readers_language():
    from clinic.records.pdf import _answer_sections

    answers = {"about": {"first_name": "Ana"}, "redflags": {"numbness": "no"}, "outcome": {"q1": 2}}
    with translation.override("en"):
        english = [name for name, _rows in _answer_sections(answers)]
    with translation.override("es"):
        spanish = [name for name, _rows in _answer_sections(answers)]
    assert english == ["About", "Redflags", "Outcome"]
    assert spanish == ["Datos personales", "Señales de alarma", "Cuestionario de resultados"]


def test_a_forged_opt_out_link_is_refused_in_the_browsers_language(client, patient_a):
    """No record can be read from a forged link, so the page speaks the browser's language."""
    forged = opt_out_path(patient_a)[:-3] + "xx/"
    spanish = client.get(forged, HTTP_ACCEPT_LANGUAGE="es")
    assert spanish.status_code == 400
    assert "Este enlace no es válido" in text_of(spanish) and settings.CLINIC_PHONE in text_of(spanish)
    english = client.get(forged, HTTP_ACCEPT_LANGUAGE="en")
    assert "This link is not valid. Check that you copied all of it" in text_of(english)
