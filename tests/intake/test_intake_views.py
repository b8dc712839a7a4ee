import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from intake import content, services
from intake.models import ConsentSignature, IntakeSubmission, OutcomeScore, RedFlagReview
from intake.permissions import SESSION_KEY
from tests.intake import factories

pytestmark = pytest.mark.django_db

STEP_POSTS = factories.STEP_POSTS
# A bad answer per step, and a typed value that must come back in the page.
BAD_POSTS = {
    "about": ({**factories.ABOUT, "phone": "call me"}, "Emergency contact", "Pat Doe"),
    "visit": (
        {**factories.VISIT, "pain_regions": [], "complaint": "Typed complaint kept"},
        "Mark at least one",
        "Typed complaint kept",
    ),
    "health": (
        {**factories.HEALTH, "anticoagulants": "", "medications": "Typed medicine kept"},
        "This field is required",
        "Typed medicine kept",
    ),
    "redflags": (
        {**factories.red_flags(), "cancer": "", "details": "Typed details kept"},
        "Answer yes or no.",
        "Typed details kept",
    ),
}


@pytest.fixture
def questionnaires(db):
    return factories.load_questionnaires()


@pytest.fixture
def patient_client(client, patient_a):
    client.force_login(patient_a.user)
    return client


def _post_steps(client, steps):
    for step in steps:
        response = client.post(reverse("intake:intake_step", args=[step]), STEP_POSTS[step])
        assert response.status_code == 302, (step, response.content[:2000])


# --- The wizard ------------------------------------------------------------------------------------


def test_home_shows_start_then_continue(patient_client, patient_a, questionnaires):
    response = patient_client.get(reverse("intake:intake_home"))
    assert "Start the intake form" in response.content.decode()
    response = patient_client.post(reverse("intake:intake_start"))
    assert response["Location"] == reverse("intake:intake_step", args=["about"])
    assert IntakeSubmission.objects.filter(patient=patient_a).count() == 1


def test_start_twice_creates_one_draft(patient_client, patient_a):
    patient_client.post(reverse("intake:intake_start"))
    patient_client.post(reverse("intake:intake_start"))
    assert IntakeSubmission.objects.filter(patient=patient_a).count() == 1


@pytest.mark.parametrize("stopped_after", [0, 1, 2, 3, 4, 5])
def test_leaving_and_coming_back_resumes_at_the_step(client, patient_a, questionnaires, stopped_after):
    client.force_login(patient_a.user)
    client.post(reverse("intake:intake_start"))
    saved = content.REQUIRED_STEPS[:stopped_after]
    _post_steps(client, saved)
    client.logout()  # "closing the browser": a new session
    client.force_login(patient_a.user)
    expected = content.STEP_SLUGS[stopped_after]
    page = client.get(reverse("intake:intake_home")).content.decode()
    assert reverse("intake:intake_step", args=[expected]) in page
    assert f"Continue at “{content.step_by_slug(expected).title}”" in page
    if saved:  # the last saved step shows its saved answers
        last = saved[-1]
        page = client.get(reverse("intake:intake_step", args=[last])).content.decode()
        marker = {
            "about": "Pat Doe",
            "visit": "Stiff neck",
            "health": 'value="no"',
            "redflags": 'value="no"',
            "outcome": 'value="3"',
        }[last]
        assert marker in page


@pytest.mark.parametrize("step", list(BAD_POSTS))
def test_a_validation_error_keeps_everything_typed(patient_client, patient_a, step):
    patient_client.post(reverse("intake:intake_start"))
    data, error, kept = BAD_POSTS[step]
    response = patient_client.post(reverse("intake:intake_step", args=[step]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert error in page and kept in page
    assert step not in IntakeSubmission.objects.get(patient=patient_a).data


def test_visit_error_keeps_ticked_regions(patient_client):
    patient_client.post(reverse("intake:intake_start"))
    data = {**factories.VISIT, "complaint": ""}
    response = patient_client.post(reverse("intake:intake_step", args=["visit"]), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'value="neck_back" id="[^"]+" checked', page)
    assert re.search(r'value="shoulder_back_left" id="[^"]+" checked', page)
    assert not re.search(r'value="low_back" id="[^"]+" checked', page)
    assert 'class="region marked" data-region="neck_back"' in page


def test_body_diagram_regions_are_labelled_checkboxes(patient_client):
    patient_client.post(reverse("intake:intake_start"))
    page = patient_client.get(reverse("intake:intake_step", args=["visit"])).content.decode()
    for region in content.REGIONS:
        assert f'value="{region.code}"' in page
        assert f">{region.label}</label>" in page
    assert "js/body-diagram.js" in page


def test_full_flow_submit_twice_creates_nothing_twice(patient_client, patient_a, questionnaires):
    patient_client.post(reverse("intake:intake_start"))
    _post_steps(patient_client, content.REQUIRED_STEPS)
    draft = IntakeSubmission.objects.get(patient=patient_a)
    review = patient_client.get(reverse("intake:intake_step", args=["review"]))
    assert "Submit my intake form" in review.content.decode()
    for _ in range(2):
        response = patient_client.post(reverse("intake:intake_submit"), {"submission": draft.pk})
        assert response.status_code == 302
    assert IntakeSubmission.objects.filter(patient=patient_a).count() == 1
    assert OutcomeScore.objects.filter(patient=patient_a).count() == 1
    draft.refresh_from_db()
    assert draft.is_locked


def test_submitting_an_incomplete_form_says_what_is_missing(patient_client, patient_a):
    patient_client.post(reverse("intake:intake_start"))
    draft = IntakeSubmission.objects.get(patient=patient_a)
    response = patient_client.post(reverse("intake:intake_submit"), {"submission": draft.pk}, follow=True)
    assert "Some steps are not complete yet" in response.content.decode()
    draft.refresh_from_db()
    assert not draft.is_locked


def test_a_step_post_after_submission_changes_nothing(patient_client, patient_a, questionnaires):
    submission = factories.submitted(patient_a)
    response = patient_client.post(reverse("intake:intake_step", args=["about"]), STEP_POSTS["about"])
    assert response.status_code == 302 and response["Location"] == reverse("intake:intake_home")
    submission.refresh_from_db()
    assert submission.is_locked and IntakeSubmission.objects.filter(patient=patient_a).count() == 1


def test_an_unknown_step_is_404(patient_client):
    patient_client.post(reverse("intake:intake_start"))
    assert patient_client.get("/intake/step/nope/").status_code == 404


@pytest.mark.parametrize("name", ["intake:intake_start", "intake:intake_submit"])
def test_post_only_actions_refuse_get(patient_client, name):
    assert patient_client.get(reverse(name)).status_code == 405


def test_submitting_another_patients_draft_is_404(patient_client, patient_b, questionnaires):
    other = factories.draft(patient_b, steps=content.REQUIRED_STEPS[:4])
    response = patient_client.post(reverse("intake:intake_submit"), {"submission": other.pk})
    assert response.status_code == 404
    other.refresh_from_db()
    assert not other.is_locked


def test_a_patient_cannot_read_another_patients_intake(patient_client, patient_b, questionnaires):
    other = factories.submitted(patient_b)
    assert patient_client.get(reverse("intake:submission_detail", args=[other.pk])).status_code == 404


def test_a_patient_reads_their_own_submitted_intake(patient_client, patient_a, questionnaires):
    own = factories.submitted(patient_a)
    response = patient_client.get(reverse("intake:submission_detail", args=[own.pk]))
    assert response.status_code == 200 and "Stiff neck" in response.content.decode()


# --- Consent screen --------------------------------------------------------------------------------


def _consent_post(version, **overrides):
    data = {f"risk_{r['code']}": "on" for r in version.risks}
    data.update(
        {"read_to_end": "on", "cervical_consent": "yes", "signer_name": "Alice Arnold", "text_sha256": version.sha256}
    )
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_consent_page_shows_the_whole_text_and_one_box_per_risk(patient_client):
    version = factories.consent_version()
    page = patient_client.get(reverse("intake:consent_sign")).content.decode()
    for paragraph in version.text.split("\n\n"):
        assert paragraph.replace('"', "&quot;").replace("'", "&#x27;") in page
    for risk in version.risks:
        assert f'name="risk_{risk["code"]}"' in page
    assert "js/consent.js" in page and 'tabindex="0"' in page


def test_signing_stores_the_hash_of_the_text_shown(patient_client, patient_a):
    version = factories.consent_version()
    response = patient_client.post(
        reverse("intake:consent_sign"),
        _consent_post(version),
        HTTP_USER_AGENT="TestBrowser/1.0",
        REMOTE_ADDR="10.1.2.3",
    )
    signature = ConsentSignature.objects.get(patient=patient_a)
    assert response["Location"] == reverse("intake:consent_print", args=[signature.pk])
    assert signature.text_sha256 == version.sha256
    assert (signature.ip_address, signature.user_agent) == ("10.1.2.3", "TestBrowser/1.0")
    assert signature.risks_acknowledged == [r["code"] for r in version.risks]
    copy = patient_client.get(response["Location"]).content.decode()
    assert version.sha256 in copy and "matches the text above" in copy


def test_the_server_refuses_a_consent_with_the_neck_risk_unticked(patient_client, patient_a):
    version = factories.consent_version()
    response = patient_client.post(reverse("intake:consent_sign"), _consent_post(version, risk_neck_artery=None))
    assert response.status_code == 400
    assert "Tick to confirm you have read and understood this risk." in response.content.decode()
    assert not ConsentSignature.objects.exists()


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"read_to_end": None}, "Read the whole text, then tick this box."),
        ({"cervical_consent": None}, "Choose whether you agree to neck procedures."),
        ({"signer_name": ""}, "This field is required."),
        ({"text_sha256": "f" * 64}, "The consent text changed while you were reading it."),
    ],
)
def test_consent_errors_keep_what_was_entered(patient_client, override, message):
    version = factories.consent_version()
    data = _consent_post(version, **{"signer_name": "Alice Typed Arnold", **override})
    response = patient_client.post(reverse("intake:consent_sign"), data)
    page = response.content.decode()
    assert response.status_code == 400 and message in page
    if "signer_name" not in override:
        assert 'value="Alice Typed Arnold"' in page
    assert not ConsentSignature.objects.exists()


def test_a_minor_needs_guardian_fields_on_the_screen(client, patient_a, settings):
    settings.CLINIC_AGE_OF_CONSENT = 50  # patient A (born 1985) counts as a minor here
    patient_a.guardian_name = "Morgan Arnold"
    patient_a.save()
    client.force_login(patient_a.user)
    version = factories.consent_version()
    page = client.get(reverse("intake:consent_sign")).content.decode()
    assert 'value="Morgan Arnold"' in page  # the guardian on file is suggested
    response = client.post(reverse("intake:consent_sign"), _consent_post(version))
    assert response.status_code == 400 and "guardian_relationship" in response.content.decode()
    response = client.post(
        reverse("intake:consent_sign"),
        _consent_post(version, signer_name="Morgan Arnold", signer_role="parent", guardian_relationship="Mother"),
    )
    assert response.status_code == 302
    assert ConsentSignature.objects.get().signer_role == "parent"


def test_double_consent_post_creates_one_signature(patient_client):
    version = factories.consent_version()
    patient_client.post(reverse("intake:consent_sign"), _consent_post(version))
    patient_client.post(reverse("intake:consent_sign"), _consent_post(version))
    assert ConsentSignature.objects.count() == 1


def test_patient_withdraws_from_their_intake_page(patient_client, patient_a):
    signature = factories.sign(patient_a, factories.consent_version())
    response = patient_client.post(reverse("intake:consent_withdraw", args=[signature.pk]))
    assert response.status_code == 302
    signature.refresh_from_db()
    assert signature.withdrawn_at is not None
    page = patient_client.get(reverse("intake:intake_home")).content.decode()
    assert "You withdrew your consent" in page


def test_withdraw_refuses_get(patient_client, patient_a):
    signature = factories.sign(patient_a, factories.consent_version())
    assert patient_client.get(reverse("intake:consent_withdraw", args=[signature.pk])).status_code == 405


def test_a_patient_cannot_withdraw_or_read_another_patients_consent(patient_client, patient_b):
    signature = factories.sign(patient_b, factories.consent_version())
    assert patient_client.post(reverse("intake:consent_withdraw", args=[signature.pk])).status_code == 404
    assert patient_client.get(reverse("intake:consent_print", args=[signature.pk])).status_code == 404
    signature.refresh_from_db()
    assert signature.withdrawn_at is None


def test_consent_page_without_an_active_version_says_so(patient_client):
    response = patient_client.get(reverse("intake:consent_sign"))
    assert "not published its consent document" in response.content.decode()


def test_out_of_date_consent_asks_to_sign_again(patient_client, patient_a):
    factories.sign(patient_a, factories.consent_version(1))
    factories.consent_version(2)
    page = patient_client.get(reverse("intake:intake_home")).content.decode()
    assert "The consent document has changed since you signed it" in page


# --- Invitation links -----------------------------------------------------------------------------


def _invite(patient, front_desk):
    invitation, link = services.invitation_send(patient=patient, email="p@example.com", actor=front_desk)
    return invitation, link[link.index("/intake/") :]


def test_an_invitation_link_lets_an_anonymous_patient_fill_their_intake(client, patient_a, front_desk, questionnaires):
    _invitation, path = _invite(patient_a, front_desk)
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == reverse("intake:intake_home")
    page = client.get(reverse("intake:intake_home")).content.decode()
    assert "Alice Arnold" in page and "from the link the clinic sent you" in page
    client.post(reverse("intake:intake_start"))
    _post_steps(client, ["about"])
    draft = IntakeSubmission.objects.get(patient=patient_a)
    assert draft.via_invitation and "about" in draft.data


def test_an_invitation_link_lets_an_anonymous_patient_sign_consent(client, patient_a, front_desk):
    version = factories.consent_version()
    _invitation, path = _invite(patient_a, front_desk)
    client.get(path)
    response = client.post(reverse("intake:consent_sign"), _consent_post(version))
    assert response.status_code == 302
    signature = ConsentSignature.objects.get(patient=patient_a)
    assert signature.via_invitation and signature.signed_by is None
    assert client.get(response["Location"]).status_code == 200


def test_an_expired_link_gets_a_clear_page(client, patient_a, front_desk, settings):
    settings.INTAKE_INVITATION_DAYS = 2
    with time_machine.travel(dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        _invitation, path = _invite(patient_a, front_desk)
    with time_machine.travel(dt.datetime(2026, 5, 3, 9, 1, tzinfo=dt.UTC), tick=False):
        response = client.get(path)
    assert response.status_code == 400
    assert "This link has expired" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_a_tampered_link_gets_a_clear_page(client, patient_a, front_desk):
    _invitation, path = _invite(patient_a, front_desk)
    response = client.get(path[:-3] + "xyz/")
    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()


def test_a_link_with_junk_after_it_gets_the_clear_page(client, patient_a, front_desk):
    _invitation, path = _invite(patient_a, front_desk)
    response = client.get(path + "extra/bits")
    assert response.status_code == 400 and "This link is not valid" in response.content.decode()


def test_about_step_starts_from_what_the_clinic_knows(patient_client, patient_a):
    patient_client.post(reverse("intake:intake_start"))
    page = patient_client.get(reverse("intake:intake_step", args=["about"])).content.decode()
    assert 'value="1985-06-15"' in page and 'value="(555) 010-1234"' in page


def test_an_invitation_session_stops_when_the_link_expires(client, patient_a, front_desk, settings):
    settings.INTAKE_INVITATION_DAYS = 1
    with time_machine.travel(dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        _invitation, path = _invite(patient_a, front_desk)
        client.get(path)
        assert client.get(reverse("intake:intake_home")).status_code == 200
    with time_machine.travel(dt.datetime(2026, 5, 2, 9, 1, tzinfo=dt.UTC), tick=False):
        assert client.get(reverse("intake:intake_home")).status_code == 302


def test_a_signed_in_user_opening_a_link_is_told_to_log_out(client, patient_b, patient_a, front_desk):
    _invitation, path = _invite(patient_a, front_desk)
    client.force_login(patient_b.user)
    response = client.get(path)
    assert response.status_code == 400 and "Log out first" in response.content.decode()


# --- Staff -----------------------------------------------------------------------------------------


def test_front_desk_sees_status_but_not_clinical_answers(client, front_desk, patient_a, questionnaires):
    factories.submitted(patient_a, flags=("cancer",))
    client.force_login(front_desk)
    page = client.get(reverse("intake:patient_intake_status", args=[patient_a.pk])).content.decode()
    assert "Intake submitted" in page and "Red flags: review before treatment" in page
    assert "Stiff neck" not in page and "History of cancer" not in page
    listing = client.get(reverse("intake:intake_status_list")).content.decode()
    assert "Arnold, Alice" in listing and "Stiff neck" not in listing
    assert client.get(reverse("intake:intake_summary", args=[patient_a.pk])).status_code == 403


def test_status_list_searches_by_name(client, front_desk, patient_a, patient_b):
    client.force_login(front_desk)
    page = client.get(reverse("intake:intake_status_list"), {"q": "Berg"}).content.decode()
    assert "Berg, Bruno" in page and "Arnold, Alice" not in page


def test_front_desk_sends_an_invitation_and_sees_the_link(client, front_desk, patient_a, mailoutbox):
    client.force_login(front_desk)
    response = client.post(reverse("intake:invitation_send", args=[patient_a.pk]), {"email": "alice@example.org"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["alice@example.org"]
    page = client.get(response["Location"]).content.decode()
    link = next(line for line in mailoutbox[0].body.splitlines() if "/intake/invitation/" in line)
    assert f'value="{link}"' in page


def test_front_desk_stops_a_link_and_it_no_longer_works(client, front_desk, patient_a):
    invitation, path = _invite(patient_a, front_desk)
    client.force_login(front_desk)
    assert client.get(reverse("intake:invitation_revoke", args=[invitation.pk])).status_code == 405
    response = client.post(reverse("intake:invitation_revoke", args=[invitation.pk]))
    assert response.status_code == 302
    assert client.post(reverse("intake:invitation_revoke", args=[999999])).status_code == 404
    client.logout()
    response = client.get(path)
    assert response.status_code == 400 and "no longer valid" in response.content.decode()


def test_a_revoked_link_ends_a_session_already_open(client, front_desk, patient_a):
    invitation, path = _invite(patient_a, front_desk)
    client.get(path)
    assert client.get(reverse("intake:intake_home")).status_code == 200
    services.invitation_revoke(invitation=invitation, actor=front_desk)
    assert client.get(reverse("intake:intake_home")).status_code == 302


def test_invitation_with_a_bad_address_gives_a_field_error(client, front_desk, patient_a, mailoutbox):
    client.force_login(front_desk)
    response = client.post(reverse("intake:invitation_send", args=[patient_a.pk]), {"email": "not-an-address"})
    assert response.status_code == 400 and "Enter a valid email address." in response.content.decode()
    assert mailoutbox == []


def test_invitation_send_refuses_get(client, front_desk, patient_a):
    client.force_login(front_desk)
    assert client.get(reverse("intake:invitation_send", args=[patient_a.pk])).status_code == 405


def test_staff_pages_answer_404_for_an_unknown_patient(client, front_desk, practitioner_a):
    client.force_login(front_desk)
    assert client.get(reverse("intake:patient_intake_status", args=[999999])).status_code == 404
    client.force_login(practitioner_a.user)
    assert client.get(reverse("intake:intake_summary", args=[999999])).status_code == 404


def test_practitioner_summary_draws_the_pain_diagram(client, practitioner_a, patient_a, questionnaires):
    factories.submitted(patient_a)
    client.force_login(practitioner_a.user)
    page = client.get(reverse("intake:intake_summary", args=[patient_a.pk])).content.decode()
    assert 'class="region marked" data-region="neck_back"' in page
    assert 'class="region marked" data-region="shoulder_back_left"' in page
    assert 'class="region" data-region="low_back"' in page
    assert "Stiff neck" in page and "11.1%" in page and "Mild" in page


def test_practitioner_reviews_red_flags_and_the_alert_clears(client, practitioner_a, patient_a, questionnaires):
    factories.submitted(patient_a, flags=("saddle_bladder",))
    review = RedFlagReview.objects.get()
    client.force_login(practitioner_a.user)
    page = client.get(reverse("intake:intake_summary", args=[patient_a.pk])).content.decode()
    assert "Red flags not yet reviewed" in page and "possible cauda equina" in page
    detail = client.get(reverse("clinic:patient_detail", args=[patient_a.pk])).content.decode()
    assert "Red flags in the intake are not yet reviewed" in detail
    response = client.post(reverse("intake:red_flags_review", args=[review.pk]), {"review_note": "Sent to ED"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.reviewed_by == practitioner_a and review.review_note == "Sent to ED"
    detail = client.get(reverse("clinic:patient_detail", args=[patient_a.pk])).content.decode()
    assert "Red flags in the intake are not yet reviewed" not in detail


def test_red_flag_review_refuses_get_and_other_roles(client, practitioner_a, front_desk, patient_a, questionnaires):
    factories.submitted(patient_a, flags=("cancer",))
    review = RedFlagReview.objects.get()
    client.force_login(practitioner_a.user)
    assert client.get(reverse("intake:red_flags_review", args=[review.pk])).status_code == 405
    client.force_login(front_desk)
    assert client.post(reverse("intake:red_flags_review", args=[review.pk])).status_code == 403
    client.force_login(practitioner_a.user)
    assert client.post(reverse("intake:red_flags_review", args=[999999])).status_code == 404


def test_practitioner_records_consent_discussed(client, practitioner_a, patient_a):
    signature = factories.sign(patient_a, factories.consent_version())
    client.force_login(practitioner_a.user)
    assert client.get(reverse("intake:consent_discussed", args=[signature.pk])).status_code == 405
    response = client.post(reverse("intake:consent_discussed", args=[signature.pk]))
    assert response.status_code == 302
    signature.refresh_from_db()
    assert signature.discussed_by == practitioner_a
    assert client.post(reverse("intake:consent_discussed", args=[999999])).status_code == 404


def test_patient_cannot_record_discussion(patient_client, patient_a):
    signature = factories.sign(patient_a, factories.consent_version())
    assert patient_client.post(reverse("intake:consent_discussed", args=[signature.pk])).status_code == 403


def test_status_list_query_count_does_not_grow_with_patients(client, front_desk):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.clinic.factories import PatientFactory

    factories.load_questionnaires()
    version = factories.consent_version()
    client.force_login(front_desk)
    counts = []
    for batch in (2, 20):
        for patient in PatientFactory.create_batch(batch):
            factories.sign(patient, version)
            factories.draft(patient, steps=("about",))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("intake:intake_status_list")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
