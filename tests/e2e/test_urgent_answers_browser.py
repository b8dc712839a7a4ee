"""Issue 13 items 4 and 5 in a real browser, as a patient on a phone and the front desk at 1280 px:
an answer that cannot wait is explained on the step itself, in plain words; half a questionnaire is asked for,
a deliberate skip is allowed, and too many skips are said to leave it unscored; the desk sees the alert on the
day view and records the call."""

import re

import pytest
from playwright.sync_api import expect

from intake.models import UrgentAnswerAlert
from tests.e2e.harness import DESKTOP, PHONE, click_through, login, shoot, visit
from tests.intake import factories as intake


@pytest.fixture
def clinic_ready(db):
    intake.load_questionnaires()
    return intake.consent_version()


def test_patient_told_what_to_do_and_desk_records_the_call(
    page, another_browser, clinic_ready, patient_a, front_desk, live_server
):
    intake.draft(patient_a, steps=("about", "visit", "health"))
    page.set_viewport_size(PHONE)
    login(page, patient_a.user)
    visit(page, "/intake/step/redflags/")
    questions = page.locator("main form fieldset")
    for i in range(questions.count()):
        questions.nth(i).get_by_label("No", exact=True).check()
    # The bladder/saddle question says what a yes means before the patient chooses it.
    bladder = page.get_by_role("group", name=re.compile("numbness between your legs"))
    expect(bladder).to_contain_text("If yes: Go to an emergency department today")
    bladder.get_by_label("Yes", exact=True).check()
    click_through(page, page.get_by_role("button", name="Save and continue"))

    # Still on the step: what to do, first, in the patient's words; no clinical labels.
    expect(page.get_by_role("heading", level=1)).to_have_text("Important symptoms")
    advice = page.locator("#advice")
    expect(advice).to_contain_text("Go to an emergency department today; do not wait for this appointment.")
    expect(advice).to_contain_text("The clinic has been told too")
    expect(page.get_by_role("main")).not_to_contain_text("cauda equina")
    shoot(page, "urgent-1-advice-on-the-step")
    assert UrgentAnswerAlert.objects.filter(patient=patient_a).count() == 1

    click_through(page, page.get_by_role("link", name=re.compile("continue to the next step")))
    expect(page.get_by_role("heading", level=1)).to_have_text("How your pain affects daily life")
    # Half the questionnaire, then continue: each missing question is asked for, answers kept.
    items = page.locator("main form fieldset")
    for i in range(5):
        items.nth(i).get_by_role("radio").nth(1).check()
    click_through(page, page.get_by_role("button", name="Save and continue"))
    expect(page.get_by_role("heading", level=1)).to_have_text("How your pain affects daily life")
    expect(page.get_by_text("or “Skip this question”.")).to_have_count(5)
    shoot(page, "urgent-2-questionnaire-half-answered")
    for i in range(5, 10):
        items.nth(i).get_by_label("Skip this question").check()
    click_through(page, page.get_by_role("button", name="Save and continue"))

    # The review page: told it will not be scored, and the advice again.
    expect(page.get_by_role("heading", level=1)).to_have_text("Check and submit")
    main = page.get_by_role("main")
    expect(main).to_contain_text("You skipped 5 questions")
    expect(main).to_contain_text("Not scored: too many questions missing (5 of 10 skipped).")
    expect(main).to_contain_text("Go to an emergency department today")
    expect(main).not_to_contain_text("Red flags answered yes")
    shoot(page, "urgent-3-review-plain-words")

    # The front desk, at 1280 px: the alert above the calendar, then the call recorded.
    desk = another_browser()
    desk.set_viewport_size(DESKTOP)
    login(desk, front_desk)
    visit(desk, "/frontdesk/")
    alerts = desk.get_by_role("region", name=re.compile("Call today"))
    expect(alerts).to_contain_text("Alice Arnold")
    shoot(desk, "urgent-4-day-view-alert")
    alerts.get_by_label("What was done (optional)").fill("Called: she is going to the emergency department")
    click_through(desk, alerts.get_by_role("button", name=re.compile("We contacted Alice")))
    expect(desk.get_by_role("status")).to_contain_text("Alice Arnold was contacted")
    expect(desk.get_by_role("region", name=re.compile("Call today"))).to_have_count(0)
