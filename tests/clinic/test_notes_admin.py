"""The admin shows visit notes read-only: no change, no delete, no add, for anyone (a superuser too)."""

import pytest
from django.urls import reverse

from clinic.models import AuditEvent, BlockLandmark, VisitNote
from tests.clinic import note_factories as nf
from tests.clinic.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return UserFactory(email="root@example.com", is_staff=True, is_superuser=True)


@pytest.mark.parametrize("who", ["clinic_admin", "superuser"])
def test_signed_note_cannot_be_edited_or_deleted_through_the_admin(request, client, patient_a, practitioner_a, who):
    user = request.getfixturevalue(who)
    note = nf.signed(patient_a, practitioner_a, assessment="as signed")
    client.force_login(user)
    change = reverse("admin:clinic_visitnote_change", args=[note.pk])
    page = client.get(change)
    assert page.status_code == 200
    assert "as signed" in page.content.decode() and 'name="assessment"' not in page.content.decode()
    assert AuditEvent.objects.filter(action="view", object_id=str(note.pk), detail__startswith="admin").count() == 1
    assert client.post(change, {"assessment": "rewritten", "status": "draft"}).status_code == 403
    assert client.post(reverse("admin:clinic_visitnote_delete", args=[note.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:clinic_visitnote_add")).status_code == 403
    changelist = client.post(
        reverse("admin:clinic_visitnote_changelist"), {"action": "delete_selected", "_selected_action": [note.pk]}
    )
    assert changelist.status_code in {200, 302, 403}
    stored = VisitNote.objects.get(pk=note.pk)
    assert stored.assessment == "as signed" and stored.hash_matches()


def test_clinic_admin_edits_the_landmark_list(client, clinic_admin):
    client.force_login(clinic_admin)
    response = client.post(
        reverse("admin:clinic_blocklandmark_add"), {"name": "Pubic bone", "position": 9, "active": "on"}
    )
    assert response.status_code == 302
    assert BlockLandmark.objects.filter(name="Pubic bone").exists()
    assert BlockLandmark.objects.filter(name="Acetabulum").exists()  # the starting list from the migration
