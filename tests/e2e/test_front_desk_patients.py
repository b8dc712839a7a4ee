"""Front desk: finds a patient with the live search, registers a new one (a mistake first, then right)."""

import re

from playwright.sync_api import expect

from clinic.models import Patient
from tests.e2e.harness import check_a11y, click_through, login, shoot


def test_front_desk_finds_a_patient_by_name_as_they_type(page, live_server, front_desk, patient_a, patient_b):
    login(page, front_desk)
    click_through(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Patients"))

    page.get_by_label("Find a patient").press_sequentially("Arno")
    results = page.locator("#patient-results")
    # htmx swaps the results in without a page load: the list shows Alice and not Bruno.
    expect(results.get_by_role("link", name="Alice Arnold")).to_be_visible()
    expect(results).not_to_contain_text("Bruno")
    check_a11y(page)
    shoot(page, "front-desk-search-results")

    click_through(page, results.get_by_role("link", name="Alice Arnold"))
    assert page.url == f"{live_server.url}/patients/{patient_a.pk}/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Alice Arnold")


def test_front_desk_search_without_javascript_still_answers_as_a_plain_form(page, context, front_desk, patient_a):
    login(page, front_desk)
    # From the front desk home, the search form posts to the patients page (no htmx there).
    page.get_by_label("Find a patient").fill("Alice")
    click_through(page, page.get_by_role("button", name="Search"))
    assert "/patients/?q=Alice" in page.url
    expect(page.get_by_role("link", name="Alice Arnold")).to_be_visible()


def test_front_desk_registers_a_minor_after_being_told_a_guardian_is_needed(page, live_server, front_desk):
    login(page, front_desk)
    page.get_by_label("Find a patient").fill("Zoe Quinn")
    click_through(page, page.get_by_role("button", name="Search"))
    expect(page.get_by_text("No patient matches")).to_be_visible()
    click_through(page, page.get_by_role("link", name="Register a new patient"))
    expect(page.get_by_role("heading", level=1)).to_have_text("New patient")

    page.get_by_label("First name").fill("Zoe")
    page.get_by_label("Last name").fill("Quinn")
    page.get_by_label("Date of birth").fill("2015-03-02")
    page.get_by_label("Phone", exact=True).fill("(555) 010-7788")
    page.get_by_label("Email").fill("quinn.family@example.com")
    click_through(page, page.get_by_role("button", name="Save"))

    # Refused: a summary at the top links to the field, the reason sits next to the field, nothing typed
    # is lost and no patient was created.
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("One thing to fix before saving")
    expect(summary.get_by_role("link", name="Guardian name")).to_have_attribute("href", "#id_guardian_name")
    guardian = page.get_by_label("Guardian name")
    expect(guardian).to_have_attribute("aria-invalid", "true")
    # The message is the field's accessible description: a screen reader reads it with the field.
    expect(guardian).to_have_accessible_description(re.compile("A minor needs a parent or guardian on file."))
    expect(page.get_by_label("First name")).to_have_value("Zoe")
    expect(page.get_by_label("Date of birth")).to_have_value("2015-03-02")
    expect(page.get_by_label("Phone", exact=True)).to_have_value("(555) 010-7788")
    assert not Patient.objects.filter(last_name="Quinn").exists()
    shoot(page, "front-desk-register-guardian-missing")

    guardian.fill("Maya Quinn")
    page.get_by_label("Guardian relationship").fill("Mother")
    click_through(page, page.get_by_role("button", name="Save"))

    zoe = Patient.objects.get(last_name="Quinn")
    assert page.url == f"{live_server.url}/patients/{zoe.pk}/"
    expect(page.get_by_role("status")).to_contain_text("Zoe Quinn is registered.")
    expect(page.get_by_text("Minor", exact=True)).to_be_visible()
    expect(page.get_by_text(re.compile(r"Maya Quinn \(Mother\)"))).to_be_visible()
    assert zoe.guardian_name == "Maya Quinn" and zoe.phone == "(555) 010-7788"
    shoot(page, "front-desk-patient-registered")
