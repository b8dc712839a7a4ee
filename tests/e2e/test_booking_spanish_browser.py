"""Issue 24, the booking half of the Spanish journey, on a phone: a newcomer whose browser asks for Spanish
(Accept-Language, no switch touched) books a new-patient exam, signs up on the way, and reads every booking page
in Spanish (axe-core on each, at 390 px and 1280 px); the confirmation the worker sends and the reminder it sends
days later are in Spanish, because the record made while booking keeps the language she read it in."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import expect

from clinic import outbox
from clinic.models import OutgoingNotice, Patient
from scheduling import services
from scheduling.models import Appointment
from tests.e2e.conftest import _new_context
from tests.e2e.harness import PHONE, check_a11y, click_through, shoot, visit

ZONE = ZoneInfo(settings.TIME_ZONE)
MONDAY = dt.date(2030, 6, 3)
THURSDAY = MONDAY + dt.timedelta(days=3)
PASS_PHRASE = "una-frase-larga-de-paso-1"


@pytest.fixture
def context(browser, live_server):
    """A browser set to Spanish (Mexico): it sends Accept-Language es-MX, as such a phone does."""
    context = _new_context(browser, live_server, locale="es-MX")
    yield context
    context.close()


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE)


def test_a_spanish_speaking_newcomer_books_online_in_spanish(page, clinic_clock, clinic_open):
    clinic_clock(at(MONDAY, 9))
    page.set_viewport_size(PHONE)
    main = page.get_by_role("main")

    visit(page, "/book/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reservar una visita")
    expect(page.get_by_role("heading", name="¿Qué visita?")).to_be_visible()
    expect(main).to_contain_text("60 minutos · para pacientes nuevos")
    shoot(page, "spanish-booking-01-type")
    click_through(page, page.get_by_role("link", name=re.compile("^SOT new-patient exam")))
    expect(page.get_by_role("heading", name="¿Con quién?")).to_be_visible()
    click_through(page, page.get_by_role("link", name=re.compile("^El primero disponible")))

    # The days: Spanish weekday and month names; the weekend full.
    days = page.get_by_role("list", name="¿Qué día?")
    saturday = days.get_by_role("listitem").filter(has_text=re.compile(r"sáb\s+8 jun"))
    expect(saturday).to_contain_text("completo")
    shoot(page, "spanish-booking-02-days")
    click_through(page, days.get_by_role("link", name=re.compile(r"^jue\s+6 jun")))
    expect(page.get_by_role("heading", name="Horas del jueves, 6 de junio")).to_be_visible()
    shoot(page, "spanish-booking-03-times")

    click_through(page, page.get_by_role("button", name=re.compile(r"^09:00")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ya casi está")
    expect(main).to_contain_text("jueves, 6 de junio de 2030 a las 09:00")
    expect(page.get_by_role("list", name="Pasos de la reserva")).to_contain_text("5 Confirmar")
    shoot(page, "spanish-booking-04-almost-there")

    # Signing up (allauth's own pages), then back to confirm with the time still held.
    click_through(page, page.get_by_role("link", name="Crear una cuenta"))
    page.locator("#id_email").fill("lucia@example.com")
    page.locator("#id_password1").fill(PASS_PHRASE)
    page.locator("#id_password2").fill(PASS_PHRASE)
    with page.expect_navigation():
        page.locator("#id_password2").press("Enter")
    check_a11y(page)
    assert page.url.endswith("/book/confirm/"), page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirme su visita")

    # About her: a date of birth in the future is refused next to the field, in Spanish, and nothing is lost.
    about = page.get_by_role("group", name="Sobre usted")
    about.get_by_label("Nombre").fill("Lucía")
    about.get_by_label("Apellidos").fill("Ramos")
    about.get_by_label("Fecha de nacimiento").fill("2031-01-01")
    about.get_by_label("Teléfono").fill("(555) 010-3131")
    click_through(page, page.get_by_role("button", name="Confirmar la reserva"))
    about = page.get_by_role("group", name="Sobre usted")
    expect(about).to_contain_text("La fecha de nacimiento no puede ser posterior a hoy.")
    expect(about.get_by_label("Nombre")).to_have_value("Lucía")
    shoot(page, "spanish-booking-05-about-you-refused")
    about.get_by_label("Fecha de nacimiento").fill("1985-03-09")
    click_through(page, page.get_by_role("button", name="Confirmar la reserva"))
    expect(page.get_by_role("status")).to_contain_text(
        "Reservado: SOT new-patient exam el jueves, 6 de junio a las 09:00."
    )
    expect(main).to_contain_text("jueves, 6 de junio de 2030, de 09:00 a 10:00")
    expect(page.get_by_role("link", name="Añadir a mi calendario (.ics)")).to_be_visible()
    shoot(page, "spanish-booking-06-booked")

    visit(page, "/account/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hola, Lucía")
    expect(page.get_by_role("link", name="jueves, 6 de junio a las 09:00")).to_be_visible()
    shoot(page, "spanish-booking-07-account")

    # Moving and cancelling, with the policy said in Spanish.
    appointment = Appointment.objects.get(patient__user__email="lucia@example.com")
    visit(page, f"/account/appointments/{appointment.pk}/reschedule/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Elegir otra hora")
    expect(main).to_contain_text("Aquí no se ofrecen horas dentro de las próximas 24 horas")
    click_through(
        page, page.get_by_role("list", name="¿Qué día?").get_by_role("link", name=re.compile(r"^vie\s+7 jun"))
    )
    expect(page.get_by_role("button", name="viernes, 7 de junio a las 10:00")).to_be_visible()
    shoot(page, "spanish-booking-08-reschedule")
    visit(page, f"/account/appointments/{appointment.pk}/cancel/")
    expect(page.get_by_role("heading", level=1)).to_have_text("¿Cancelar su cita?")
    expect(page.get_by_role("button", name="Sí, cancelar la cita")).to_be_visible()
    shoot(page, "spanish-booking-09-cancel")

    # The worker sends the confirmation (no request, no page language: the record's), and days later the reminder.
    patient = Patient.objects.get(user__email="lucia@example.com")
    assert patient.language == "es"
    confirmation = OutgoingNotice.objects.get(patient=patient, kind="confirmation", state="queued")
    mail.outbox.clear()
    assert outbox.notice_deliver(confirmation.pk) == "sent"
    assert (
        services.reminder_send(
            appointment_id=appointment.pk, sequence=appointment.sequence, now=at(MONDAY + dt.timedelta(days=2), 9)
        )
        == "sent"
    )
    booked, reminder = mail.outbox
    assert booked.subject == f"{settings.CLINIC_NAME}: Su cita del jue 06 jun a las 09:00 está reservada"
    assert "Hola, Lucía:" in booked.body and "Su cita está reservada:" in booked.body
    assert "jueves, 6 de junio de 2030, de 09:00 a 10:00" in booked.body
    assert reminder.subject == f"{settings.CLINIC_NAME}: Recordatorio: su cita del jue 06 jun a las 09:00"
    assert "Le recordamos su cita:" in reminder.body
