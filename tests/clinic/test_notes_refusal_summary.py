"""The note page's refusals: a summary at the top linking to each field, the cervical select saying before anyone
chooses that the consent does not cover neck procedures, and the optional template box not marked required
(issue 13, items 20 and 21)."""

import re

import pytest
from django.urls import reverse

from clinic.models import NoteTemplate
from tests.clinic import note_factories as nf
from tests.intake import factories as intake_factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def test_a_refused_save_lists_every_problem_at_the_top_linking_to_the_field(client, patient_a, practitioner_a):
    intake_factories.sign(patient_a, intake_factories.consent_version(), cervical=False)
    note = nf.draft(patient_a, practitioner_a)
    client.force_login(practitioner_a.user)
    response = client.post(
        reverse("clinic:note_edit", args=[note.pk]), nf.post_data(note, cervical_adjustment="thrust", action="save")
    )
    assert response.status_code == 400
    body = response.content.decode()
    summary = body[body.index('id="form-errors"') : body.index('id="s-title"')]
    assert "One thing to fix: nothing was saved." in summary
    assert re.search(r'<a class="alert-link" href="#id_note-cervical_adjustment">[^<]+</a>: A cervical', summary)
    assert 'id="id_note-cervical_adjustment"' in body


def test_row_errors_are_in_the_summary_too(client, patient_a, practitioner_a):
    note = nf.draft(patient_a, practitioner_a)
    client.force_login(practitioner_a.user)
    data = nf.post_data(note, action="save", rows={"occipital_fibers": [{"line": "1"}]})
    data["fibers-0-line"] = "1"  # a partial row: line given, area, level and side missing
    response = client.post(reverse("clinic:note_edit", args=[note.pk]), data)
    assert response.status_code == 400
    body = response.content.decode()
    summary = body[body.index('id="form-errors"') : body.index('id="s-title"')]
    assert 'href="#id_fibers-0-' in summary and "Occipital fibers, row 1" in summary


def test_the_cervical_select_says_the_consent_does_not_cover_it_before_choosing(client, patient_a, practitioner_a):
    intake_factories.sign(patient_a, intake_factories.consent_version(), cervical=False)
    note = nf.draft(patient_a, practitioner_a)
    client.force_login(practitioner_a.user)
    body = client.get(reverse("clinic:note_edit", args=[note.pk])).content.decode()
    select = body[body.index('<select name="note-cervical_adjustment"') :]
    select = select[: select.index("</select>")]
    assert '<option value="" selected>None: consent does not cover neck procedures</option>' in select
    assert 'aria-describedby="id_note-cervical_adjustment_helptext"' in select
    helptext = body[body.index('id="id_note-cervical_adjustment_helptext"') :][:400]
    assert "does not include neck (cervical) procedures" in helptext


def test_covered_patient_gets_the_plain_select(client, patient_a, practitioner_a):
    intake_factories.sign(patient_a, intake_factories.consent_version(), cervical=True)
    note = nf.draft(patient_a, practitioner_a)
    client.force_login(practitioner_a.user)
    body = client.get(reverse("clinic:note_edit", args=[note.pk])).content.decode()
    assert "consent does not cover neck" not in body


def test_clinic_template_box_is_not_marked_required(client, patient_a, practitioner_a):
    NoteTemplate.objects.create(name="Cat I", sot_category="I", plan="Template plan")
    note = nf.draft(patient_a, practitioner_a)
    client.force_login(practitioner_a.user)
    body = client.get(reverse("clinic:note_edit", args=[note.pk])).content.decode()
    label = body[body.index('for="id_template"') :][:200]
    assert "Clinic template" in label and "asteriskField" not in label and "*" not in label
    refused = client.post(reverse("clinic:note_apply_template", args=[note.pk]), {"template": ""}, follow=True)
    assert "Choose one of the clinic&#x27;s templates." in refused.content.decode()
