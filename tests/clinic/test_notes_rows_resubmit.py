"""A note's repeatable rows survive being posted again from a page loaded before they were saved.

The edit page's management forms say how many rows existed when the page was drawn (INITIAL_FORMS). Once
an autosave, or a Save that a refused Sign re-shows, has stored the rows, the next post carries the same
rows with the old counts; they must be read as typed, not dropped as "unchanged extra rows"."""

import pytest
from django.urls import reverse

from clinic.models import VisitNote
from tests.clinic import note_factories as nf
from tests.intake import factories as intake_factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

ROWS = {
    "block_placements": [
        {"block": "1", "side": "right", "landmark": "Acetabulum", "position": "prone", "minutes": "10"},
        {"block": "2", "side": "left", "landmark": "Iliac crest", "position": "prone", "minutes": "10"},
    ],
    "cmrt_levels": [{"level": "T6", "note": "reflex"}, {"level": "L2", "note": ""}],
    "occipital_fibers": [{"line": "2", "area": "3", "level": "T6", "side": "left"}],
}


def page_data(note, **fields) -> dict:
    """What the browser posts from an edit page drawn while the note had no rows: INITIAL_FORMS is 0."""
    data = nf.post_data(note, rows=ROWS, **fields)
    for prefix in ("blocks", "cmrt", "fibers"):
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    return data


def assert_rows_kept(note: VisitNote) -> None:
    note.refresh_from_db()
    assert [b["landmark"] for b in note.block_placements] == ["Acetabulum", "Iliac crest"]
    assert [c["level"] for c in note.cmrt_levels] == ["T6", "L2"]
    assert len(note.occipital_fibers) == 1


def test_sign_after_autosave_keeps_the_rows(client, patient_a, practitioner_a):
    note = nf.draft(patient_a, practitioner_a)
    client.force_login(practitioner_a.user)
    data = page_data(note, chief_complaint="Low back pain", sot_category="II")
    assert client.post(reverse("clinic:note_autosave", args=[note.pk]), data).status_code == 200
    assert_rows_kept(note)
    response = client.post(reverse("clinic:note_edit", args=[note.pk]), {**data, "action": "sign"})
    assert response.status_code == 302
    assert_rows_kept(note)
    assert note.is_signed


def test_sign_again_after_a_refused_sign_keeps_the_rows(client, patient_a, practitioner_a):
    intake_factories.load_questionnaires()
    intake_factories.submitted(patient_a, flags=("night_pain",))
    note = nf.draft(patient_a, practitioner_a)
    client.force_login(practitioner_a.user)
    url = reverse("clinic:note_edit", args=[note.pk])
    data = {**page_data(note, chief_complaint="Low back pain", sot_category="II"), "action": "sign"}
    assert client.post(url, data).status_code == 400  # red flags not marked reviewed; the draft is saved
    assert_rows_kept(note)
    response = client.post(url, {**data, "note-red_flags_reviewed": "on"})
    assert response.status_code == 302
    assert_rows_kept(note)
    assert note.is_signed
