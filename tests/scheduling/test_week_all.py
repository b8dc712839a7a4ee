"""The week of every practitioner (issue 15, items 4 and 1): per practitioner and day, the visits, the share of
their working time booked, days off said so, the visits listed (folded) to open or drag; each day links to its day
view; a fixed number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scheduling.models import Appointment
from tests.clinic.factories import PatientFactory
from tests.scheduling.conftest import MONDAY, at, book

pytestmark = pytest.mark.django_db
URL = reverse("scheduling:week_view")


def test_every_practitioners_week_counts_visits_and_booked_time(client_for, front_desk, clinic, practitioner_a):
    patients = [PatientFactory(last_name="Zephyrine"), PatientFactory(last_name="Quillfeather")]
    book(patients[0], practitioner_a, clinic["adjustment"], at(0, 9))
    book(patients[1], practitioner_a, clinic["adjustment"], at(0, 10))
    page = client_for(front_desk).get(URL, {"practitioner": "all", "date": MONDAY.isoformat()})
    assert page.status_code == 200
    rows = {p.display_name: cells for p, cells in page.context["rows"]}
    monday = rows[practitioner_a.display_name][0]
    assert (monday.visits, monday.booked_minutes, monday.working_minutes) == (2, 60, 540)
    assert monday.percent_booked == 11 and monday.working_text == "9 h"
    saturday = rows[practitioner_a.display_name][5]
    assert not saturday.works
    body = page.content.decode()
    assert "2 visits" in body and "11% of 9 h booked" in body and "Not working" in body
    assert f'href="{reverse("scheduling:frontdesk_home")}?date={MONDAY.isoformat()}"' in body
    # The visits are listed under the figures, folded away ("Show"), each a link to its page (the move form, and
    # the drag's handle): booked ones carry no status class, so the drag script picks them up.
    assert body.count('<details class="wk-day">') == 1
    for appointment in Appointment.objects.filter(patient__in=patients):
        detail = reverse("scheduling:appointment_detail", args=[appointment.pk])
        assert f'<a class="wk-chip" style="--c:#5c7cfa" href="{detail}">' in body
    assert "09:00 " + patients[0].full_name in body and "10:00 " + patients[1].full_name in body
    assert 'data-move-url-template="' in body and f'data-practitioner="{practitioner_a.pk}"' in body


def test_a_visit_dragged_to_another_day_of_the_week_says_the_day(client_for, front_desk, clinic, practitioner_a):
    """The week of everyone moves a visit to another day at the same time: the answer names the day."""
    appointment = book(PatientFactory(), practitioner_a, clinic["adjustment"], at(0, 9))
    url = reverse("scheduling:appointment_drag_move", args=[appointment.pk])
    tuesday = MONDAY + dt.timedelta(days=1)
    answer = client_for(front_desk).post(url, {"start": f"{tuesday}T09:00", "practitioner": practitioner_a.pk})
    assert answer.json()["ok"], answer.json()
    assert answer.json()["message"] == f"Moved to 09:00 on Tue 2 Jun with {practitioner_a.display_name}."
    assert answer.json()["undo"] == {"start": f"{MONDAY}T09:00", "practitioner": practitioner_a.pk}


def test_the_week_of_everyone_takes_the_same_queries_however_full(client_for, front_desk, clinic, practitioner_b):
    client = client_for(front_desk)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, {"practitioner": "all", "date": MONDAY.isoformat()}).status_code == 200
        return len(captured)

    empty = count()
    for day in range(5):
        for hour in (9, 10, 11, 14):
            book(PatientFactory(), practitioner_b, clinic["adjustment"], at(day, hour))
    assert count() == empty
