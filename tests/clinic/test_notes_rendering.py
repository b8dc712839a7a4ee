"""The note page draws its fields in Python (clinic/notes/rendering.py) instead of `|as_crispy_field`: the markup
must be crispy's (bootstrap5) up to the whitespace between tags, for every field, empty, filled and refused."""

import re

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms

from clinic.models import BlockLandmark, NoteTemplate
from clinic.notes.forms import NOTE_FIELDS, NoteForms, TemplateChoiceForm
from clinic.notes.rendering import field_html
from tests.clinic import note_factories as nf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def normal(html: str) -> str:
    """Whitespace between and around tags does not change the page; inside text, runs count as one space."""
    return re.sub(r"\s*([<>])\s*", r"\1", re.sub(r"\s+", " ", str(html))).strip()


def bound_fields(note_forms: NoteForms):
    yield from note_forms.form
    for formset in note_forms.row_sets.values():
        for row in formset.forms:
            yield from row


def assert_same_as_crispy(fields) -> int:
    count = 0
    for bound in fields:
        ours = field_html(bound)  # first: crispy adds its classes to the widget's own attrs as it draws
        assert normal(ours) == normal(as_crispy_field(bound)), bound.html_name
        count += 1
    return count


FILLED = {
    "chief_complaint": 'Low back "pain" <b>&</b>',
    "pain_today": 7,
    "progress": "better",
    "adverse_event": True,
    "adverse_event_detail": "Sore\nfor a day <i>",
    "sot_category": "II",
    "short_leg_side": "left",
    "assessment": "Line one\n\nLine & two",
    "red_flags_reviewed": True,
    "next_visit": "1 week",
    "occipital_fibers": [{"line": 1, "area": 3, "level": "C2", "side": "left"}],
    "block_placements": [
        {"block": 1, "side": "right", "landmark": "Retired one", "position": "prone", "minutes": 2},
        {"block": 2, "side": "left", "landmark": "ASIS", "position": "supine", "minutes": 3},
    ],
    "cmrt_levels": [{"level": "T4", "note": "gentle <x>"}],
}


def test_empty_and_filled_drafts_draw_as_crispy_does(patient_a, practitioner_a):
    BlockLandmark.objects.create(name="ASIS", position=1)
    BlockLandmark.objects.create(name="Sacral <base> & 'x'", position=2)
    note = nf.draft(patient_a, practitioner_a)
    empty = NoteForms(note)
    empty.warn_cervical("No consent <yet> for neck procedures.")  # help text and changed choices
    assert assert_same_as_crispy(bound_fields(empty)) == len(NOTE_FIELDS) + 2 * 4 + 2 * 5 + 2 * 2
    for name, value in FILLED.items():
        setattr(note, name, value)
    assert assert_same_as_crispy(bound_fields(NoteForms(note))) == len(NOTE_FIELDS) + 3 * 4 + 4 * 5 + 3 * 2


def test_a_refused_post_draws_its_errors_as_crispy_does(patient_a, practitioner_a):
    BlockLandmark.objects.create(name="ASIS", position=1)
    note = nf.draft(patient_a, practitioner_a)
    rows = {
        "occipital_fibers": [{"line": "2"}],
        "block_placements": [{"block": "1", "side": "left", "landmark": "ASIS", "position": "prone", "minutes": "90"}],
        "cmrt_levels": [{"note": "only a note"}],
    }
    data = nf.post_data(note, rows=rows, pain_today="11")
    refused = NoteForms(note, data)
    assert not refused.is_valid()
    assert refused.form.errors and any(f.errors for fs in refused.row_sets.values() for f in fs.forms)
    assert assert_same_as_crispy(bound_fields(refused)) > 0


def test_the_template_choice_draws_as_crispy_does_in_one_query(patient_a, django_assert_num_queries):
    NoteTemplate.objects.create(name="Low back <standard>", assessment="x")
    NoteTemplate.objects.create(name="Neck", assessment="y", active=False)
    with django_assert_num_queries(1):
        form = TemplateChoiceForm()
        html = form["template"].html
    assert form.has_templates and "Low back &lt;standard&gt;" in html and "Neck" not in html
    assert normal(html) == normal(as_crispy_field(TemplateChoiceForm()["template"]))


def test_other_widget_kinds_are_left_to_crispy():
    class Other(forms.Form):
        choice = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
        day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    form = Other()
    for bound in form:
        assert normal(field_html(bound)) == normal(as_crispy_field(bound))
