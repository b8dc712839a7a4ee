"""The availability API's day summary: "which days have free times?" for a month in one call."""

import datetime as dt
import json

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scheduling import services
from tests.scheduling.conftest import at

API = reverse("scheduling:availability_list")
MONTH = {"type": "sot-adjustment", "start": "2026-06-01", "days": "30"}


def test_a_month_of_days_with_their_free_counts_in_one_call(client, clinic, patient_a, practitioner_a):
    services.appointment_book(
        patient=patient_a, practitioner=practitioner_a, appointment_type=clinic["adjustment"], start=at(1, 9)
    )
    response = client.get(API, {**MONTH, "per": "day", "practitioner": practitioner_a.pk})
    assert response.status_code == 200
    days = json.loads(response.content)["days"]
    assert [d["date"] for d in days] == [(dt.date(2026, 6, 1) + dt.timedelta(days=n)).isoformat() for n in range(30)]
    by_date = {d["date"]: d["free"] for d in days}
    assert by_date["2026-06-06"] == by_date["2026-06-07"] == 0  # the weekend: nobody works
    # The same counts as the list of times, day by day.
    times = json.loads(client.get(API, {**MONTH, "practitioner": practitioner_a.pk}).content)
    listed: dict[str, int] = {}
    for slot in times:
        listed[slot["start"][:10]] = listed.get(slot["start"][:10], 0) + 1
    assert {d: n for d, n in by_date.items() if n} == listed
    # Tuesday 2 June has the booked 09:00 (30 minutes) less than Wednesday: 09:00, 09:15 and 08:45 are gone.
    assert by_date["2026-06-03"] - by_date["2026-06-02"] == 3


def test_the_month_costs_the_same_queries_as_one_day(client, clinic):
    def queries(days: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(API, {**MONTH, "days": days, "per": "day"}).status_code == 200
        return len(captured)

    assert queries("31") == queries("1")


def test_an_unknown_summary_is_refused_with_a_message(client, clinic):
    response = client.get(API, {**MONTH, "per": "week"})
    assert response.status_code == 400
    assert "per=day" in json.loads(response.content)["error"]


def test_the_summary_follows_the_public_rules(client, clinic):
    clinic["adjustment"].bookable_online = False
    clinic["adjustment"].save()
    assert client.get(API, {**MONTH, "per": "day"}).status_code == 400
    assert client.post(API, {**MONTH, "per": "day"}).status_code == 405
