"""What opening a note, drawing its page and autosaving it cost in queries (issue 14): fixed numbers, on SQLite
and PostgreSQL, whatever the patient's history (earlier notes, rows, templates, landmarks).

The edit page: the session, the user, the roles; the note with its related rows; the landmarks; the patient's
paperwork (3); the care plan (2); the open red flags; the clinic's templates; the audit row. Opening a note:
the session, the user, the roles, the appointment; then in one transaction the existing note, the patient's
last note (signed first, in one query), their latest score, the insert (in a savepoint) and the audit row; their
intake too when no earlier note has a chief complaint to start from.
"""

import pytest
from django.urls import reverse

from clinic.models import BlockLandmark, NoteTemplate
from tests.clinic import note_factories as nf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

EDIT_QUERIES = 12  # the intake readiness in two queries (it was three)
# SAVEPOINT/RELEASE around the service's transaction (a test runs inside one), then a savepoint around the insert.
OPEN_QUERIES = 13
AUTOSAVE_QUERIES = 19


@pytest.fixture
def history(patient_a, practitioner_a):
    """An earlier signed note with rows, two landmarks and a template: nothing on the page may cost per row."""
    BlockLandmark.objects.create(name="ASIS", position=1)
    BlockLandmark.objects.create(name="Sacrum", position=2)
    NoteTemplate.objects.create(name="Low back", assessment="Standard")
    nf.signed(
        patient_a,
        practitioner_a,
        start=nf.at(-7, 9),
        occipital_fibers=[{"line": 1, "area": 3, "level": "C2", "side": "left"}],
        cmrt_levels=[{"level": "T4", "note": "gentle"}],
    )


def test_the_note_edit_page_takes_a_fixed_number_of_queries(
    client, patient_a, practitioner_a, history, django_assert_num_queries
):
    note = nf.draft(
        patient_a,
        practitioner_a,
        block_placements=[
            {"block": 1, "side": "left", "landmark": "ASIS", "position": "prone", "minutes": 2},
            {"block": 2, "side": "right", "landmark": "Sacrum", "position": "supine", "minutes": 3},
        ],
    )
    client.force_login(practitioner_a.user)
    url = reverse("clinic:note_edit", args=[note.pk])
    assert client.get(url).status_code == 200  # the login's first request checks TOTP once
    with django_assert_num_queries(EDIT_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert "Low back" in response.content.decode()  # the template choice is drawn from the same query


def test_opening_a_note_takes_a_fixed_number_of_queries(
    client, patient_a, practitioner_a, history, django_assert_num_queries
):
    appointment = nf.appointment(patient_a, practitioner_a, start=nf.at(0, 9), status="booked")
    client.force_login(practitioner_a.user)
    assert client.get(reverse("clinic:practitioner_home")).status_code == 200
    url = reverse("clinic:note_start", args=[appointment.pk])
    with django_assert_num_queries(OPEN_QUERIES):
        response = client.post(url)
    assert response.status_code == 302
    note = appointment.visit_note
    assert response["Location"] == reverse("clinic:note_edit", args=[note.pk])
    assert note.chief_complaint == "Low back pain"  # from the signed note before it
    with django_assert_num_queries(7):  # opened again: the draft is there, nothing is written
        assert client.post(url)["Location"] == response["Location"]


def test_an_autosave_takes_a_fixed_number_of_queries(
    client, patient_a, practitioner_a, history, django_assert_num_queries
):
    note = nf.draft(patient_a, practitioner_a, chief_complaint="Neck")
    client.force_login(practitioner_a.user)
    url = reverse("clinic:note_autosave", args=[note.pk])
    assert client.post(url, nf.post_data(note, chief_complaint="Neck, left")).status_code == 200
    # The session, the user, the roles, the note, the landmarks; then the locked note (with its patient), the
    # model's three checks (each a SELECT between savepoints), the update and the audit row.
    with django_assert_num_queries(AUTOSAVE_QUERIES):
        assert client.post(url, nf.post_data(note, chief_complaint="Neck, right")).status_code == 200
    note.refresh_from_db()
    assert note.chief_complaint == "Neck, right"
