"""Families (clinic.family): a guardian's account acts for their children's records, and only theirs."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic import family
from clinic.models import AuditEvent, GuardianLink, OutgoingNotice, Patient
from clinic.permissions import PATIENT, can, family_patient_ids, get_patient_for_user, roles_of
from tests.clinic.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db


def years_ago(years: int, days: int = 0) -> dt.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - dt.timedelta(days=days)


@pytest.fixture
def parent(patient_a):
    """Patient A's account is a parent's."""
    return patient_a.user


@pytest.fixture
def child(parent):
    link = family.dependant_add(
        guardian=parent,
        first_name="Theo",
        last_name="Arnold",
        date_of_birth=years_ago(7),
        sex=Patient.Sex.MALE,
        relationship="mother",
    )
    return link.dependant


def test_a_parent_adds_a_child_who_gets_a_record_of_their_own(parent, patient_a, child):
    assert child.user is None and child.email == ""
    assert child.guardian_name == patient_a.full_name and child.guardian_relationship == "mother"
    assert child.city == patient_a.city
    link = GuardianLink.objects.get(dependant=child)
    assert link.guardian == parent and link.created_by == parent and link.active
    created = AuditEvent.objects.filter(patient=child, action=AuditEvent.Action.CREATE)
    assert created.count() == 2  # the record and the link, each naming the child


@pytest.mark.parametrize(
    ("born", "message"),
    [(years_ago(18), "under 18"), (timezone.localdate() + dt.timedelta(days=3), "in the future")],
    ids=["an adult", "not born yet"],
)
def test_a_family_account_holds_children_only(parent, born, message):
    with pytest.raises(ValidationError) as refused:
        family.dependant_add(
            guardian=parent, first_name="A", last_name="B", date_of_birth=born, sex="", relationship="father"
        )
    assert message in str(refused.value.message_dict["date_of_birth"])
    assert not GuardianLink.objects.exists() and Patient.objects.count() == 1


def test_the_guardian_may_act_for_their_child_and_nobody_else(parent, patient_a, patient_b, child):
    other_child = PatientFactory(date_of_birth=years_ago(5))
    assert family_patient_ids(parent) == {patient_a.pk, child.pk}
    assert can(parent, "patient.view", child) and can(parent, "intake.read", child)
    assert not can(parent, "patient.view", other_child) and not can(parent, "patient.view", patient_b)
    assert get_patient_for_user(parent, child.pk) == child
    with pytest.raises(Http404):
        get_patient_for_user(parent, other_child.pk)
    # The refusal is audited, naming the child it was about.
    assert AuditEvent.objects.filter(action="denied", actor=parent, patient=other_child).count() == 1


def test_a_parent_without_a_record_of_their_own_is_a_patient_account():
    parent = UserFactory(email="parent@example.com")
    assert PATIENT not in roles_of(parent)
    family.dependant_add(
        guardian=parent, first_name="Ivy", last_name="Stone", date_of_birth=years_ago(3), sex="", relationship="father"
    )
    parent = type(parent).objects.get(pk=parent.pk)  # a fresh request
    assert PATIENT in roles_of(parent)
    assert [p.first_name for p in family.family_members(parent)] == ["Ivy"]


def test_the_front_desk_links_a_record_to_a_parents_account(front_desk, patient_b):
    child = PatientFactory(date_of_birth=years_ago(10))
    parent = patient_b.user

    def link(email, **kw):
        return family.guardian_link(
            patient=kw.get("patient", child), guardian_email=email, relationship="father", actor=front_desk
        )

    with pytest.raises(ValidationError, match=r"No account uses nobody@example\.com"):
        link("nobody@example.com")
    with pytest.raises(ValidationError, match="staff account"):
        link(front_desk.email)
    with pytest.raises(ValidationError, match="under 18"):
        link(parent.email, patient=PatientFactory(date_of_birth=years_ago(30)))
    made = link(parent.email.upper())  # the address as typed, any case
    assert made.guardian == parent and made.created_by == front_desk
    with pytest.raises(ValidationError, match="already acts for"):
        link(parent.email)
    assert can(type(parent).objects.get(pk=parent.pk), "patient.view", child)


def test_ending_a_link_needs_a_reason_and_takes_access_away(front_desk, parent, child):
    link = GuardianLink.objects.get(dependant=child)
    with pytest.raises(ValidationError, match="Say why"):
        family.guardian_link_end(link=link, actor=front_desk, reason="  ")
    family.guardian_link_end(link=link, actor=front_desk, reason="Custody changed")
    link.refresh_from_db()
    assert link.ended_by == front_desk and link.end_reason == "Custody changed"
    fresh = type(parent).objects.get(pk=parent.pk)
    assert child.pk not in family_patient_ids(fresh)
    with pytest.raises(Http404):
        get_patient_for_user(fresh, child.pk)
    ended = AuditEvent.objects.get(patient=child, action=AuditEvent.Action.UPDATE)
    assert "guardian link ended" in ended.detail and ended.actor == front_desk


def test_a_child_who_reaches_the_age_of_consent_is_detached_and_both_are_told(parent, child):
    Patient.objects.filter(pk=child.pk).update(date_of_birth=years_ago(18), email="theo@example.com")
    young = family.dependant_add(
        guardian=parent,
        first_name="Mia",
        last_name="Arnold",
        date_of_birth=years_ago(18, days=-1),
        sex="",
        relationship="mother",
    ).dependant  # 18 tomorrow
    assert family.dependants_detach_adults() == 1
    assert not GuardianLink.objects.get(dependant=child).active
    assert GuardianLink.objects.get(dependant=young).active
    sent = OutgoingNotice.objects.filter(kind=OutgoingNotice.Kind.FAMILY, patient=child)
    assert sorted(sent.values_list("recipient", flat=True)) == sorted([parent.email, "theo@example.com"])
    assert "Theo Arnold is now 18" in sent.get(recipient=parent.email).body
    assert reverse("account_signup") in sent.get(recipient="theo@example.com").body
    assert AuditEvent.objects.filter(patient=child, detail__contains="reached the age of consent").count() == 1
    assert family.dependants_detach_adults() == 0  # once


def test_the_family_page_adds_a_child_and_says_what_is_wrong(parent, child):
    client = Client()
    client.force_login(parent)
    page = client.get(reverse("clinic:family_home"))
    assert page.status_code == 200 and "Theo Arnold" in page.content.decode()
    refused = client.post(
        reverse("clinic:family_add"),
        {
            "first_name": "Ada",
            "last_name": "Arnold",
            "date_of_birth": "2099-01-01",
            "sex": "female",
            "relationship": "mother",
        },
    )
    assert refused.status_code == 400
    assert "in the future" in refused.content.decode() and 'value="Ada"' in refused.content.decode()
    added = client.post(
        reverse("clinic:family_add"),
        {
            "first_name": "Ada",
            "last_name": "Arnold",
            "date_of_birth": years_ago(2).isoformat(),
            "sex": "female",
            "relationship": "mother",
        },
    )
    assert added.status_code == 302
    assert GuardianLink.objects.filter(guardian=parent, dependant__first_name="Ada").exists()
    # Each child's record read by the guardian is in that child's access log.
    before = AuditEvent.objects.filter(patient=child, action="view").count()
    client.get(reverse("clinic:family_home"))
    assert AuditEvent.objects.filter(patient=child, action="view").count() == before + 1


def test_acting_for_a_child_shows_on_every_page_and_stops_when_the_link_ends(parent, child, front_desk):
    client = Client()
    client.force_login(parent)
    response = client.post(reverse("clinic:family_act"), {"patient": child.pk, "go": "intake"})
    assert response.status_code == 302 and response["Location"] == reverse("intake:intake_home")
    page = client.get(reverse("intake:intake_home")).content.decode()
    assert "You are booking and filling forms for <strong>Theo Arnold</strong>" in page
    family.guardian_link_end(link=GuardianLink.objects.get(dependant=child), actor=front_desk, reason="moved away")
    page = client.get(reverse("intake:intake_home")).content.decode()
    assert "Theo Arnold" not in page  # back to the parent's own record


def test_acting_for_someone_elses_child_is_refused(parent, patient_b):
    stranger = PatientFactory(date_of_birth=years_ago(6))
    client = Client()
    client.force_login(parent)
    response = client.post(reverse("clinic:family_act"), {"patient": stranger.pk, "go": "book"}, follow=True)
    assert "You can act only for yourself and the children linked to your account." in response.content.decode()
    assert client.session.get("clinic.acting_for") is None


def test_the_front_desk_sees_and_manages_the_links_on_the_patient_page(front_desk, parent, child):
    client = Client()
    client.force_login(front_desk)
    page = client.get(reverse("clinic:patient_detail", args=[child.pk]))
    body = page.content.decode()
    assert "Family accounts" in body and parent.email in body
    link = GuardianLink.objects.get(dependant=child)
    client.post(reverse("clinic:guardian_link_end", args=[child.pk, link.pk]), {"reason": "Court order"})
    link.refresh_from_db()
    assert link.end_reason == "Court order"


def test_the_demo_family_is_as_the_readme_says():
    from django.core.management import call_command

    from clinic.models import User
    from intake.models import ConsentSignature

    call_command("seed_demo")
    morgan = User.objects.get(email="morgan.harris@example.com")
    assert [p.full_name for p in family.family_members(morgan)] == ["Ruby Harris", "Theo Harris"]
    assert not Patient.objects.filter(user=morgan).exists()
    signature = ConsentSignature.objects.get(patient__first_name="Theo", patient__last_name="Harris")
    assert signature.signed_by == morgan and signature.signer_role == "parent"
    readme = (__import__("pathlib").Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "`morgan.harris@example.com`" in readme and "Ruby Harris" in readme
