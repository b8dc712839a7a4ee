"""The plan questionnaire a patient opens from the e-mailed link, in Spanish when their record says Spanish
(issue 24): the e-mail, the questions and options from the questionnaire's translated data, the page's own words,
"Skip this question" and the missing-item rule's messages; the switch's cookie still wins; English unchanged."""

import html
import re

import pytest
from django.conf import settings
from django.urls import reverse

from clinic.careplans import outcomes
from clinic.models import OutgoingNotice, PlanQuestionnaire
from tests.clinic.test_careplan_outcomes import (  # noqa: F401
    NDI_ITEMS,
    all_answers,
    field_block,
    plan_with_visits,
    token_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def spanish_link(patient_a, plan_with_visits):  # noqa: F811
    patient_a.language = "es"
    patient_a.save()
    outcomes.questionnaires_queue_due()
    notice = OutgoingNotice.objects.get(kind="careplan_questionnaire")
    return notice, reverse("clinic:careplan_questionnaire", args=[token_of(notice)])


def text_of(response) -> str:
    page = response.content.decode()
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_the_e_mail_is_written_in_the_patients_language(spanish_link):
    notice, _link = spanish_link
    assert notice.subject == "Un breve cuestionario antes de su visita del 2 de junio"
    assert notice.body.startswith("Hola, Alice:")
    assert "Antes de su visita del martes, 2 de junio a las 09:00, por favor, responda un breve cuestionario" in (
        notice.body
    )
    assert "(Cuestionario sobre la función del cuello (tipo NDI))" in notice.body
    assert "no necesita contraseña" in notice.body


def test_the_page_asks_the_questions_in_spanish_from_the_questionnaires_data(client, spanish_link):
    _notice, link = spanish_link
    response = client.get(link, HTTP_ACCEPT_LANGUAGE="en")  # an English browser: the record's language wins
    page = response.content.decode()
    assert '<html lang="es">' in page
    text = text_of(response)
    for words in (
        "Cuestionario sobre la función del cuello (tipo NDI)",
        "Antes de su visita del martes, 2 de junio: ¿cómo afecta ahora su problema a su vida?",
        "1. ¿Qué intensidad tiene su dolor en este momento?",
        "En este momento no tengo dolor.",
        "Saltar esta pregunta",
        "Enviar mis respuestas",
        "Solo la clínica ve sus respuestas.",
    ):
        assert words in text, words
    assert page.count('value="skip"') == len(NDI_ITEMS)
    for english in ("How strong is your pain", "Skip this question", "Send my answers", "Before your visit"):
        assert english not in text


def test_a_question_left_blank_and_too_many_skipped_are_said_in_spanish(client, spanish_link):
    _notice, link = spanish_link
    data = all_answers(1)
    del data["item_driving"]
    response = client.post(link, data)
    assert response.status_code == 400
    driving = field_block(html.unescape(response.content.decode()), "item_driving")
    assert "Elija la respuesta que más se parezca a cómo está usted" in driving
    data["item_driving"] = data["item_work"] = "skip"
    response = client.post(link, data)
    assert response.status_code == 400
    text = text_of(response)
    assert "Saltó 2 preguntas. Si se saltan más de 1, el cuestionario no se puede puntuar" in text
    assert "No puedo responder las preguntas que salté: enviarlo tal como está." in text
    response = client.post(link, {f"item_{code}": "skip" for code in NDI_ITEMS})
    assert "Ha saltado todas las preguntas" in text_of(response)
    assert client.post(link, {**data, "send_incomplete": "on"}).status_code == 302
    row = PlanQuestionnaire.objects.get()
    assert row.is_answered and row.percent is None
    done = text_of(client.get(link))
    assert "Gracias" in done and "Sus respuestas llegaron a la clínica el 1 jun 2026" in done


def test_the_switchs_cookie_wins_over_the_record(client, spanish_link):
    _notice, link = spanish_link
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(link)
    assert '<html lang="en">' in response.content.decode()
    assert "How strong is your pain right now?" in text_of(response)


def test_an_english_patient_reads_english(client, patient_a, plan_with_visits):  # noqa: F811
    outcomes.questionnaires_queue_due()
    notice = OutgoingNotice.objects.get(kind="careplan_questionnaire")
    assert notice.subject == "A short questionnaire before your visit on 2 June"
    assert "Before your visit on Tuesday 2 June at 09:00, please answer a short questionnaire" in notice.body
    text = text_of(client.get(reverse("clinic:careplan_questionnaire", args=[token_of(notice)])))
    assert "Before your visit on Tuesday 2 June: how is your problem affecting your life now?" in text
    assert "Skip this question" in text and "Saltar" not in text


def test_a_bad_link_is_said_in_the_browsers_language(client):
    response = client.get(reverse("clinic:careplan_questionnaire", args=["forged:token"]), HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 400
    text = text_of(response)
    assert "Este enlace no se puede usar" in text and "Este enlace no es válido." in text
