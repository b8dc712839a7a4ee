"""The patient's side of scheduling in Spanish (issue 24): the booking steps, the account pages, the policy texts,
the errors, and every e-mail, in the language of the page or, for e-mails, the language on the patient's record,
whatever the language of the request that caused them; weekday and month names in Spanish."""

import datetime as dt
import html
import re

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse

from clinic import outbox
from clinic.models import OutgoingNotice, Patient
from scheduling import ics, services
from scheduling.forms import slot_value
from scheduling.models import Appointment, WaitlistEntry
from tests.scheduling.conftest import about_you, at, book, book_hold, book_series

BOOK = reverse("scheduling:book_start")
HOLD = reverse("scheduling:book_hold")
CONFIRM = reverse("scheduling:book_confirm")
ES = {"HTTP_ACCEPT_LANGUAGE": "es-MX,es;q=0.9"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
COOKIE = settings.LANGUAGE_COOKIE_NAME

pytestmark = pytest.mark.usefixtures("immediate")

# Words of the English texts these pages used to show; none may be left in the Spanish page's main text.
# (Names are data: "SOT new-patient exam", "Dr. Ada Adams", "Harbour Street" contain none of these words.)
ENGLISH = re.compile(
    r"\b(the|your|you|with|and|or|at|on|to|Choose|Book|Booked|Confirm|free|full|Visit|When|Where|Which|Time|"
    r"Times|hours?|minutes|Cancel|cancelled|call|Hello|Monday|Tuesday|Wednesday|Thursday|Friday|June|Jun|"
    r"Mon|Tue|Wed|Thu|Fri|Sat|Sun|Please|change|online)\b"
)


def main_text(response) -> str:
    """What a person reads in the page's <main>: tags, scripts and the csrf token gone, entities decoded."""
    page = response.content.decode()
    assert '<html lang="es">' in page, page[:300]
    body = page.split("<main", 1)[1].split("</main>", 1)[0]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    labels = " ".join(re.findall(r'aria-label="([^"]*)"', body))
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body) + " " + labels).split())


def assert_spanish(response, *expected: str) -> str:
    text = main_text(response)
    for words in expected:
        assert words in text, f"{words!r} not in: {text}"
    left = sorted(set(ENGLISH.findall(text)))
    assert not left, f"English left: {left} in: {text}"
    return text


def hold(client, appointment_type, start, practitioner, mode=None):
    return book_hold(client, appointment_type, start, practitioner, mode, **ES)


def about(**overrides):
    return about_you("Lucía", "Ramos", "1985-03-09", "(555) 010-3131", **overrides)


# --- The booking steps -------------------------------------------------------------------------------


def test_every_booking_step_reads_in_spanish_for_a_browser_that_asks_for_it(client, clinic, practitioner_a):
    assert_spanish(client.get(BOOK, **ES), "Reservar una visita", "¿Qué visita?", "60 minutos", "1 Visita")
    step = {"type": "sot-new-patient-exam"}
    assert_spanish(client.get(BOOK, step, **ES), "¿Con quién?", "El primero disponible", "Cambiar")
    step["practitioner"] = "any"
    days = assert_spanish(client.get(BOOK, step, **ES), "¿Qué día?", "mar 2 jun", "completo", "Fechas posteriores")
    assert "libres" in days and "sáb 6 jun" in days
    step["day"] = "2026-06-02"
    assert_spanish(client.get(BOOK, step, **ES), "Horas del martes, 2 de junio", "09:00")


def test_the_step_shown_again_says_why_in_spanish(client, clinic):
    response = client.get(BOOK, {"type": "no-such-type"}, **ES)
    assert_spanish(response, "Ese tipo de visita no se puede reservar en línea. Elija uno de los siguientes.")


def test_the_held_time_and_the_account_step_read_in_spanish(client, clinic, practitioner_a):
    hold(client, clinic["exam"], at(1, 9), practitioner_a, mode="any")
    text = assert_spanish(
        client.get(CONFIRM, **ES),
        "Ya casi está",
        "martes, 2 de junio de 2026 a las 09:00",
        "(el primero disponible)",
        "Crear una cuenta",
        "Ya tengo cuenta: iniciar sesión",
    )
    assert "Elegir otra hora" in text


def test_a_newcomer_books_in_spanish_errors_included_and_the_record_keeps_spanish(
    client, clinic, practitioner_a, commits
):
    """Accept-Language only (no switch): the about-you errors, the confirmation message and the e-mail in
    Spanish, and the new record says es, so the worker's later e-mails are too."""
    hold(client, clinic["exam"], at(1, 9), practitioner_a, mode="any")
    client.post(
        reverse("account_signup"),
        {"email": "lucia@example.com", "password1": "a-long-pass-phrase", "password2": "a-long-pass-phrase"},
        **ES,
    )
    assert_spanish(client.get(CONFIRM, **ES), "Confirme su visita", "Sobre usted", "Fecha de nacimiento")
    slot = slot_value(at(1, 9), practitioner_a.pk)
    refused = client.post(CONFIRM, {"slot": slot, **about(**{"about-date_of_birth": "2031-01-01"})}, **ES)
    assert refused.status_code == 400
    assert "La fecha de nacimiento no puede ser posterior a hoy." in assert_spanish(refused)
    refused = client.post(CONFIRM, {"slot": slot, **about(**{"about-first_name": ""})}, **ES)
    assert "Este campo es obligatorio." in main_text(refused)
    assert not Patient.objects.filter(user__email="lucia@example.com").exists()

    mail.outbox.clear()
    with commits():
        response = client.post(CONFIRM, {"slot": slot, **about()}, **ES, follow=True)
    patient = Patient.objects.get(user__email="lucia@example.com")
    assert patient.language == "es"
    assert_spanish(
        response,
        "Reservado: SOT new-patient exam el martes, 2 de junio a las 09:00.",
        "Le enviamos una confirmación por correo electrónico.",
        "Puede cambiarla o cancelarla en línea hasta el lun 1 jun, 09:00.",
        "Añadir a mi calendario (.ics)",
        "Estado Reservada",
    )
    (message,) = mail.outbox
    assert message.subject == f"{settings.CLINIC_NAME}: Su cita del mar 02 jun a las 09:00 está reservada"
    assert "Hola, Lucía:" in message.body and "martes, 2 de junio de 2026, de 09:00 a 10:00" in message.body
    html_body = message.alternatives[0][0]
    assert '<html lang="es">' in html_body and "Su cita está reservada:" in html_body


def test_a_taken_time_is_said_in_spanish_with_the_nearest_times(
    client_for, returning, patient_b, clinic, practitioner_a
):
    returning.language = "es"
    returning.save()
    client = client_for(returning.user)
    hold(client, clinic["adjustment"], at(1, 10), practitioner_a)
    services.appointment_book(
        patient=patient_b, practitioner=practitioner_a, appointment_type=clinic["adjustment"], start=at(1, 10)
    )
    response = client.post(CONFIRM, {"slot": slot_value(at(1, 10), practitioner_a.pk)})
    assert response.status_code == 409
    assert_spanish(
        response,
        "Alguien acaba de reservar esa hora",
        "Elija otra hora más abajo; no se pierde nada de lo que escribió.",
        "Las horas libres más cercanas",
        "a las",
    )


def test_a_time_over_ones_own_visit_is_refused_in_spanish(
    client_for, returning, clinic, practitioner_b, practitioner_a
):
    returning.language = "es"
    returning.save()
    services.appointment_book(
        patient=returning, practitioner=practitioner_b, appointment_type=clinic["adjustment"], start=at(1, 10)
    )
    client = client_for(returning.user)
    hold(client, clinic["adjustment"], at(1, 10), practitioner_a)
    response = client.post(CONFIRM, {"slot": slot_value(at(1, 10), practitioner_a.pk)})
    assert response.status_code == 400
    assert_spanish(
        response, "Usted ya tiene una visita ese día de 10:00 a 10:30 con Dr. Bo Brown. Elija otra hora o cambie"
    )


# --- The account: appointments, cancel, reschedule, the policy ---------------------------------------


@pytest.fixture
def upcoming(clinic, patient_a, practitioner_a):
    """Patient A, whose record says Spanish, on Wednesday 3 June 09:00, booked online."""
    patient_a.language = "es"
    patient_a.save()
    return book(patient_a, practitioner_a, clinic["adjustment"], at(2, 9), source=Appointment.Source.ONLINE)


def test_the_account_pages_read_in_spanish_from_the_record(client_for, upcoming, patient_a, returning):
    client = client_for(patient_a.user)  # no cookie, English browser: the record's language
    home = client.get(reverse("scheduling:account_home"), **EN)
    assert home.cookies[COOKIE].value == "es"
    assert_spanish(home, "Hola, Alice", "Próximas", "miércoles, 3 de junio a las 09:00", "Pasadas y canceladas")
    assert "Realizada" in main_text(home)
    page = client.get(reverse("scheduling:account_appointment", args=[upcoming.pk]), **EN)
    assert_spanish(
        page,
        "miércoles, 3 de junio de 2026, de 09:00 a 09:30",
        "Puede cambiarla o cancelarla en línea hasta el martes, 2 de junio, 09:00 (24 horas antes).",
        "Cancelar esta cita…",
    )
    cancel = client.get(reverse("scheduling:account_cancel", args=[upcoming.pk]), **EN)
    assert_spanish(cancel, "¿Cancelar su cita?", "Motivo (opcional)", "Sí, cancelar la cita", "No, mantenerla")
    move = client.get(reverse("scheduling:account_reschedule", args=[upcoming.pk]), {"day": "2026-06-04"}, **EN)
    assert_spanish(
        move,
        "Elegir otra hora",
        "ahora el miércoles, 3 de junio a las 09:00",
        "Aquí no se ofrecen horas dentro de las próximas 24 horas",
        "Horas del jueves, 4 de junio",
        "jueves, 4 de junio a las 14:00",  # a time's button, as a screen reader names it
    )


def test_inside_the_policy_window_the_pages_and_the_refusal_say_call_in_spanish(client_for, upcoming, patient_a):
    with time_machine.travel(at(1, 10), tick=False):
        client = client_for(patient_a.user)
        page = client.get(reverse("scheduling:account_appointment", args=[upcoming.pk]))
        assert_spanish(page, "Faltan menos de 24 horas para su cita, así que ya no se puede cambiar en línea.")
        cancel = client.get(reverse("scheduling:account_cancel", args=[upcoming.pk]))
        assert_spanish(cancel, "ya no se puede cancelar en línea", "Para cancelarla, por favor, llame a la clínica")
        refused = client.post(reverse("scheduling:account_cancel", args=[upcoming.pk]), {"reason": ""})
    assert refused.status_code == 400
    assert_spanish(refused, "Las citas se pueden cancelar en línea hasta 24 horas antes. Por favor, llame")
    upcoming.refresh_from_db()
    assert upcoming.status == Appointment.Status.BOOKED


def test_a_booking_inside_the_window_is_announced_in_spanish(client_for, returning, clinic, practitioner_a):
    returning.language = "es"
    returning.save()
    client = client_for(returning.user)
    hold(client, clinic["adjustment"], at(0, 15), practitioner_a)
    assert_spanish(client.get(CONFIRM), "Faltan menos de 24 horas para esta visita", "hasta 24 horas antes")


def test_cancelling_and_moving_in_spanish_send_spanish_e_mails(
    client_for, upcoming, patient_a, practitioner_a, commits
):
    client = client_for(patient_a.user)
    url = reverse("scheduling:account_reschedule", args=[upcoming.pk])
    with commits():
        moved = client.post(url, {"slot": slot_value(at(3, 14), practitioner_a.pk)}, follow=True)
    assert_spanish(moved, "Su cita se ha cambiado. Le enviamos la nueva hora por correo electrónico.")
    with commits():
        cancelled = client.post(reverse("scheduling:account_cancel", args=[upcoming.pk]), {"reason": ""}, follow=True)
    assert_spanish(cancelled, "Su cita está cancelada. Le enviamos una confirmación por correo electrónico.")
    assert [m.subject.split(": ", 1)[1] for m in mail.outbox] == [
        "Su cita se ha cambiado al jue 04 jun a las 14:00",
        "Su cita del jue 04 jun a las 14:00 está cancelada",
    ]
    assert "Su cita ha cambiado. La nueva hora es:" in mail.outbox[0].body
    assert "Esta cita está cancelada:" in mail.outbox[1].body and "jueves, 4 de junio de 2026" in mail.outbox[1].body


# --- E-mails sent later, by the worker, in the record's language ---------------------------------------


def test_an_english_request_still_e_mails_a_spanish_patient_in_spanish(client_for, front_desk, upcoming, commits):
    """The front desk (English) moves the visit; the notice and, later, the worker's reminder are Spanish."""
    with commits():
        client_for(front_desk).post(
            reverse("scheduling:appointment_move", args=[upcoming.pk]),
            {"start": "2026-06-04T14:00", "practitioner": ""},
            **EN,
        )
    upcoming.refresh_from_db()
    assert upcoming.start == at(3, 14), "the desk's move did not happen"
    (moved,) = mail.outbox
    assert "jueves, 4 de junio de 2026, de 14:00 a 14:30" in moved.body
    mail.outbox.clear()
    with time_machine.travel(at(2, 15), tick=False):  # the day before, in the worker, no request at all
        assert services.reminders_enqueue_due(inline=True) == 1
    (reminder,) = mail.outbox
    assert reminder.subject == f"{settings.CLINIC_NAME}: Recordatorio: su cita del jue 04 jun a las 14:00"
    assert "Le recordamos su cita:" in reminder.body and "Hola, Alice:" in reminder.body
    assert "Puede cambiarla o cancelarla en línea hasta 24 horas antes" in reminder.body
    html_body = reminder.alternatives[0][0]
    assert "jueves, 4 de junio de 2026" in html_body and "Ver, cambiar o cancelar esta cita" in html_body
    calendar = next(part for part in reminder.attachments if "calendar" in str(part.get_content_type()))
    assert "SOT adjustment con Dr. Ada Adams" in calendar.get_payload(decode=True).decode()


def test_a_notice_queued_in_english_and_delivered_later_is_rendered_in_the_patients_language(upcoming):
    notice = outbox.notice_record(
        kind="reminder",
        patient=upcoming.patient,
        recipient=upcoming.patient.email,
        context={"appointment": upcoming.pk, "sequence": upcoming.sequence},
    )
    assert outbox.notice_deliver(notice.pk) == "sent"
    assert mail.outbox[0].subject.endswith("Recordatorio: su cita del mié 03 jun a las 09:00")
    assert OutgoingNotice.objects.get(pk=notice.pk).state == OutgoingNotice.State.SENT


def test_an_english_patient_still_reads_english(clinic, patient_b, practitioner_a, commits):
    with commits():
        book(patient_b, practitioner_a, clinic["adjustment"], at(1, 9), notify=True)
    assert mail.outbox[0].subject.endswith("Your appointment on Tue 02 Jun at 09:00 is booked")
    assert "Tuesday 2 June 2026, 09:00 to 09:30" in mail.outbox[0].body


def test_the_waitlist_offer_is_written_in_the_waiting_patients_language(
    client_for, upcoming, patient_a, patient_b, clinic, commits
):
    """Alice (English pages this time) cancels; Bruno, whose record says Spanish, is offered her time in Spanish,
    and the outbox keeps the message as written."""
    patient_b.language = "es"
    patient_b.save()
    WaitlistEntry.objects.create(
        patient=patient_b,
        appointment_type=clinic["adjustment"],
        earliest_date=dt.date(2026, 6, 3),
        latest_date=dt.date(2026, 6, 3),
    )
    client = client_for(patient_a.user)
    client.cookies[COOKIE] = "en"
    with commits():
        client.post(reverse("scheduling:account_cancel", args=[upcoming.pk]), {"reason": ""})
    offer = next(m for m in mail.outbox if m.to == [patient_b.email])
    assert offer.subject == f"{settings.CLINIC_NAME}: hay una hora libre el mié 03 jun a las 09:00"
    assert "Hola, Bruno:" in offer.body
    assert "SOT adjustment con Dr. Ada Adams" in offer.body
    assert "miércoles, 3 de junio de 2026 a las 09:00" in offer.body
    assert "la primera persona que nos llame" in offer.body
    stored = OutgoingNotice.objects.get(kind=OutgoingNotice.Kind.WAITLIST_OFFER)
    assert stored.subject == offer.subject and stored.body == offer.body
    cancelled = next(m for m in mail.outbox if m.to == [patient_a.email])
    assert "Su cita del" in cancelled.subject  # Alice's own notice follows her record, not this page


def test_a_care_plan_series_confirmation_is_in_the_patients_language(clinic, patient_a, practitioner_a, commits):
    patient_a.language = "es"
    patient_a.save()
    with commits():
        starts = [at(1, 9), at(3, 9)]  # Tuesday and Thursday, from Monday
        book_series(patient_a, practitioner_a, clinic["adjustment"], starts, first_date=at(0, 9).date(), notify=True)
    (message,) = mail.outbox
    assert message.subject == f"{settings.CLINIC_NAME}: sus 2 visitas a partir del mar 02 jun están reservadas"
    for text in (message.body, message.alternatives[0][0]):
        assert "Su plan de tratamiento está reservado: 2 visitas de" in text
        assert "martes, 2 de junio de 2026, de 09:00 a 09:30" in text and "jueves, 4 de junio de 2026" in text
        assert "Le enviamos un recordatorio 24 horas antes de cada visita." in text


def test_the_calendar_download_reads_in_the_pages_language(client_for, upcoming, patient_a):
    data = client_for(patient_a.user).get(reverse("scheduling:account_calendar", args=[upcoming.pk])).content
    text = data.decode()
    assert "SUMMARY:SOT adjustment con Dr. Ada Adams" in text
    assert "Cambiar o cancelar: " in text.replace("\r\n ", "")
    assert ics.appointment_calendar(upcoming)  # and in English outside any request: no error


def test_the_front_desk_sees_the_patients_language_on_the_appointment_page(client_for, front_desk, upcoming):
    page = client_for(front_desk).get(reverse("scheduling:appointment_detail", args=[upcoming.pk]), **EN)
    assert '<html lang="en">' in page.content.decode()
    assert re.search(r'<dt[^>]*>Language</dt><dd[^>]*lang="es"[^>]*>Español</dd>', page.content.decode())
