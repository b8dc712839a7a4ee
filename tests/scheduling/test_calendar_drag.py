"""The day view's drag to move: a JSON endpoint over the move form's checks and `appointment_move`."""

import re
from urllib.parse import urljoin

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.clinic.factories import PatientFactory
from tests.scheduling.conftest import at, book

pytestmark = pytest.mark.django_db


@pytest.fixture
def appointment(clinic, practitioner_a):
    return book(PatientFactory(), practitioner_a, clinic["adjustment"], at(1, 9))


def _drag(client, appointment, start, practitioner):
    url = reverse("scheduling:appointment_drag_move", args=[appointment.pk])
    return client.post(url, {"start": start, "practitioner": practitioner.pk})


def test_a_drag_moves_the_appointment_and_answers_how_to_undo(client_for, front_desk, appointment, practitioner_b):
    response = _drag(client_for(front_desk), appointment, "2026-06-02T10:15", practitioner_b)
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] and body["message"] == "Moved to 10:15 with Dr. Bo Brown."
    assert body["undo"] == {"start": "2026-06-02T09:00", "practitioner": appointment.practitioner_id}
    appointment.refresh_from_db()
    assert (timezone.localtime(appointment.start), appointment.practitioner) == (at(1, 10, 15), practitioner_b)


def test_undo_is_a_move_back(client_for, front_desk, appointment, practitioner_a, practitioner_b):
    client = client_for(front_desk)
    undo = _drag(client, appointment, "2026-06-02T10:15", practitioner_b).json()["undo"]
    back = client.post(
        reverse("scheduling:appointment_drag_move", args=[appointment.pk]),
        {"start": undo["start"], "practitioner": undo["practitioner"]},
    )
    assert back.json()["ok"]
    appointment.refresh_from_db()
    assert (appointment.start, appointment.practitioner, appointment.sequence) == (at(1, 9), practitioner_a, 2)


def test_a_refused_drag_names_the_cause_and_changes_nothing(client_for, front_desk, appointment, practitioner_a):
    response = _drag(client_for(front_desk), appointment, "2026-06-02T12:15", practitioner_a)  # lunch break
    assert response.status_code == 200
    body = response.json()
    assert not body["ok"] and "does not work" in body["message"]
    appointment.refresh_from_db()
    assert appointment.start == at(1, 9)
    past = _drag(client_for(front_desk), appointment, "2026-05-29T09:00", practitioner_a)
    assert not past.json()["ok"] and "in the past" in past.json()["message"]


def test_only_staff_may_drag_and_only_by_post(client_for, patient_a, front_desk, appointment, practitioner_a):
    url = reverse("scheduling:appointment_drag_move", args=[appointment.pk])
    assert client_for(front_desk).get(url).status_code == 405
    assert _drag(client_for(patient_a.user), appointment, "2026-06-02T10:15", practitioner_a).status_code == 403


def test_the_day_view_marks_booked_appointments_draggable(client_for, front_desk, appointment):
    body = client_for(front_desk).get(reverse("scheduling:frontdesk_home"), {"date": "2026-06-02"}).content.decode()
    # One URL template on the grid (static/js/calendar-drag.js puts in the id read from the block's link).
    move = reverse("scheduling:appointment_drag_move", args=[987654321]).replace("987654321", "{pk}")
    detail = reverse("scheduling:appointment_detail", args=[987654321]).replace("987654321", "{pk}")
    assert f'data-move-url-template="{move}" data-detail-url-template="{detail}"' in body
    # A booked block (no status- class: the script drags those) links to its page, relative to the day view's URL.
    block = re.search(r'<a class="cal-block" style="--t:60;--d:30" href="([^"]+)">09:00 ', body)
    assert block, body
    page = reverse("scheduling:frontdesk_home")
    assert urljoin(page, block[1]) == reverse("scheduling:appointment_detail", args=[appointment.pk])
    assert 'src="/static/js/calendar-drag.js"' in body
