"""One patient picker for the booking, series and waitlist forms (issue 19, item 4): one component template,
its context built in one place, the same markup on all three pages."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

TEMPLATES = Path(settings.BASE_DIR) / "templates" / "scheduling"
PAGES = {
    "appointment_book.html": "scheduling:appointment_book",
    "series_form.html": "scheduling:series_book",
    "waitlist_form.html": "scheduling:waitlist_add",
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_each_form_includes_the_one_picker_and_writes_none_of_its_own(name):
    source = (TEMPLATES / name).read_text()
    assert source.count('{% include "components/patient_picker.html" %}') == 1
    assert source.count('{% include "components/patient_picker_form.html" %}') == 1
    assert "scheduling:patient_pick" not in source and 'name="q"' not in source
    assert "_patient_picker.html" not in source and "form.patient.errors" not in source


def _picker_markup(body: str) -> str:
    start = body.index('<div role="search"')
    end = body.index("</fieldset>", start)
    return re.sub(r'<input type="hidden" form="patient-search"[^>]*>', "", body[start:end])


def test_the_three_pages_show_the_same_picker(client_for, front_desk, clinic, patient_a):
    bodies = [client_for(front_desk).get(reverse(url), {"q": "Arnold"}).content.decode() for url in PAGES.values()]
    markups = {_picker_markup(b) for b in bodies}
    assert len(markups) == 1
    assert "Alice Arnold" in markups.pop()


def test_a_search_keeps_what_the_booking_form_had(client_for, front_desk, clinic, practitioner_a):
    body = (
        client_for(front_desk)
        .get(
            reverse("scheduling:appointment_book"),
            {"practitioner": practitioner_a.pk, "start": "2026-06-01T09:00", "q": "x"},
        )
        .content.decode()
    )
    assert f'form="patient-search" name="practitioner" value="{practitioner_a.pk}"' in body
    assert 'form="patient-search" name="start" value="2026-06-01T09:00"' in body
    assert '<form method="get" id="patient-search"' in body


def test_a_refused_patient_choice_shows_its_error_under_the_picker_on_every_page(client_for, front_desk, clinic):
    for url in PAGES.values():
        response = client_for(front_desk).post(reverse(url), {"step": "plan"})
        assert response.status_code == 400
        assert 'id="patient-error">Choose a patient from the search results.' in response.content.decode()
