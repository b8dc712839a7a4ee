"""Half a questionnaire does not pass silently (issue 13 item 5): every item needs an answer or a deliberate skip;
the NDI/ODI rule for missing items (one may be left out and the rest scored; more and the form is not scored) is
data on the questionnaire; the patient is told, and the practitioner reads "not scored", never a misleading %."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from intake.forms import OutcomeForm
from intake.models import OutcomeScore
from intake.scoring import score_answers
from tests.intake import factories

pytestmark = pytest.mark.django_db
BANDS = [{"max": 100, "label": "Any"}]


@pytest.fixture
def questionnaires(db):
    return factories.load_questionnaires()


def test_one_missing_item_is_scored_out_of_the_rest():
    answers = {f"q{i}": 2 for i in range(9)} | {"q9": None}
    score = score_answers(answers, max_item_score=5, bands=BANDS, max_missing=1)
    assert (score.total, score.items_answered, score.percent, score.items_missing) == (18, 9, Decimal("40.0"), 1)
    assert score.not_scored_reason == ""


def test_two_missing_items_are_not_scored_and_say_why():
    answers = {f"q{i}": 2 for i in range(8)} | {"q8": None, "q9": None}
    score = score_answers(answers, max_item_score=5, bands=BANDS, max_missing=1)
    assert score.percent is None and score.band == ""
    assert score.not_scored_reason == "not scored: too many questions missing (2 of 10 skipped)"


def test_without_a_rule_every_answered_item_counts():
    score = score_answers({"a": 5, "b": None, "c": None}, max_item_score=5, bands=BANDS)
    assert score.percent == Decimal("100.0")


def test_the_rule_is_data_on_the_questionnaire(questionnaires):
    assert questionnaires["ndi"].max_missing_items == 1 and questionnaires["odi"].max_missing_items == 1


def test_an_item_passed_over_is_asked_for_and_a_skip_is_accepted(questionnaires):
    ndi = questionnaires["ndi"]
    half = {k: v for k, v in list(factories.outcome_post(pain=1).items())[:5]}
    form = OutcomeForm(data=half, questionnaire=ndi)
    assert not form.is_valid()
    assert len(form.errors) == 5
    assert form.errors["concentration"] == ["Choose the answer closest to how you are, or “Skip this question”."]
    skipped = {**half, **{code: "skip" for code in factories.outcome_post() if code not in half}}
    form = OutcomeForm(data=skipped, questionnaire=ndi)
    assert form.is_valid() and form.skipped() == 5 and form.too_many_skipped()


@pytest.fixture
def patient_client(client, patient_a, questionnaires):
    client.force_login(patient_a.user)
    factories.draft(patient_a, steps=("about", "visit", "health", "redflags"))
    return client


def test_half_a_questionnaire_is_sent_back_with_each_missing_question_marked(patient_client):
    half = dict(list(factories.outcome_post(pain=1).items())[:5])
    response = patient_client.post(reverse("intake:intake_step", args=["outcome"]), half)
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count("or “Skip this question”.") == 5
    assert page.count(" checked") == 5  # the five answers given are kept


def test_skipping_too_many_warns_then_shows_not_scored(patient_client, patient_a):
    answers = {code: "skip" for code in factories.outcome_post()} | {"pain": "3", "reading": "2"}
    response = patient_client.post(reverse("intake:intake_step", args=["outcome"]), answers, follow=True)
    page = response.content.decode()
    assert "You skipped 8 questions. With more than 1 skipped, the questionnaire cannot be scored" in page
    assert "Not scored: too many questions missing (8 of 10 skipped)." in page  # the review page, before submit
    patient_client.post(reverse("intake:intake_submit"), {"submission": patient_a.intake_submissions.get().pk})
    score = OutcomeScore.objects.get(patient=patient_a)
    assert score.percent is None and score.items_answered == 2 and score.total == 5
    assert score.not_scored_reason == "not scored: too many questions missing (8 of 10 skipped)"


def test_one_skip_is_scored_and_the_practitioner_sees_the_percent(client, patient_client, patient_a, practitioner_a):
    patient_client.post(reverse("intake:intake_step", args=["outcome"]), factories.outcome_post())
    patient_client.post(reverse("intake:intake_submit"), {"submission": patient_a.intake_submissions.get().pk})
    score = OutcomeScore.objects.get(patient=patient_a)
    assert (score.items_answered, score.percent) == (9, Decimal("11.1"))
    client.force_login(practitioner_a.user)
    page = client.get(reverse("intake:intake_summary", args=[patient_a.pk])).content.decode()
    assert "11.1%" in page and "<em>skipped</em>" in page


def test_the_practitioner_reads_not_scored_rather_than_a_percentage(client, patient_a, practitioner_a, questionnaires):
    draft = factories.draft(patient_a, steps=("about", "visit", "health", "redflags"))
    answers = {code: "skip" for code in factories.outcome_post()} | {"pain": 5}
    from intake import services

    services.intake_save_step(submission=draft, step="outcome", answers=answers)
    services.intake_submit(submission=draft)
    client.force_login(practitioner_a.user)
    page = client.get(reverse("intake:intake_summary", args=[patient_a.pk])).content.decode()
    assert "Not scored: too many questions missing (9 of 10 skipped)" in page
    assert "100.0%" not in page
