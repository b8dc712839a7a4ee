"""A parent fills their child's intake and signs the child's consent as parent or guardian (clinic.family)."""

import pytest
from django.test import Client
from django.urls import reverse

from clinic.models import AuditEvent
from intake import selectors
from intake.models import ConsentSignature, IntakeSubmission
from tests.clinic.factories import child_of
from tests.intake import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def child(patient_a):
    return child_of(patient_a.user, sex="male")


@pytest.fixture
def parent_client(patient_a, child):
    client = Client()
    client.force_login(patient_a.user)
    client.post(reverse("clinic:family_act"), {"patient": child.pk, "go": "intake"})
    return client


def test_the_parent_fills_the_childs_intake_without_the_pregnancy_question(parent_client, patient_a, child):
    factories.load_questionnaires()
    parent_client.post(reverse("intake:intake_start"))
    draft = selectors.intake_draft(child)
    assert draft is not None and draft.patient == child  # the child's, not the parent's
    assert selectors.intake_draft(patient_a) is None
    page = parent_client.get(reverse("intake:intake_step", args=["health"])).content.decode()
    assert 'name="anticoagulants"' in page and 'name="pregnant"' not in page
    # The child's intake read by the parent is audited as a read of the child's data.
    assert AuditEvent.objects.filter(patient=child, actor=patient_a.user, action="view").exists()


def test_the_parent_signs_the_childs_consent_as_parent(parent_client, patient_a, child):
    version = factories.consent_version()
    page = parent_client.get(reverse("intake:consent_sign")).content.decode()
    assert "Parent or guardian: type your full name to sign" in page
    data = {f"risk_{r['code']}": "on" for r in version.risks}
    data.update(
        read_to_end="on",
        cervical_consent="no",
        signer_name="Alice Arnold",
        signer_role="parent",
        guardian_relationship="Mother",
        text_sha256=version.sha256,
    )
    response = parent_client.post(reverse("intake:consent_sign"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    signature = ConsentSignature.objects.get()
    assert signature.patient == child and signature.signed_by == patient_a.user
    assert signature.signer_role == "parent" and signature.guardian_relationship == "Mother"
    assert not IntakeSubmission.objects.filter(patient=patient_a).exists()
