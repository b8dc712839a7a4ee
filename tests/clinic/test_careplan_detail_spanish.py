"""The care plan's own page, where a patient reads and accepts their plan, in Spanish for a patient whose record
says Spanish (issue 24): the plan's words, the acceptance form and the accept-online messages; staff unchanged."""

import html
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from clinic.careplans import services
from tests.clinic.test_careplans import propose

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("week_before")]


def text_of(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def test_a_spanish_speaking_patient_reads_and_accepts_their_plan_in_spanish(client_for, patient_a, practitioner_a):
    patient_a.language = "es"
    patient_a.save()
    plan = propose(patient_a, practitioner_a)
    client = client_for(patient_a.user)
    page = client.get(plan.get_absolute_url())
    text = text_of(page)
    assert '<html lang="es"' in page.content.decode()
    assert "Propuesto" in text and "Proposed" not in text  # the plan's status, in Spanish
    assert "Plan de tratamiento" in text and "Visitas por fase" in text and "Aún no aceptado." in text
    assert "He leído este plan de tratamiento y estoy de acuerdo con él." in text
    assert "Aceptar el plan de tratamiento" in text and "Accept the care plan" not in text
    assert re.search(r"Fase 1: \d+ visitas? por semana durante \d+ semanas?", text), text
    assert "Change the plan" not in text and "Cambiar el plan" not in text  # still the patient's view

    refused = text_of(client.post(reverse("clinic:careplan_accept_online", args=[plan.pk]), {}, follow=True))
    assert "Marque la casilla para indicar que está de acuerdo con este plan de tratamiento." in refused
    plan.refresh_from_db()
    assert plan.status == "proposed"
    accepted = client.post(reverse("clinic:careplan_accept_online", args=[plan.pk]), {"agree": "yes"}, follow=True)
    accepted_text = text_of(accepted)
    assert "Gracias: ha aceptado su plan de tratamiento." in accepted_text
    assert "Aceptado por el paciente" in accepted_text and "Accepted by the patient" not in accepted_text
    assert "Aceptado en línea por el paciente" in accepted_text and "Accepted online" not in accepted_text
    plan.refresh_from_db()
    assert (plan.status, plan.accepted_how) == ("accepted", "online")


def test_the_page_stays_english_for_an_english_reader(client_for, patient_a, practitioner_a):
    plan = propose(patient_a, practitioner_a)
    client = client_for(patient_a.user)
    text = text_of(client.get(plan.get_absolute_url()))
    assert "Accept the care plan" in text and "Aceptar" not in text
    done = text_of(client.post(reverse("clinic:careplan_accept_online", args=[plan.pk]), {"agree": "yes"}, follow=True))
    assert "Thank you: you have accepted your care plan." in done


def test_the_refusal_to_accept_a_plan_twice_is_in_the_readers_language(patient_a, practitioner_a):
    plan = propose(patient_a, practitioner_a)
    with translation.override("es"), pytest.raises(ValidationError) as refused:
        services.careplan_accept(plan=plan, actor=practitioner_a.user, how="fax")
    assert refused.value.messages == ["Indique cómo se aceptó el plan: en línea o en persona."]
    services.careplan_accept(plan=plan, actor=practitioner_a.user, how="in_person")
    with translation.override("es"), pytest.raises(ValidationError) as refused:
        services.careplan_accept(plan=plan, actor=practitioner_a.user, how="online")
    assert refused.value.messages == ["Este plan está aceptado por el paciente: no hay nada que aceptar."]
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.careplan_accept(plan=plan, actor=practitioner_a.user, how="online")
    assert refused.value.messages == ["This plan is accepted by the patient: there is nothing to accept."]
