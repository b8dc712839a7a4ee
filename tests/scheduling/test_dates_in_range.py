"""Dates outside the calendar (9999-12-31, 0001-01-01) and dates not understood: said next to the field or on
the page, never a 500 and never silently replaced (issue 12 item 5, issue 13 item 19)."""

import pytest
from django.urls import reverse

from clinic.input_limits import FIRST_DAY, LAST_DAY, query_date
from tests.scheduling.conftest import MONDAY, booking_form

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("raw", ["abc", "2027-02-30", "9999-12-31", "0001-01-01"])
def test_query_dates_that_cannot_be_used_fall_back_with_a_reason(raw):
    day, problem = query_date(raw, default=MONDAY)
    assert day == MONDAY and problem and "Monday 01 June 2026" in problem


def test_a_query_date_inside_the_calendar_is_taken_as_is():
    assert query_date("2026-06-03", default=MONDAY) == (MONDAY.replace(day=3), "")
    assert query_date("", default=MONDAY) == (MONDAY, "")
    assert query_date(FIRST_DAY.isoformat(), default=MONDAY)[0] == FIRST_DAY
    assert query_date(LAST_DAY.isoformat(), default=MONDAY)[0] == LAST_DAY


@pytest.mark.parametrize("view", ["scheduling:frontdesk_home", "scheduling:week_view", "scheduling:day_sheet"])
@pytest.mark.parametrize(
    ("raw", "said"),
    [("abc", "“abc” is not a date we understand"), ("9999-12-31", "outside the dates the clinic")],
)
def test_the_calendar_says_when_it_did_not_understand_the_date(client_for, front_desk, clinic, view, raw, said):
    page = client_for(front_desk).get(reverse(view), {"date": raw})
    assert page.status_code == 200
    assert said in page.content.decode()


def test_a_booking_in_the_year_9999_is_refused_next_to_the_start(
    client_for, front_desk, clinic, patient_a, practitioner_a
):
    response = client_for(front_desk).post(
        reverse("scheduling:appointment_book"),
        booking_form(clinic, patient_a, practitioner_a, "9999-12-31T23:45"),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "outside the dates the clinic's calendar holds (1900 to 2199)" in errors["start"][0]


def test_a_series_starting_in_year_one_is_refused_next_to_its_first_date(client_for, front_desk, clinic, patient_a):
    response = client_for(front_desk).post(reverse("scheduling:series_book"), {"first_date": "0001-01-01"})
    assert "outside the dates the clinic's calendar holds" in response.context["form"].errors["first_date"][0]


def test_a_huge_practitioner_id_on_the_waitlist_is_a_field_error(client_for, front_desk, clinic, patient_a):
    response = client_for(front_desk).post(
        reverse("scheduling:waitlist_add"), {"patient": patient_a.pk, "practitioners": [str(2**63)]}
    )
    assert response.status_code == 400
    assert "is not a valid value" in response.context["form"].errors["practitioners"][0]
