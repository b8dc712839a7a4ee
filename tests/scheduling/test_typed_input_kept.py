"""What was typed is kept (issue 13, item 9): a date, time or number that is not one comes back exactly as
typed, as text the browser will show (a date input would empty it), with the field's error beside it."""

import re

import pytest
from django.urls import reverse

from clinic.widgets import DateInput, DateTimeLocalInput, NumberInput, TimeInput
from tests.scheduling.conftest import MONDAY, booking_form

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("widget", "typed", "kept_as"),
    [
        (DateInput(), "2027-02-30", "text"),
        (DateInput(), "2027-02-28", "date"),
        (DateTimeLocalInput(), "2027-02-30T10:00", "text"),
        (DateTimeLocalInput(), "2027-02-01T10:00", "datetime-local"),
        (TimeInput(), "25:00", "text"),
        (TimeInput(), "09:30", "time"),
        (NumberInput(), "three", "text"),
        (NumberInput(), "3", "number"),
    ],
)
def test_a_value_the_input_cannot_hold_is_drawn_as_text_with_it(widget, typed, kept_as):
    html = widget.render("x", typed)
    assert f'type="{kept_as}"' in html and f'value="{typed}"' in html


def input_for(page: str, name: str) -> str:
    return re.search(rf'<input[^>]*id="id_{name}"[^>]*>', page).group(0)


def test_a_wrong_booking_time_comes_back_as_typed(client_for, front_desk, clinic, patient_a, practitioner_a):
    response = client_for(front_desk).post(
        reverse("scheduling:appointment_book"),
        booking_form(clinic, patient_a, practitioner_a, "2027-02-30T10:00"),
    )
    assert response.status_code == 400
    field = input_for(response.content.decode(), "start")
    assert 'value="2027-02-30T10:00"' in field and 'type="text"' in field and 'aria-invalid="true"' in field
    assert response.context["form"].errors["start"]


def test_a_wrong_series_time_of_day_comes_back_as_typed(client_for, front_desk, clinic, patient_a):
    response = client_for(front_desk).post(
        reverse("scheduling:series_book"),
        {"patient": patient_a.pk, "first_date": MONDAY.isoformat(), "time_of_day": "25:00"},
    )
    field = input_for(response.content.decode(), "time_of_day")
    assert 'value="25:00"' in field and 'type="text"' in field


def test_a_wrong_date_of_birth_comes_back_as_typed(client_for, front_desk):
    response = client_for(front_desk).post(
        reverse("clinic:patient_create"), {"first_name": "Ada", "last_name": "Lo", "date_of_birth": "1990-02-30"}
    )
    field = input_for(response.content.decode(), "date_of_birth")
    assert 'value="1990-02-30"' in field and 'type="text"' in field
