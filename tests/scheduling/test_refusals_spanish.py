"""Refusals a patient can meet, in Spanish (issue 24): the date and phone checks of the about-you form, a
practitioner's hours and time off, and the booking service's own refusals; English stays as it was."""

import datetime as dt

import pytest
from django.utils import translation

from clinic.input_limits import query_date
from scheduling import services
from scheduling.forms import AboutYouForm
from scheduling.models import Appointment, AvailabilityException
from scheduling.services import SchedulingError
from tests.scheduling.conftest import MONDAY, at


def about_form(**overrides):
    data = {"first_name": "Lucía", "last_name": "Ramos", "date_of_birth": "1985-03-09", "phone": "(555) 010-3131"}
    data.update(overrides)
    return AboutYouForm(data)


def test_the_about_you_form_refuses_a_date_and_a_phone_in_spanish(db):
    with translation.override("es"):
        form = about_form(date_of_birth="1800-01-01", phone="call me")
        assert not form.is_valid()
        assert form.errors["date_of_birth"] == [
            "01 ene 1800 queda fuera de las fechas que guarda el calendario de la clínica (de 1900 a 2199)."
        ]
        assert form.errors["phone"] == [
            "Escriba un número de teléfono de 7 a 20 caracteres: cifras, espacios, +, -, ( o )."
        ]
    with translation.override("en"):
        form = about_form(date_of_birth="1800-01-01", phone="call me")
        assert not form.is_valid()
        assert form.errors["date_of_birth"] == [
            "01 Jan 1800 is outside the dates the clinic's calendar holds (1900 to 2199)."
        ]
        assert form.errors["phone"] == ["Enter a phone number of 7 to 20 digits, spaces, +, -, ( or )."]


def test_a_date_from_a_link_is_refused_in_the_pages_language():
    today = dt.date(2026, 6, 5)
    with translation.override("es"):
        assert query_date("tomorrow", default=today) == (
            today,
            "No entendemos «tomorrow» como fecha (escríbala como AAAA-MM-DD): se muestra el viernes, 05 de junio de "
            "2026.",
        )
        day, said = query_date("2300-01-01", default=today)
        assert day == today
        assert said.endswith("(de 1900 a 2199). Se muestra el viernes, 05 de junio de 2026.")
    with translation.override("en"):
        assert query_date("2300-01-01", default=today)[1] == (
            "01 Jan 2300 is outside the dates the clinic's calendar holds (1900 to 2199). Showing Friday 05 June 2026."
        )


def online(patient, practitioner, appointment_type, start):
    return services.appointment_book_online(
        user=patient.user, patient=patient, appointment_type=appointment_type, practitioner=practitioner, start=start
    )


def test_an_online_time_outside_the_hours_is_refused_in_spanish(clinic, returning, practitioner_a):
    with translation.override("es"), pytest.raises(SchedulingError) as exc:
        online(returning, practitioner_a, clinic["adjustment"], at(1, 12))  # Tuesday's lunch
    assert exc.value.message_dict["start"] == [
        "Dr. Ada Adams no atiende del mar 02 jun 2026 12:00 a las 12:30. Elija una hora dentro de su horario."
    ]
    assert not Appointment.objects.filter(start=at(1, 12)).exists()


@pytest.mark.parametrize(
    ("start_time", "end_time", "said"),
    [
        (None, None, "Dr. Ada Adams no trabaja en todo el día el mar 02 jun. Elija otro día u otra hora."),
        (
            dt.time(9),
            dt.time(11),
            "Dr. Ada Adams no trabaja de 09:00 a 11:00 el mar 02 jun. Elija otro día u otra hora.",
        ),
    ],
)
def test_an_online_time_on_time_off_is_refused_in_spanish(
    clinic, returning, practitioner_a, start_time, end_time, said
):
    AvailabilityException.objects.create(
        practitioner=practitioner_a,
        date=MONDAY + dt.timedelta(days=1),
        kind=AvailabilityException.Kind.TIME_OFF,
        start_time=start_time,
        end_time=end_time,
    )
    with translation.override("es"), pytest.raises(SchedulingError) as exc:
        online(returning, practitioner_a, clinic["adjustment"], at(1, 10))
    assert exc.value.message_dict["start"] == [said]


def test_the_booking_services_refusals_read_in_spanish(clinic, returning, patient_b, practitioner_a):
    practitioner_a.active = False
    practitioner_a.save()
    with translation.override("es"), pytest.raises(SchedulingError) as exc:
        services.appointment_book(
            patient=patient_b, practitioner=practitioner_a, appointment_type=clinic["adjustment"], start=at(1, 10)
        )
    assert exc.value.message_dict["practitioner"] == ["Este profesional no está aceptando citas."]
    practitioner_a.active = True
    practitioner_a.save()
    with translation.override("es"), pytest.raises(SchedulingError) as exc:
        services.appointment_book(
            patient=returning,
            practitioner=practitioner_a,
            appointment_type=clinic["exam"],
            start=at(1, 10),
            source=Appointment.Source.ONLINE,
        )
    assert exc.value.message_dict["appointment_type"] == [
        "SOT new-patient exam es para pacientes nuevos; elija una visita de seguimiento."
    ]
    with translation.override("es"), pytest.raises(SchedulingError) as exc:
        services.appointment_book(
            patient=patient_b, practitioner=practitioner_a, appointment_type=clinic["adjustment"], start=at(0, 6)
        )
    assert exc.value.message_dict["start"] == ["Esa hora ya ha pasado. Elija una hora a partir de ahora."]
