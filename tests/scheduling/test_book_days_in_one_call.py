"""The booking page's day picker asks "which days have free times" for all its days in one availability load
(issue 14), not one per day: the same queries for a fortnight with times as for one with none."""

from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scheduling.availability import search
from tests.scheduling.conftest import MONDAY, at, book

pytestmark = pytest.mark.django_db
BOOK = reverse("scheduling:book_start")


@pytest.mark.parametrize("who", ["any", "practitioner"])
def test_the_fortnight_is_one_availability_load(client, clinic, practitioner_a, who):
    practitioner = "any" if who == "any" else practitioner_a.pk
    real = search.load_schedule
    with mock.patch.object(search, "load_schedule", side_effect=real) as load:  # where find_slots looks it up
        response = client.get(BOOK, {"type": "sot-new-patient-exam", "practitioner": practitioner})
    assert response.status_code == 200
    assert load.call_count == 1
    ((_, kwargs),) = load.call_args_list
    assert (kwargs["first_day"], (kwargs["last_day"] - kwargs["first_day"]).days + 1) == (MONDAY, 14)
    shown = [d for d in response.context["days"] if d["count"]]
    assert len(shown) == 10  # the weekdays of the fortnight; the weekends have no hours


def test_a_fuller_calendar_costs_the_same_queries(client, clinic, patient_a, patient_b, practitioner_a):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(BOOK, {"type": "sot-new-patient-exam", "practitioner": "any"}).status_code == 200
        return len(captured)

    empty = queries()
    for day in (1, 2, 3, 4, 7, 8, 9, 10, 11):
        book(patient_a, practitioner_a, clinic["adjustment"], at(day, 9))
        book(patient_b, practitioner_a, clinic["adjustment"], at(day, 10))
    assert queries() == empty
