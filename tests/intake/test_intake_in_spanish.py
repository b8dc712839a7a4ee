"""Issue 24, intake: a patient whose language is Spanish fills every step in Spanish (interface strings from the
catalog, questionnaire and red-flag texts from the data), gets errors in Spanish, and is scored exactly as in
English; the invitation e-mail goes out in the patient's language and the urgent e-mail to the clinic in English."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from clinic import outbox
from clinic.models import OutgoingNotice
from intake import content, services
from intake.forms import OutcomeForm
from intake.models import OutcomeScore, Questionnaire, QuestionnaireItem
from intake.questionnaire_data import DEFINITIONS, ES_ITEMS
from tests.intake import factories

pytestmark = pytest.mark.django_db


STEP_POSTS = factories.STEP_POSTS


@pytest.fixture
def questionnaires(db):
    return factories.load_questionnaires()


@pytest.fixture
def spanish_patient(patient_a):
    patient_a.language = "es"
    patient_a.save(update_fields=["language"])
    return patient_a


@pytest.fixture
def spanish_client(client, spanish_patient):
    client.force_login(spanish_patient.user)  # no language cookie: the record's language is used
    return client


def _main_text(response) -> str:
    """The visible text of the page's <main> (tags, scripts and attribute values left out)."""
    page = response.content.decode()
    main = page[page.index("<main") : page.index("</main>")]
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))


def _english_texts() -> set[str]:
    """Every English text the intake shows a patient that has a Spanish text: the interface's (from the catalog) and
    the data's (red flags, advice, questionnaires, which carry their Spanish themselves). Short words ("No", "Neck")
    are left out: they can be part of a Spanish sentence or a name."""
    with translation.override("en"):
        data = [str(q) for _c, q, _a in content.RED_FLAGS]
        data += [str(a.heading) for a in content.ADVICE] + [str(a.text) for a in content.ADVICE]
        interface = [str(s.title) for s in content.STEPS] + [str(r.label) for r in content.REGIONS]
        interface += [str(label) for choices in (content.CAUSES, content.HEALTH_CONDITIONS) for _v, label in choices]
    for definition in DEFINITIONS:
        data += [definition["title"], definition["instructions"]] + [i["text"] for i in definition["items"]]
        data += [option for i in definition["items"] for option in i["options"]]
    with translation.override("es"):
        translated = [t for t in interface if translation.gettext(t) != t]
    return {t for t in data + translated if len(t) >= 12}


# Strings the catalog translates, looked for on each step (a sample per step: the label, a button, a help text).
SPANISH_ON_STEP = {
    "about": [
        "Sobre usted",
        "Fecha de nacimiento",
        "Contacto de emergencia: nombre",
        "Guardar y seguir",
        "Paso 1 de 6",
    ],
    "visit": ["¿Dónde le duele?", "Poco a poco, con el tiempo", "Parte baja de la espalda", "0 sin dolor"],
    "health": ["¿Le han dicho alguna vez", "Presión arterial alta", "¿Está embarazada?", "Alergias (opcional)"],
    "redflags": [
        "¿Ha tenido cáncer alguna vez?",
        "¿Tiene dificultad para hablar o para tragar?",
        "Si responde que sí:",
        "Llame de inmediato al número de emergencias".lower(),
    ],
    "outcome": [
        "En cada pregunta, elija la respuesta que mejor describa su problema de cuello hoy.",
        "¿Qué intensidad tiene su dolor en este momento?",
        "El dolor es el peor que puedo imaginar.",
        "Saltar esta pregunta",
        "Manejar (salte esta pregunta si no maneja)",
    ],
    "review": ["Revisar y enviar", "Enviar mi formulario de admisión", "Dónde le duele", "Síntomas importantes"],
}


def test_every_step_is_in_spanish_with_no_english_left(spanish_client, questionnaires):
    english = _english_texts()
    assert "Have you ever had cancer?" in english and "How strong is your pain right now?" in english
    spanish_client.post(reverse("intake:intake_start"))
    for step in ("about", "visit", "health", "redflags", "outcome", "review"):
        response = spanish_client.get(reverse("intake:intake_step", args=[step]))
        assert response.status_code == 200, step
        assert b'<html lang="es">' in response.content
        text = _main_text(response)
        for expected in SPANISH_ON_STEP[step]:
            assert expected.lower() in text.lower(), (step, expected)
        left = sorted(t for t in english if t in text)
        assert not left, (step, left)
        if step in STEP_POSTS:
            saved = spanish_client.post(reverse("intake:intake_step", args=[step]), STEP_POSTS[step])
            assert saved.status_code == 302, (step, saved.content[:1500])


def test_the_intake_home_and_the_advice_are_in_spanish(spanish_client, questionnaires):
    response = spanish_client.get(reverse("intake:intake_home"))
    text = _main_text(response)
    assert "Formulario de admisión y consentimiento" in text and "Empezar el formulario de admisión" in text
    assert "Intake form and consent" not in text
    spanish_client.post(reverse("intake:intake_start"))
    response = spanish_client.post(
        reverse("intake:intake_step", args=["redflags"]), factories.red_flags("speech_swallow", "cancer")
    )
    assert response.status_code == 302
    text = _main_text(spanish_client.get(response["Location"]))
    assert "Pueden ser señales de un derrame cerebral" in text
    assert "Llame a la clínica antes de su visita, o consulte a su médico." in text
    assert "These can be signs of a stroke" not in text and "Have you ever had cancer?" not in text


def test_errors_are_in_spanish_next_to_the_field(spanish_client, questionnaires):
    spanish_client.post(reverse("intake:intake_start"))
    response = spanish_client.post(
        reverse("intake:intake_step", args=["visit"]), {**factories.VISIT, "pain_regions": [], "cause": "other"}
    )
    assert response.status_code == 400
    text = _main_text(response)
    assert "Marque al menos un lugar donde le duela." in text
    assert "Cuéntenos cómo empezó, o elija otra respuesta arriba." in text
    assert "Por favor, corrija las respuestas marcadas más abajo." in text
    assert "Mark at least one place" not in text and "Please correct" not in text
    response = spanish_client.post(reverse("intake:intake_step", args=["about"]), {**factories.ABOUT, "city": ""})
    assert "Este campo es obligatorio." in _main_text(response)  # Django's own Spanish
    spanish_client.post(reverse("intake:intake_step", args=["visit"]), factories.VISIT)  # neck: the NDI-style form
    response = spanish_client.post(reverse("intake:intake_step", args=["outcome"]), {})
    assert "Elija la respuesta que más se parezca a cómo está usted" in _main_text(response)


def test_the_score_is_the_same_whatever_the_language(patient_a, patient_b, questionnaires):
    answers = factories.outcome_post(pain=4, reading=3, headaches="skip", driving=5)
    results = []
    for patient, language in ((patient_a, "en"), (patient_b, "es")):
        with translation.override(language):
            submission = factories.draft(patient, steps=("about", "visit", "health", "redflags"))
            form = OutcomeForm(data=answers, questionnaire=submission.questionnaire)
            assert form.is_valid(), form.errors
            submission = services.intake_save_step(submission=submission, step="outcome", answers=form.cleaned_data)
            services.intake_submit(submission=submission)
        score = OutcomeScore.objects.get(patient=patient)
        results.append((score.answers, score.total, score.items_answered, score.percent, score.band))
    assert results[0] == results[1]
    assert results[0][1:4] == (12, 9, Decimal("26.7"))


def test_questionnaire_texts_are_data_with_an_english_fallback(questionnaires):
    ndi = questionnaires["ndi"]
    item = ndi.items.get(code="pain")
    option = item.options.get(score=5)
    with translation.override("es"):
        assert item.local_text == ES_ITEMS["pain"][0] and option.local_text == ES_ITEMS["pain"][6]
        assert ndi.local_title.startswith("Cuestionario") and ndi.band_label("Moderate") == "Moderada"
        assert "not a validated version" in ndi.local_source_note
    with translation.override("en"):
        assert item.local_text == "How strong is your pain right now?" and ndi.band_label("Moderate") == "Moderate"
    # A row with no Spanish (a clinic's own item) falls back to its English text.
    QuestionnaireItem.objects.filter(pk=item.pk).update(translations={})
    item.refresh_from_db()
    with translation.override("es"):
        assert item.local_text == "How strong is your pain right now?"


def test_a_translation_in_a_language_the_site_does_not_offer_is_refused(questionnaires):
    item = questionnaires["ndi"].items.get(code="pain")
    item.translations = {"fr": {"text": "Quelle est l'intensité de votre douleur ?"}}
    with pytest.raises(ValidationError, match="not a language the site offers"):
        item.full_clean()
    item.translations = {"es": {"title": "no such field"}}
    with pytest.raises(ValidationError, match="cannot be translated here"):
        item.full_clean()
    ndi = Questionnaire.objects.get(code="ndi")
    ndi.translations = {"es": {"title": "x" * 121}}
    with pytest.raises(ValidationError, match="at most 120"):
        ndi.full_clean()


def test_the_invitation_email_is_in_the_patients_language(front_desk, patient_a, patient_b):
    patient_b.language = "es"
    patient_b.save(update_fields=["language"])
    with translation.override("en"):  # the front desk's page is in English
        services.invitation_send(patient=patient_a, email="a@example.com", actor=front_desk)
        services.invitation_send(patient=patient_b, email="b@example.com", actor=front_desk)
    english, spanish = mail.outbox[-2], mail.outbox[-1]
    assert english.subject == f"Your intake form for {settings.CLINIC_NAME}"
    assert spanish.subject == f"Su formulario de admisión para {settings.CLINIC_NAME}"
    assert spanish.body.startswith(f"Hola, {patient_b.first_name}:")
    assert "llene el formulario de admisión" in spanish.body and "Before your first visit" not in spanish.body
    assert f"durante {settings.INTAKE_INVITATION_DAYS} días" in spanish.body


def test_the_urgent_email_to_the_clinic_is_in_english_when_the_patient_answered_in_spanish(spanish_patient):
    submission = factories.draft(spanish_patient, steps=("about",))
    with translation.override("es"):
        services.intake_save_step(submission=submission, step="redflags", answers=factories.red_flags("speech_swallow"))
    notice = OutgoingNotice.objects.get(kind=OutgoingNotice.Kind.URGENT_ANSWER)
    outbox.notice_deliver(notice.pk)
    assert notice.subject.startswith("Urgent: intake answers of")
    assert "Do you have difficulty speaking or swallowing?" in notice.body
    assert "If you have these now, call the emergency number" in notice.body
    assert "tragar" not in notice.body


def test_an_invitation_link_opens_the_pages_in_the_patients_language(client, front_desk, patient_a):
    patient_a.language = "es"
    patient_a.save(update_fields=["language"])
    _invitation, link = services.invitation_send(patient=patient_a, email="a@example.com", actor=front_desk)
    response = client.get(link.removeprefix(settings.CLINIC_SITE_URL))
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    page = client.get(reverse("intake:intake_home"))
    assert b'<html lang="es">' in page.content and "Formulario de admisión y consentimiento" in _main_text(page)
    # A choice already made in this browser is kept.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    again = client.get(link.removeprefix(settings.CLINIC_SITE_URL))
    assert settings.LANGUAGE_COOKIE_NAME not in again.cookies
