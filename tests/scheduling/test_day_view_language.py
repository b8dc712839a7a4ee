"""The front desk sees a patient's language on the day view (issue 24 item 3): a block whose patient speaks a
language other than the clinic's default carries a badge with its code ("ES") and its words for screen readers
("Speaks Spanish."), read with the day's appointments (no query more); an English speaker's block has none."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.clinic.factories import PatientFactory
from tests.scheduling.conftest import MONDAY, NY
from tests.scheduling.factories import fixed_visit

pytestmark = pytest.mark.django_db
TUESDAY = MONDAY + dt.timedelta(days=1)


def _visit(patient, practitioner, adjustment, hour, minute=0):
    start = dt.datetime.combine(TUESDAY, dt.time(hour, minute), tzinfo=NY)
    return fixed_visit(patient, practitioner, adjustment, start)


def _blocks(client):
    response = client.get(reverse("scheduling:frontdesk_home"), {"date": TUESDAY.isoformat()})
    assert response.status_code == 200
    return response, re.findall(r'<a class="cal-block.*?</a>', response.content.decode())


def test_a_spanish_speakers_block_has_the_badge_and_an_english_speakers_has_none(
    client_for, front_desk, clinic, practitioner_a, adjustment
):
    _visit(PatientFactory(first_name="Lucía", last_name="Ramos", language="es"), practitioner_a, adjustment, 9)
    _visit(PatientFactory(first_name="Ann", last_name="Lee", language="en"), practitioner_a, adjustment, 10)
    _response, (spanish, english) = _blocks(client_for(front_desk))
    assert "Lucía Ramos" in spanish and "Ann Lee" in english
    assert 'Lucía Ramos<i data-l="ES"> Speaks Spanish.</i><span>' in spanish
    assert "data-l" not in english and "Speaks" not in english


def test_the_badge_comes_with_the_days_query(
    client_for, front_desk, clinic, practitioner_a, practitioner_b, adjustment
):
    """As many queries with ten Spanish speakers as with ten English speakers: the language is a column of the
    day's one query, not a read per patient."""
    desk = client_for(front_desk)
    for index in range(10):
        _visit(PatientFactory(language="en"), (practitioner_a, practitioner_b)[index % 2], adjustment, 8 + index // 2)
    _blocks(desk)  # warm the session and role caches
    with CaptureQueriesContext(connection) as english:
        _response, blocks = _blocks(desk)
    assert len(blocks) == 10 and not any("data-l" in b for b in blocks)
    for index in range(10):
        _visit(PatientFactory(language="es"), (practitioner_a, practitioner_b)[index % 2], adjustment, 13 + index // 2)
    with CaptureQueriesContext(connection) as spanish:
        _response, blocks = _blocks(desk)
    assert sum('data-l="ES"' in b for b in blocks) == 10
    assert len(spanish) == len(english), [q["sql"][:120] for q in spanish.captured_queries]


def test_the_week_view_shows_it_too(client_for, front_desk, clinic, practitioner_a, adjustment):
    _visit(PatientFactory(language="es"), practitioner_a, adjustment, 9)
    body = (
        client_for(front_desk)
        .get(reverse("scheduling:week_view"), {"practitioner": practitioner_a.pk, "date": TUESDAY.isoformat()})
        .content.decode()
    )
    assert '<i data-l="ES"> Speaks Spanish.</i>' in body
