"""Intake answers that cannot wait (issue 13 item 4): the patient is told what to do, in plain words, on the step
itself, on the review page and on the confirmation; the clinic is told at once, by e-mail through the outbox to
the patient's practitioner (or the clinic) and on the front desk's day view, until someone records the call."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from clinic import outbox
from clinic.models import OutgoingNotice
from intake import services
from intake.models import UrgentAnswerAlert
from tests.intake import factories
from tests.scheduling.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

STROKE = "If you have these now, call the emergency number (911 in the US) straight away."
CAUDA = "Go to an emergency department today; do not wait for this appointment."
CALL = "Please call the clinic before your visit, or see your doctor."
STAFF_WORDS = ("Red flags answered yes", "Patient's words", "cauda equina", "emergency referral")


@pytest.fixture
def questionnaires(db):
    return factories.load_questionnaires()


@pytest.fixture
def patient_client(client, patient_a, questionnaires):
    client.force_login(patient_a.user)
    client.post(reverse("intake:intake_start"))
    return client


def _save_red_flags(client, *yes, details=""):
    return client.post(
        reverse("intake:intake_step", args=["redflags"]), {**factories.red_flags(*yes), "details": details}
    )


def test_an_urgent_answer_keeps_the_patient_on_the_step_with_what_to_do(patient_client, patient_a):
    response = _save_red_flags(patient_client, "saddle_bladder")
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:intake_step", args=["redflags"]) + "?saved=1#advice"
    page = patient_client.get(response["Location"]).content.decode()
    assert CAUDA in page and "Your answers are saved" in page
    assert "numbness between your legs" in page  # the question as they were asked it
    assert "The clinic has been told too" in page
    assert reverse("intake:intake_step", args=["outcome"]) in page  # the way on, once read
    for words in STAFF_WORDS:
        assert words not in page


def test_a_stroke_sign_says_call_the_emergency_number(patient_client):
    response = _save_red_flags(patient_client, "speech_swallow", "cancer")
    page = patient_client.get(response["Location"]).content.decode()
    assert STROKE in page and CALL in page
    assert page.index(STROKE) < page.index(CALL)  # the most urgent first


def test_answers_that_need_no_advice_go_straight_on(patient_client):
    response = _save_red_flags(patient_client, "night_pain")
    assert response["Location"] == reverse("intake:intake_step", args=["outcome"])
    assert not UrgentAnswerAlert.objects.exists()


def test_the_question_says_what_a_yes_would_mean_before_it_is_chosen(patient_client):
    page = patient_client.get(reverse("intake:intake_step", args=["redflags"])).content.decode()
    assert page.count('class="red-flag-advice') == 9  # stroke signs 3, cauda equina 2, call the clinic 4
    assert f"If yes: <strong>{CAUDA}</strong>" in page


def test_the_clinic_is_told_at_once_by_e_mail_to_the_booked_practitioner(patient_client, patient_a, practitioner_a):
    AppointmentFactory(patient=patient_a, practitioner=practitioner_a, start=timezone.now() + dt.timedelta(days=2))
    _save_red_flags(patient_client, "leg_weakness")
    alert = UrgentAnswerAlert.objects.get()
    assert (alert.patient, alert.codes, alert.notified) == (patient_a, ["leg_weakness"], "ada@example.com")
    notice = OutgoingNotice.objects.get(kind=OutgoingNotice.Kind.URGENT_ANSWER)
    assert notice.recipient == "ada@example.com" and notice.context == {"alert": alert.pk}
    assert outbox.notice_deliver(notice.pk) == "sent"
    sent = mail.outbox[-1]
    assert sent.to == ["ada@example.com"] and "Alice Arnold" in sent.subject
    assert "Progressive leg weakness" in sent.body and CAUDA in sent.body and "(555) 010-1234" in sent.body


def test_without_a_booking_the_clinic_address_is_told(patient_client, settings):
    _save_red_flags(patient_client, "sudden_headache")
    assert OutgoingNotice.objects.get(kind="urgent_answer").recipient == settings.CLINIC_EMAIL


def test_saving_the_same_answer_again_tells_the_clinic_once_a_new_one_again(patient_client):
    _save_red_flags(patient_client, "saddle_bladder")
    _save_red_flags(patient_client, "saddle_bladder")
    assert UrgentAnswerAlert.objects.count() == 1
    _save_red_flags(patient_client, "saddle_bladder", "double_vision")
    assert [a.codes for a in UrgentAnswerAlert.objects.order_by("pk")] == [["saddle_bladder"], ["double_vision"]]
    assert OutgoingNotice.objects.filter(kind="urgent_answer").count() == 2


def test_the_review_page_speaks_to_the_patient_in_plain_words(patient_client, patient_a):
    draft = factories.draft(patient_a, steps=("about", "visit", "health"))  # the draft the client started
    assert draft.pk
    _save_red_flags(patient_client, "saddle_bladder", "night_pain", details="Numb since Tuesday")
    page = patient_client.get(reverse("intake:intake_step", args=["review"])).content.decode()
    assert CAUDA in page
    assert "Your practitioner will go through these answers with you" in page
    assert "Is your pain worse at night" in page and "What you told us: “Numb since Tuesday”" in page
    for words in STAFF_WORDS:
        assert words not in page


def test_the_confirmation_repeats_the_advice(patient_client, patient_a):
    submission = factories.submitted(patient_a, flags=("speech_swallow",))
    assert submission.is_locked
    page = patient_client.get(reverse("intake:intake_home")).content.decode()
    assert STROKE in page


def test_staff_still_read_the_clinical_labels(client, practitioner_a, patient_a, questionnaires):
    submission = factories.submitted(patient_a, flags=("saddle_bladder",))
    client.force_login(practitioner_a.user)
    page = client.get(reverse("intake:submission_detail", args=[submission.pk])).content.decode()
    assert "Red flags answered yes" in page and "possible cauda equina" in page


def test_the_day_view_shows_the_alert_until_the_call_is_recorded(client, front_desk, patient_a, questionnaires):
    factories.submitted(patient_a, flags=("saddle_bladder",))
    alert = UrgentAnswerAlert.objects.get()
    client.force_login(front_desk)
    page = client.get(reverse("scheduling:frontdesk_home")).content.decode()
    assert "Call today: urgent intake answers (1)" in page and "Alice Arnold" in page
    assert "The form told them: Go to an emergency department today" in page
    assert "Saddle numbness" not in page  # the clinical label is for clinicians
    response = client.post(reverse("intake:urgent_alert_handle", args=[alert.pk]), {"note": "Called; going to ED"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.handled_by == front_desk and alert.handled_note == "Called; going to ED"
    page = client.get(reverse("scheduling:frontdesk_home")).content.decode()
    assert "urgent intake answers" not in page
    again = client.post(reverse("intake:urgent_alert_handle", args=[alert.pk]), follow=True).content.decode()
    assert "already handled" in again


def test_practitioners_see_the_clinical_label_on_the_day_view(client, practitioner_a, patient_a, questionnaires):
    factories.submitted(patient_a, flags=("saddle_bladder",))
    client.force_login(practitioner_a.user)
    page = client.get(reverse("scheduling:frontdesk_home")).content.decode()
    assert "Saddle numbness or new bladder/bowel change" in page


def test_the_clinic_address_is_told_what_the_patient_was_asked_not_the_label(patient_client):
    _save_red_flags(patient_client, "saddle_bladder")
    body = OutgoingNotice.objects.get(kind="urgent_answer").body
    assert "numbness between your legs" in body and "cauda equina" not in body


def test_a_note_too_long_is_refused_with_the_reason(client, front_desk, patient_a, questionnaires):
    factories.submitted(patient_a, flags=("leg_weakness",))
    alert = UrgentAnswerAlert.objects.get()
    client.force_login(front_desk)
    page = client.post(
        reverse("intake:urgent_alert_handle", args=[alert.pk]), {"note": "x" * 1001}, follow=True
    ).content.decode()
    assert "at most 1000 characters" in page
    alert.refresh_from_db()
    assert alert.handled_at is None


def test_the_service_raises_nothing_for_answers_that_can_wait(patient_a, questionnaires):
    draft = factories.draft(patient_a, steps=("about", "visit", "health"))
    assert services.urgent_alert_raise(submission=draft, answers=factories.red_flags("cancer", "night_pain")) is None
