"""Families, in a real browser on a phone: a parent signs up, adds a child (a mistake first), books the child's
first visit, fills the child's intake, signs the child's consent as parent, and sees both of their visits."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.conf import settings
from playwright.sync_api import expect

from clinic.models import GuardianLink, Patient
from intake.models import ConsentSignature, IntakeSubmission
from scheduling.models import Appointment
from tests.e2e.harness import DESKTOP, PHONE, check_a11y, click_through, fill_person, shoot, visit
from tests.intake import factories as intake

ZONE = ZoneInfo(settings.TIME_ZONE)
MONDAY = dt.date(2030, 6, 3)
PASS_PHRASE = "a-long-pass-phrase-1"


def book_first_available(page, day_label: str, time_label: str) -> None:
    click_through(page, page.get_by_role("link", name=re.compile("^SOT new-patient exam")))
    click_through(page, page.get_by_role("link", name=re.compile("^First available")))
    click_through(page, page.get_by_role("list", name="Which day?").get_by_role("link", name=re.compile(day_label)))
    click_through(page, page.get_by_role("button", name=re.compile(time_label)))


def test_a_parent_books_fills_and_signs_for_their_child(page, clinic_clock, clinic_open):
    intake.load_questionnaires()
    version = intake.consent_version()
    clinic_clock(dt.datetime(2030, 6, 3, 9, 0, tzinfo=ZONE))
    page.set_viewport_size(PHONE)

    # Sign up, then the family page (the account page links it).
    visit(page, "/accounts/signup/")
    page.get_by_label("Email").fill("robin.fox@example.com")
    page.locator("#id_password1").fill(PASS_PHRASE)
    page.locator("#id_password2").fill(PASS_PHRASE)
    click_through(page, page.get_by_role("button", name="Sign Up"))
    visit(page, "/account/family/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My family")

    # Add a child: a birth year typed wrong first (in the future), kept and explained; then right.
    form = page.get_by_role("region", name="Add a child")
    form.get_by_label("Child's first name").fill("Ruby")
    form.get_by_label("Child's last name").fill("Fox")
    form.get_by_label("Date of birth").fill("2039-04-12")
    form.get_by_label("Sex").select_option(label="Female")
    form.get_by_label("You are their").fill("father")
    click_through(page, form.get_by_role("button", name="Add child"))
    expect(page.get_by_role("main")).to_contain_text("The date of birth is in the future")
    expect(page.get_by_label("Child's first name")).to_have_value("Ruby")
    shoot(page, "family-01-add-child-mistake")
    page.get_by_label("Date of birth").fill("2024-04-12")
    click_through(page, page.get_by_role("button", name="Add child"))
    expect(page.get_by_role("status")).to_contain_text("Ruby is on your account")
    ruby = Patient.objects.get(first_name="Ruby", last_name="Fox")
    assert GuardianLink.objects.get(dependant=ruby).guardian.email == "robin.fox@example.com"
    shoot(page, "family-02-family-page")
    check_a11y(page)

    # Book Ruby's first visit: the banner says whom for, and so does the confirm page.
    click_through(page, page.get_by_role("button", name="Book for Ruby"))
    expect(page.get_by_role("note")).to_contain_text("You are booking and filling forms for Ruby Fox")
    book_first_available(page, r"^Tue\s+4 Jun", r"^10:00")
    expect(page.get_by_role("radio", name="Ruby Fox")).to_be_checked()
    shoot(page, "family-03-confirm-for-ruby")
    click_through(page, page.get_by_role("button", name="Confirm booking"))
    expect(page.get_by_role("status")).to_contain_text("Booked: SOT new-patient exam")
    assert Appointment.objects.get(patient=ruby).booked_by.email == "robin.fox@example.com"

    # The parent books a visit for themselves too, from the family page: "Me", with the about-you details.
    visit(page, "/account/family/")
    click_through(page, page.get_by_role("button", name="Book a first visit for me"))
    expect(page.get_by_role("note")).to_have_count(0)
    book_first_available(page, r"^Wed\s+5 Jun", r"^11:00")
    page.get_by_role("radio", name="Me (my own first visit)").check()
    about = page.get_by_role("group", name=re.compile("^About you"))
    fill_person(about, first="Robin", last="Fox", born="1988-02-02", phone="(555) 010-4321")
    click_through(page, page.get_by_role("button", name="Confirm booking"))
    expect(page.get_by_role("status")).to_contain_text("Booked: SOT new-patient exam")
    robin = Patient.objects.get(user__email="robin.fox@example.com")

    # The account lists both visits, each with whose it is.
    visit(page, "/account/")
    upcoming = page.get_by_role("main")
    expect(upcoming).to_contain_text("Ruby")
    expect(upcoming).to_contain_text("Tuesday 4 June at 10:00")
    expect(upcoming).to_contain_text("Wednesday 5 June at 11:00")
    shoot(page, "family-04-account-both-visits")
    page.set_viewport_size(DESKTOP)
    shoot(page, "family-04-account-both-visits-wide")
    page.set_viewport_size(PHONE)

    # Ruby's intake and consent, from the family list on the account page.
    click_through(page, page.get_by_role("button", name="Ruby's intake and consent"))
    expect(page.get_by_role("main")).to_contain_text("Ruby Fox")
    click_through(page, page.get_by_role("button", name="Start the intake form"))
    expect(page.get_by_label("Date of birth")).to_have_value("2024-04-12")  # from Ruby's record
    page.locator("#id_phone").fill("(555) 010-4321")
    page.get_by_label("Street address").fill("4 Quay Road")
    page.get_by_label("Town or city").fill("Portland")
    page.get_by_label("Emergency contact: name").fill("Robin Fox")
    page.get_by_label("Emergency contact: phone").fill("(555) 010-4321")
    page.get_by_label("Emergency contact: relationship to you").fill("Father")
    click_through(page, page.get_by_role("button", name="Save and continue"))
    page.get_by_label("What brings you in?").fill("Sore lower back after a fall at the playground")
    page.get_by_label("When did it start?").fill("Last week")
    page.get_by_role("radio", name="Low back", exact=True).check()
    page.get_by_label("How did it start?").select_option(index=1)
    page.get_by_role("radiogroup", name="Pain from 0 to 10").get_by_text("3", exact=True).click()
    page.locator('svg [data-region="low_back"]').click()
    click_through(page, page.get_by_role("button", name="Save and continue"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Health history")
    expect(page.get_by_role("group", name="Are you pregnant?")).to_have_count(0)  # a child's intake
    page.get_by_role("checkbox", name="None of these").check()
    page.get_by_role("group", name=re.compile("blood thinner")).get_by_label("No", exact=True).check()
    click_through(page, page.get_by_role("button", name="Save and continue"))
    questions = page.locator("main form fieldset")
    for i in range(questions.count()):
        questions.nth(i).get_by_label("No", exact=True).check()
    click_through(page, page.get_by_role("button", name="Save and continue"))
    items = page.locator("main form fieldset")
    for i in range(items.count()):
        items.nth(i).get_by_role("radio").nth(1).check()
    click_through(page, page.get_by_role("button", name="Save and continue"))
    click_through(page, page.get_by_role("button", name=re.compile("^Submit")))
    assert IntakeSubmission.objects.get(patient=ruby).status == IntakeSubmission.Status.SUBMITTED
    assert not IntakeSubmission.objects.filter(patient=robin).exists()

    # The consent, signed as her father.
    click_through(page, page.get_by_role("link", name="Read and sign the consent"))
    page.get_by_role("region", name="Read the whole text").focus()
    page.keyboard.press("End")
    risks = page.get_by_role("group", name="Confirm each risk").get_by_role("checkbox")
    for i in range(risks.count()):
        risks.nth(i).check()
    page.get_by_label("No, do not treat my neck").check()
    page.get_by_label("Parent or guardian: type your full name to sign").fill("Robin Fox")
    page.get_by_label("You are signing as the patient's").select_option(label="Parent")
    page.get_by_label(re.compile("Your relationship to the patient")).fill("Father")
    shoot(page, "family-05-consent-as-parent")
    click_through(page, page.get_by_role("button", name="Sign the consent"))
    signature = ConsentSignature.objects.get(patient=ruby)
    assert signature.signer_role == "parent" and signature.signed_by.email == "robin.fox@example.com"
    assert signature.version == version
    expect(page.locator("article.consent-copy")).to_contain_text("Robin Fox")
    shoot(page, "family-06-signed-copy")
