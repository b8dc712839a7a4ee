"""Issue 25 item 2: every invalid input carries aria-invalid="true" and is described by its own message, radios
and checkboxes in a group included. Each form here is posted empty (and the intake's with a wrong value), and
every control of the answer marked invalid, or inside a group whose message names it, is checked."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.intake import factories

pytestmark = pytest.mark.django_db


class _Controls(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.controls: list[dict] = []
        self._fieldsets: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "fieldset":
            self._fieldsets.append(a)
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit", "button"):
            a["_tag"] = tag
            a["_group"] = dict(self._fieldsets[-1]) if self._fieldsets else {}
            self.controls.append(a)

    def handle_endtag(self, tag):
        if tag == "fieldset" and self._fieldsets:
            self._fieldsets.pop()


def problems_of(html: str) -> list[str]:
    parser = _Controls()
    parser.feed(html)
    found = []
    for c in parser.controls:
        marked = "is-invalid" in (c.get("class") or "")
        if marked and c.get("aria-invalid") != "true":
            found.append(f"{c.get('name')} ({c.get('type') or c['_tag']}) is marked invalid without aria-invalid")
        if c.get("aria-invalid") == "true":
            described = (c.get("aria-describedby") or "") + " " + (c["_group"].get("aria-describedby") or "")
            if not any(ref in parser.ids for ref in described.split()):
                found.append(f"{c.get('name')} is invalid but described by no message on the page")
    return found


def invalid_count(html: str) -> int:
    return html.count('aria-invalid="true"')


@pytest.fixture
def intake_client(client, patient_a):
    factories.load_questionnaires()
    client.force_login(patient_a.user)
    factories.draft(patient_a, steps=("about", "visit", "health", "redflags"))
    return client


@pytest.mark.parametrize("step", ["about", "visit", "health", "redflags", "outcome"])
def test_every_intake_step_posted_empty_marks_each_invalid_control(intake_client, step):
    response = intake_client.post(reverse("intake:intake_step", args=[step]), {})
    assert response.status_code == 400
    html = response.content.decode()
    assert invalid_count(html) > 0
    assert problems_of(html) == []


def test_the_pain_scale_and_body_diagram_say_they_are_invalid(intake_client):
    data = {**factories.VISIT, "pain_now": "", "pain_regions": []}
    html = intake_client.post(reverse("intake:intake_step", args=["visit"]), data).content.decode()
    assert html.count('name="pain_now"') == html.count('aria-invalid="true" aria-describedby="pain-now-error"')
    assert 'aria-invalid="true" aria-describedby="pain-regions-error" type="checkbox" name="pain_regions"' in html
    assert problems_of(html) == []


@pytest.mark.parametrize("name", ["scheduling:appointment_book", "scheduling:series_book", "scheduling:waitlist_add"])
def test_desk_forms_posted_empty_mark_each_invalid_control(client, front_desk, name):
    client.force_login(front_desk)
    response = client.post(reverse(name), {})
    html = response.content.decode()
    assert response.status_code in (200, 400)
    assert invalid_count(html) > 0, "the empty form came back with nothing marked invalid"
    assert problems_of(html) == []


def test_the_patient_picker_radios_say_no_patient_was_chosen(client, front_desk, patient_a):
    client.force_login(front_desk)
    html = client.post(reverse("scheduling:waitlist_add") + "?q=Alice", {}).content.decode()
    radio = 'class="form-check-input is-invalid" aria-invalid="true" aria-describedby="patient-error" type="radio"'
    assert radio in html
    assert problems_of(html) == []
