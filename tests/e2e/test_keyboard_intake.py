"""Keyboard alone through the whole intake and the consent: Tab to move, Space to tick or choose, Enter to
press a button, typing for text. Two standard keys more, where the control defines them: the arrow keys
inside a radio group (a group is one Tab stop; arrows move the choice, as the ARIA radio pattern says),
type-ahead on a closed <select>, and End inside the scrolling consent text."""

import re

import pytest
from playwright.sync_api import expect

from intake.models import ConsentSignature, IntakeSubmission
from tests.e2e.harness import check_a11y, login, visit
from tests.e2e.test_keyboard import assert_focus_is_visible
from tests.intake import factories as intake

FOCUS_INFO = """() => {
    const el = document.activeElement;
    const by = el.getAttribute('aria-labelledby');
    const label = (el.labels && el.labels.length ? el.labels[0].innerText
                   : by ? document.getElementById(by).innerText
                   : el.getAttribute('aria-label') || el.innerText || '');
    return {tag: el.tagName.toLowerCase(), type: el.type || '', name: el.name || '', value: el.value || '',
            label: label.replace(/\\*$/, '').replace(/\\s+/g, ' ').trim(), checked: !!el.checked,
            // Chromium's calendar button inside a date field: a Tab stop of its own, outside :focus (its
            // ring is drawn by clinic.css on ::-webkit-calendar-picker-indicator).
            on_calendar_button: el.type === 'date' && !el.matches(':focus')};
}"""


def focus(page) -> dict:
    return page.evaluate(FOCUS_INFO)


def tab_to(page, label, limit: int = 80) -> dict:
    """Press Tab until the focused control's label is `label` (a string, a pattern it matches, or a test of
    the focus info); every stop shows a focus ring."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = focus(page)
        if not info["on_calendar_button"]:
            assert_focus_is_visible(page)
        stops.append(info["label"][:40])
        if callable(label) and not isinstance(label, re.Pattern):
            if label(info):
                return info
        elif label.search(info["label"]) if isinstance(label, re.Pattern) else info["label"] == label:
            return info
    raise AssertionError(f"Tab never reached {label!r}; it went through {stops}")


def press_enter_and_wait(page):
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check_a11y(page)


def type_into(page, label, text: str) -> None:
    tab_to(page, label)
    page.keyboard.type(text)


def save_and_continue(page, heading: str) -> None:
    tab_to(page, "Save and continue")
    press_enter_and_wait(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)


def answer_each_radio_group(page, *, arrows: int) -> int:
    """Tab to the first radio group, then into each group in turn, moving `arrows` choices along (0: Space on
    the first choice); stop at the first control that is not a radio. Returns how many groups were answered."""
    groups = 0
    tab_to(page, lambda info: info["type"] == "radio")
    while focus(page)["type"] == "radio":
        if arrows:
            for _ in range(arrows):
                page.keyboard.press("ArrowRight")
        else:
            page.keyboard.press("Space")
        assert focus(page)["checked"], focus(page)
        groups += 1
        page.keyboard.press("Tab")
    return groups


@pytest.fixture
def clinic_ready(db):
    intake.load_questionnaires()
    return intake.consent_version()


def test_whole_intake_and_consent_by_keyboard(page, clinic_ready, patient_a):
    login(page, patient_a.user)
    visit(page, "/intake/")
    tab_to(page, "Start the intake form")
    press_enter_and_wait(page)

    # 1. About you (date of birth, phone and e-mail come from the clinic's record).
    expect(page.get_by_role("heading", level=1)).to_have_text("About you")
    tab_to(page, "Sex")
    page.keyboard.type("F")  # type-ahead: Female
    type_into(page, "Street address", "12 Harbour Street")
    type_into(page, "Town or city", "Portland")
    type_into(page, "Emergency contact: name", "Sam Arnold")
    type_into(page, "Emergency contact: phone", "(555) 010-9876")
    save_and_continue(page, "Your visit")

    # 2. Your visit: text, a radio group, a select, the 0-10 scale, body regions by Space.
    type_into(page, re.compile("^What brings you in"), "Stiff neck")
    tab_to(page, "Neck")
    page.keyboard.press("Space")
    type_into(page, re.compile("^When did it start"), "Three weeks ago")
    tab_to(page, "How did it start?")
    page.keyboard.type("Grad")  # Gradually, over time
    tab_to(page, "0")  # the pain scale: one Tab stop, arrows move along it
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    assert focus(page)["label"] == "4" and focus(page)["checked"]
    tab_to(page, "Back of neck")
    page.keyboard.press("Space")
    expect(page.locator('svg [data-region="neck_back"]')).to_have_class(re.compile(r"\bmarked\b"))
    save_and_continue(page, "Health history")

    # 3. Health history.
    tab_to(page, "None of these")
    page.keyboard.press("Space")
    tab_to(page, "Yes")  # the blood-thinner group: Yes, No, Not sure
    page.keyboard.press("ArrowRight")
    assert focus(page)["label"] == "No" and focus(page)["checked"]
    tab_to(page, "No")  # pregnancy: No first
    page.keyboard.press("Space")
    save_and_continue(page, "Important symptoms")

    # 4. Important symptoms: each question is Yes/No; No is one arrow along.
    assert answer_each_radio_group(page, arrows=1) >= 10
    save_and_continue(page, "How your pain affects daily life")

    # 5. The neck questionnaire: Space takes each item's first answer.
    assert answer_each_radio_group(page, arrows=0) == 10
    save_and_continue(page, "Check and submit")

    # 6. Submit.
    tab_to(page, "Submit my intake form")
    press_enter_and_wait(page)
    expect(page.get_by_role("status")).to_contain_text("your intake form is submitted")
    submission = IntakeSubmission.objects.get(patient=patient_a)
    assert submission.status == IntakeSubmission.Status.SUBMITTED
    assert submission.step_data("visit")["pain_now"] == 4
    assert submission.step_data("health")["anticoagulants"] == "no"

    # Consent: End in the text box, Space on each risk and the neck choice, type the name, Enter.
    tab_to(page, "Read and sign the consent")
    press_enter_and_wait(page)
    tab_to(page, "Read the whole text")
    page.keyboard.press("End")
    expect(page.get_by_role("button", name="Sign the consent")).to_be_enabled()
    boxes = 0
    page.keyboard.press("Tab")  # the read-to-end box, ticked by the script
    assert focus(page)["name"] == "read_to_end" and focus(page)["checked"]
    page.keyboard.press("Tab")
    while focus(page)["name"].startswith("risk_"):
        page.keyboard.press("Space")
        boxes += 1
        page.keyboard.press("Tab")
    assert boxes == 5
    assert focus(page)["label"] == "Yes, I agree to neck procedures"
    page.keyboard.press("Space")
    type_into(page, "Type your full name to sign", "Alice Arnold")
    tab_to(page, "Sign the consent")
    press_enter_and_wait(page)
    expect(page.get_by_role("status")).to_contain_text("your consent is signed")
    signature = ConsentSignature.objects.get(patient=patient_a)
    assert signature.cervical_consent and len(signature.risks_acknowledged) == 5
