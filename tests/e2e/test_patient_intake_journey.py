"""Journey 1, intake half (the booking half is test_booking_journey.py): a patient with an account fills the
whole intake on a phone, leaves midway and comes back on a new browser, marks pain on the body diagram by tap
and by keyboard, submits, then reads and signs the consent: first without the neck-injury risk ticked
(stopped), then properly, and sees the printable signed copy."""

import re

import pytest
from playwright.sync_api import expect

from intake.models import ConsentSignature, IntakeSubmission
from tests.e2e.harness import PHONE, check_a11y, click_through, login, shoot, visit
from tests.intake import factories as intake


@pytest.fixture
def clinic_ready(db):
    intake.load_questionnaires()
    return intake.consent_version()


def open_menu_link(page, name: str) -> None:
    """At phone width the navbar is collapsed: open it, then follow the link."""
    page.get_by_role("button", name="Show menu").click()
    click_through(page, page.get_by_role("navigation", name="Main").get_by_role("link", name=name))


def answer_about(page):
    # The clinic's record fills what it knows (date of birth, phone, e-mail); the patient checks and adds.
    expect(page.get_by_label("Date of birth")).to_have_value("1985-06-15")
    page.get_by_label("Sex").select_option(label="Female")
    page.get_by_label("Street address").fill("12 Harbour Street")
    page.get_by_label("Town or city").fill("Portland")
    page.get_by_label("Emergency contact: name").fill("Sam Arnold")
    page.get_by_label("Emergency contact: phone").fill("(555) 010-9876")
    page.get_by_label("Emergency contact: relationship to you").fill("Brother")


def test_patient_fills_intake_on_a_phone_resumes_and_signs_consent(
    page, another_browser, clinic_ready, patient_a, live_server
):
    page.set_viewport_size(PHONE)
    login(page, patient_a.user)
    open_menu_link(page, "Intake & consent")
    expect(page.get_by_role("heading", level=1)).to_have_text("Intake form and consent")
    shoot(page, "patient-intake-1-home")
    click_through(page, page.get_by_role("button", name="Start the intake form"))

    # Step 1: about you.
    expect(page.get_by_role("heading", level=1)).to_have_text("About you")
    expect(page.get_by_text("Step 1 of 6")).to_be_visible()
    answer_about(page)
    shoot(page, "patient-intake-2-about")
    click_through(page, page.get_by_role("button", name="Save and continue"))

    # Step 2: the visit; first a mistake (nothing chosen for the main area), then right.
    expect(page.get_by_role("heading", level=1)).to_have_text("Your visit")
    page.get_by_label("What brings you in?").fill("Stiff neck, worse at the computer")
    page.get_by_label("When did it start?").fill("Three weeks ago")
    click_through(page, page.get_by_role("button", name="Save and continue"))
    expect(page.get_by_role("alert")).to_contain_text("Please correct the answers marked below")
    expect(page.get_by_label("What brings you in?")).to_have_value("Stiff neck, worse at the computer")
    page.get_by_role("radio", name="Neck", exact=True).check()
    page.get_by_label("How did it start?").select_option(label="Gradually, over time")
    page.get_by_role("radiogroup", name="Pain from 0 to 10").get_by_text("4", exact=True).click()
    # Body diagram: a tap on the figure ticks the region's checkbox and fills it ...
    page.locator('svg [data-region="neck_back"]').click()
    expect(page.get_by_role("checkbox", name="Back of neck")).to_be_checked()
    expect(page.locator('svg [data-region="neck_back"]')).to_have_class(re.compile(r"\bmarked\b"))
    # ... and the keyboard reaches the same checkboxes (Space ticks, the figure follows).
    shoulder = page.get_by_role("checkbox", name=re.compile("^Left shoulder")).last
    shoulder.focus()
    page.keyboard.press("Space")
    expect(shoulder).to_be_checked()
    shoot(page, "patient-intake-3-visit-body-diagram")
    click_through(page, page.get_by_role("button", name="Save and continue"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Health history")

    # She leaves here (closes the browser) ...
    page.close()
    draft = IntakeSubmission.objects.get(patient=patient_a)
    assert draft.status == IntakeSubmission.Status.DRAFT
    regions = draft.step_data("visit")["pain_regions"]
    assert "neck_back" in regions and len(regions) == 2, regions

    # ... and comes back later on another browser: the intake page offers to continue where she stopped.
    page = another_browser()
    page.set_viewport_size(PHONE)
    login(page, patient_a.user)
    visit(page, "/intake/")
    click_through(page, page.get_by_role("link", name="Continue at “Health history”"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Health history")
    # What she saved is still there.
    click_through(page, page.get_by_role("link", name="Back"))
    expect(page.get_by_role("checkbox", name="Back of neck")).to_be_checked()
    expect(page.get_by_label("What brings you in?")).to_have_value("Stiff neck, worse at the computer")
    click_through(page, page.get_by_role("button", name="Save and continue"))

    # Step 3: health history.
    page.get_by_role("checkbox", name="None of these").check()
    page.get_by_role("group", name=re.compile("blood thinner")).get_by_label("No", exact=True).check()
    page.get_by_role("group", name="Are you pregnant?").get_by_label("No", exact=True).check()
    shoot(page, "patient-intake-4-health")
    click_through(page, page.get_by_role("button", name="Save and continue"))

    # Step 4: important symptoms, every question answered.
    expect(page.get_by_role("heading", level=1)).to_have_text("Important symptoms")
    questions = page.locator("main form fieldset")
    for i in range(questions.count()):
        questions.nth(i).get_by_label("No", exact=True).check()
    shoot(page, "patient-intake-5-red-flags")
    click_through(page, page.get_by_role("button", name="Save and continue"))

    # Step 5: the neck questionnaire (she chose "Neck"): an answer for each item.
    expect(page.get_by_role("heading", level=1)).to_have_text("How your pain affects daily life")
    items = page.locator("main form fieldset")
    assert items.count() == 10, "the Neck Disability Index has ten items"
    for i in range(items.count()):
        items.nth(i).get_by_role("radio").nth(1).check()
    shoot(page, "patient-intake-6-questionnaire")
    click_through(page, page.get_by_role("button", name="Save and continue"))

    # Step 6: check and submit.
    expect(page.get_by_role("heading", level=1)).to_have_text("Check and submit")
    expect(page.get_by_role("main")).to_contain_text("Stiff neck, worse at the computer")
    shoot(page, "patient-intake-7-review")
    click_through(page, page.get_by_role("button", name="Submit my intake form"))
    expect(page.get_by_role("status")).to_contain_text("your intake form is submitted")
    submission = IntakeSubmission.objects.get(patient=patient_a)
    assert submission.status == IntakeSubmission.Status.SUBMITTED

    # Consent: read to the end, tick every risk but the neck-injury one: stopped, on that box.
    click_through(page, page.get_by_role("link", name="Read and sign the consent"))
    sign = page.get_by_role("button", name="Sign the consent")
    expect(sign).to_be_disabled()
    text = page.get_by_role("region", name="Read the whole text")
    text.hover()
    for _ in range(40):  # scroll the box with the mouse wheel until the end is reached
        page.mouse.wheel(0, 600)
        if sign.is_enabled():
            break
    expect(sign).to_be_enabled()
    expect(page.get_by_label("I have read the whole text above, to the end.")).to_be_checked()
    neck_risk = page.get_by_role("checkbox", name=re.compile("^Neck-injury risk"))
    risks = page.get_by_role("group", name="Confirm each risk").get_by_role("checkbox")
    for i in range(risks.count()):
        box = risks.nth(i)
        if box.get_attribute("name") != "risk_neck_artery":
            box.check()
    page.get_by_label("Yes, I agree to neck procedures").check()
    page.get_by_label("Type your full name to sign").fill("Alice Arnold")
    click_through(page, sign)
    expect(neck_risk).to_have_attribute("aria-invalid", "true")
    expect(neck_risk).to_have_accessible_description(re.compile("Tick to confirm you have read and understood"))
    expect(page.get_by_label("Type your full name to sign")).to_have_value("Alice Arnold")
    assert not ConsentSignature.objects.filter(patient=patient_a).exists()
    shoot(page, "patient-consent-1-neck-risk-unticked")

    # The refusal keeps the other answers; she reads again to the end, ticks the neck risk and signs.
    page.get_by_role("region", name="Read the whole text").focus()
    page.keyboard.press("End")
    expect(page.get_by_role("button", name="Sign the consent")).to_be_enabled()
    neck_risk.check()
    click_through(page, page.get_by_role("button", name="Sign the consent"))

    signature = ConsentSignature.objects.get(patient=patient_a)
    assert page.url == f"{live_server.url}/intake/consent/{signature.pk}/print/"
    expect(page.get_by_role("status")).to_contain_text("your consent is signed")
    copy = page.locator("article.consent-copy")
    expect(copy).to_contain_text("Agreed to neck procedures.")
    expect(copy).to_contain_text("Alice Arnold (patient)")
    expect(copy).to_contain_text("(matches the text above)")
    assert "☐" not in copy.inner_text(), "every risk was acknowledged"
    shoot(page, "patient-consent-2-printable-copy")
    # The printed page leaves out the navigation and buttons.
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    page.emulate_media(media="screen")
    check_a11y(page)
