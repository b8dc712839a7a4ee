"""The intake pages' JavaScript in a real browser: body diagram clicks, consent scroll gate (shared harness)."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.harness import PHONE, login, visit
from tests.intake import factories


def _has(word):
    return re.compile(rf"(^|\s){word}(\s|$)")


@pytest.fixture
def phone_page(page):
    page.set_viewport_size(PHONE)
    return page


def test_clicking_the_figure_ticks_the_real_checkbox(phone_page, patient_a):
    page = phone_page
    factories.draft(patient_a)
    login(page, patient_a.user)
    visit(page, "/intake/step/visit/")
    page.click('svg [data-region="low_back"]')
    expect(page.locator('input[name="pain_regions"][value="low_back"]')).to_be_checked()
    expect(page.locator('svg [data-region="low_back"]')).to_have_class(_has("marked"))
    # Keyboard: the checkbox itself, reached by focus and Space, fills the figure too.
    box = page.locator('input[name="pain_regions"][value="neck_back"]')
    box.focus()
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    expect(page.locator('svg [data-region="neck_back"]')).to_have_class(_has("marked"))


def test_the_sign_button_waits_for_the_end_of_the_text(phone_page, patient_a):
    page = phone_page
    factories.consent_version()
    login(page, patient_a.user)
    visit(page, "/intake/consent/")
    expect(page.locator("[data-consent-submit]")).to_be_disabled()
    # Keyboard path: focus the text box and press End.
    page.locator("[data-consent-text]").focus()
    page.keyboard.press("End")
    expect(page.locator("[data-consent-submit]")).to_be_enabled()
    expect(page.locator('input[name="read_to_end"]')).to_be_checked()


def test_ticking_read_to_end_is_the_other_keyboard_path(phone_page, patient_a):
    page = phone_page
    factories.consent_version()
    login(page, patient_a.user)
    visit(page, "/intake/consent/")
    page.locator('input[name="read_to_end"]').focus()
    page.keyboard.press("Space")
    expect(page.locator("[data-consent-submit]")).to_be_enabled()


@pytest.mark.parametrize("path", ["/intake/step/visit/", "/intake/step/redflags/", "/intake/consent/"])
def test_intake_pages_pass_axe_at_phone_width(phone_page, patient_a, path):
    factories.draft(patient_a)
    factories.consent_version()
    login(phone_page, patient_a.user)
    visit(phone_page, path)  # axe-core on the whole page, navbar included
