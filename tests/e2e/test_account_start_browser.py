"""Issue 13 item 7 in a browser, on a phone: someone who made an account without booking taps "Intake form and
consent" on the home page and is not met with "You do not have access": they make their record (a mistake
first) and land on the intake form."""

import pytest
from playwright.sync_api import expect

from clinic.models import Patient
from tests.clinic.factories import UserFactory
from tests.e2e.harness import PHONE, click_through, fill_person, login, shoot, visit
from tests.intake import factories as intake


@pytest.fixture
def newcomer(db):
    intake.load_questionnaires()
    return UserFactory(email="solo@example.com")


def test_an_account_without_a_booking_finds_its_way_to_the_intake(page, newcomer, live_server):
    page.set_viewport_size(PHONE)
    login(page, newcomer)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account is ready")
    visit(page, "/")
    click_through(page, page.get_by_role("link", name="Intake form and consent"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    expect(page.get_by_role("link", name="Book a first visit")).to_be_visible()
    fill_person(page, first="Sol", last="Oakes", born="2091-03-04", phone="(555) 010-4444")
    click_through(page, page.get_by_role("button", name="Make my record and start the intake"))
    expect(page.get_by_text("The date of birth cannot be in the future.")).to_be_visible()
    expect(page.get_by_label("First name")).to_have_value("Sol")
    shoot(page, "account-start-mistake")
    page.get_by_label("Date of birth").fill("1991-03-04")
    click_through(page, page.get_by_role("button", name="Make my record and start the intake"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Intake form and consent")
    expect(page.get_by_role("button", name="Start the intake form")).to_be_visible()
    assert Patient.objects.get(user=newcomer).full_name == "Sol Oakes"
