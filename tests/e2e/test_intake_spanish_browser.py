"""Issue 24, intake part, in a browser at 390 px: a patient whose language is Spanish (stored on her record; her
phone also asks for Spanish) fills the whole intake and signs the Spanish consent. Every page is in Spanish
(`<html lang="es">`), the errors too, and axe-core (WCAG 2.2 A/AA and best practice, any impact) finds nothing on
any of them. Screenshots under tests/e2e/screenshots/intake-es-*."""

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from intake import consent_text
from intake.models import ConsentSignature, IntakeSubmission, text_sha256
from tests.e2e.harness import PHONE, a11y_state, click_through, shoot, visit
from tests.e2e.test_axe_strict import strict_violations
from tests.intake import factories as intake


@pytest.fixture
def spanish_clinic(db):
    intake.load_questionnaires()
    intake.consent_version(2)
    return intake.spanish_consent_version(3)


def axe_here(page, what: str, found: list[str]) -> None:
    """Strict axe-core at the current (phone) width; every violation is collected with where it is."""
    for v in strict_violations(page):
        nodes = "; ".join(", ".join(map(str, n["target"])) for n in v["nodes"][:3])
        found.append(f"{what}: {v['id']} ({v['impact']}) at {nodes}")
    a11y_state(page)["pending"] = None


def signed_in(page, user, live_server) -> None:
    """The patient's browser holds her session (the sign-in page is the accounts' own, tested elsewhere); no
    language cookie, so her pages follow the language on her record."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


def in_spanish(page) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "es")


def test_a_spanish_reader_fills_the_intake_and_signs_the_spanish_consent_on_a_phone(
    another_browser, spanish_clinic, patient_a, live_server
):
    patient_a.language = "es"
    patient_a.save(update_fields=["language"])
    page = another_browser(locale="es-US")
    page.set_viewport_size(PHONE)
    found: list[str] = []
    signed_in(page, patient_a.user, live_server)
    visit(page, "/intake/")
    in_spanish(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Formulario de admisión y consentimiento")
    axe_here(page, "intake home", found)
    shoot(page, "intake-es-1-home", widths=("phone",))
    click_through(page, page.get_by_role("button", name="Empezar el formulario de admisión"))

    # Step 1: her details, checked against the record.
    expect(page.get_by_role("heading", level=1)).to_have_text("Sobre usted")
    expect(page.get_by_text("Paso 1 de 6")).to_be_visible()
    expect(page.get_by_label("Fecha de nacimiento")).to_have_value("1985-06-15")  # the record's, in ISO form
    page.get_by_label("Sexo").select_option("female")
    page.get_by_label("Dirección (calle y número)").fill("12 Harbour Street")
    page.get_by_label("Ciudad o pueblo").fill("Portland")
    page.get_by_label("Contacto de emergencia: nombre").fill("Sam Arnold")
    page.get_by_label("Contacto de emergencia: teléfono").fill("(555) 010-9876")
    axe_here(page, "step about", found)
    shoot(page, "intake-es-2-about", widths=("phone",))
    click_through(page, page.get_by_role("button", name="Guardar y seguir"))

    # Step 2: first a mistake (no place marked), told in Spanish next to the field; then right.
    expect(page.get_by_role("heading", level=1)).to_have_text("Su visita")
    page.get_by_label("¿Por qué viene?").fill("Cuello rígido, peor frente a la computadora")
    page.get_by_role("radio", name="Cuello", exact=True).check()
    page.get_by_label("¿Cuándo empezó?").fill("Hace tres semanas")
    page.get_by_label("¿Cómo empezó?").select_option(label="Poco a poco, con el tiempo")
    page.get_by_role("radiogroup", name="Dolor de 0 a 10").get_by_text("4", exact=True).click()
    click_through(page, page.get_by_role("button", name="Guardar y seguir"))
    expect(page.get_by_role("alert").first).to_contain_text("corrija las respuestas marcadas más abajo")
    expect(page.get_by_text("Marque al menos un lugar donde le duela.")).to_be_visible()
    axe_here(page, "step visit with an error", found)
    shoot(page, "intake-es-3-visit-error", widths=("phone",))
    page.locator('svg [data-region="neck_back"]').click()
    expect(page.get_by_role("checkbox", name="Nuca")).to_be_checked()
    click_through(page, page.get_by_role("button", name="Guardar y seguir"))

    # Step 3: health history.
    expect(page.get_by_role("heading", level=1)).to_have_text("Historial de salud")
    page.get_by_role("checkbox", name="Ninguna de estas").check()
    page.get_by_role("group", name=re.compile("anticoagulante")).get_by_label("No", exact=True).check()
    page.get_by_role("group", name="¿Está embarazada?").get_by_label("No", exact=True).check()
    axe_here(page, "step health", found)
    shoot(page, "intake-es-4-health", widths=("phone",))
    click_through(page, page.get_by_role("button", name="Guardar y seguir"))

    # Step 4: important symptoms, in the data's Spanish wording.
    expect(page.get_by_role("heading", level=1)).to_have_text("Síntomas importantes")
    expect(page.get_by_role("group", name="¿Ha tenido cáncer alguna vez?")).to_be_visible()
    questions = page.locator("main form fieldset")
    for i in range(questions.count()):
        questions.nth(i).get_by_label("No", exact=True).check()
    axe_here(page, "step red flags", found)
    shoot(page, "intake-es-5-red-flags", widths=("phone",))
    click_through(page, page.get_by_role("button", name="Guardar y seguir"))

    # Step 5: the neck questionnaire in Spanish.
    expect(page.get_by_role("heading", level=1)).to_have_text("Cómo afecta el dolor a su vida diaria")
    expect(page.get_by_role("group", name=re.compile("Qué intensidad tiene su dolor"))).to_be_visible()
    items = page.locator("main form fieldset")
    assert items.count() == 10
    for i in range(items.count()):
        items.nth(i).get_by_role("radio").nth(1).check()
    axe_here(page, "step questionnaire", found)
    shoot(page, "intake-es-6-questionnaire", widths=("phone",))
    click_through(page, page.get_by_role("button", name="Guardar y seguir"))

    # Step 6: check and submit.
    expect(page.get_by_role("heading", level=1)).to_have_text("Revisar y enviar")
    expect(page.get_by_role("main")).to_contain_text("Cuello rígido, peor frente a la computadora")
    axe_here(page, "step review", found)
    shoot(page, "intake-es-7-review", widths=("phone",))
    click_through(page, page.get_by_role("button", name="Enviar mi formulario de admisión"))
    expect(page.get_by_role("status")).to_contain_text("su formulario de admisión se envió")
    submission = IntakeSubmission.objects.get(patient=patient_a)
    assert submission.status == IntakeSubmission.Status.SUBMITTED
    assert submission.outcome_score.total == 10 and submission.outcome_score.items_answered == 10

    # The Spanish consent: read to the end (keyboard), tick each risk, choose, sign.
    click_through(page, page.get_by_role("link", name="Leer y firmar el consentimiento"))
    in_spanish(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(consent_text.ES_TITLE)
    expect(page.get_by_text("no está disponible en su idioma")).to_have_count(0)
    sign = page.get_by_role("button", name="Firmar el consentimiento")
    expect(sign).to_be_disabled()
    axe_here(page, "consent", found)
    shoot(page, "intake-es-8-consent", widths=("phone",))
    page.get_by_role("region", name="Lea todo el texto").focus()
    page.keyboard.press("End")
    expect(sign).to_be_enabled()
    risks = page.get_by_role("group", name="Confirme cada riesgo").get_by_role("checkbox")
    assert risks.count() == len(consent_text.ES_RISKS)
    for i in range(risks.count()):
        risks.nth(i).check()
    page.get_by_label("Sí, acepto procedimientos en el cuello").check()
    page.get_by_label("Escriba su nombre completo para firmar").fill("Alice Arnold")
    click_through(page, sign)

    signature = ConsentSignature.objects.get(patient=patient_a)
    assert (signature.version, signature.language, signature.reader_language) == (spanish_clinic, "es", "es")
    assert signature.text_shown == consent_text.ES_V2_TEXT
    assert signature.text_sha256 == text_sha256(consent_text.ES_V2_TEXT)
    expect(page.get_by_role("status")).to_contain_text("su consentimiento está firmado")
    copy = page.locator("article.consent-copy")
    expect(copy).to_contain_text("Aceptó procedimientos en el cuello.")
    expect(copy).to_contain_text("(coincide con el texto de arriba)")
    axe_here(page, "signed copy", found)
    shoot(page, "intake-es-9-signed-copy", widths=("phone",))
    assert not found, "\n".join(found)


def test_a_spanish_reader_with_no_spanish_consent_is_told_and_reads_the_english_text(
    another_browser, patient_a, live_server
):
    english = intake.consent_version(2)
    patient_a.language = "es"
    patient_a.save(update_fields=["language"])
    page = another_browser(locale="es-US")
    page.set_viewport_size(PHONE)
    signed_in(page, patient_a.user, live_server)
    visit(page, "/intake/consent/")
    in_spanish(page)
    notice = page.locator("[data-consent-language-notice]")
    expect(notice).to_contain_text("Este documento de consentimiento aún no está disponible en su idioma.")
    expect(notice).to_contain_text("intérprete")
    expect(page.get_by_role("heading", level=1)).to_have_text(english.title)
    expect(page.get_by_role("heading", level=1)).to_have_attribute("lang", "en")
    found: list[str] = []
    axe_here(page, "consent in another language", found)
    shoot(page, "intake-es-10-consent-not-in-spanish", widths=("phone",))
    assert not found, "\n".join(found)
