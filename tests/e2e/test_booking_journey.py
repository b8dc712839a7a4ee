"""Journey 1, the booking half, on a phone: a new patient books a new-patient exam with "first available",
signs up on the way, sees it in /account/, downloads the .ics, moves it, downloads it again (same UID, higher
SEQUENCE), then tries to cancel inside the policy window and is told to call the clinic."""

import datetime as dt
import re

import icalendar
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from clinic.models import Patient
from scheduling.models import Appointment
from tests.clinic.factories import UserFactory
from tests.e2e.harness import PHONE, at, check_a11y, click_through, fill_person, login, shoot, visit

MONDAY = dt.date(2030, 6, 3)
THURSDAY = MONDAY + dt.timedelta(days=3)
TUESDAY = MONDAY + dt.timedelta(days=1)
PASS_PHRASE = "a-long-pass-phrase-1"


def download_ics(page) -> icalendar.Event:
    """Click "Add to my calendar (.ics)", catch the download, parse it; return its one event."""
    with page.expect_download() as caught:
        page.get_by_role("link", name="Add to my calendar (.ics)").click()
    download = caught.value
    assert download.suggested_filename.endswith(".ics"), download.suggested_filename
    calendar = icalendar.Calendar.from_ical(download.path().read_bytes())
    events = calendar.walk("VEVENT")
    assert len(events) == 1, calendar.to_ical()
    return events[0]


def assert_event_at(event: icalendar.Event, when: dt.datetime) -> None:
    """DTSTART is written in the clinic's zone (TZID) at the booked wall-clock time."""
    start = event["DTSTART"]
    assert start.params.get("TZID") == settings.TIME_ZONE, start.params
    assert start.dt == when
    assert start.dt.replace(tzinfo=None) == when.replace(tzinfo=None), "wall-clock time in the clinic's zone"


def test_new_patient_books_moves_and_is_told_to_call_inside_the_window(page, clinic_clock, clinic_open):
    clinic_clock(at(MONDAY, 9))
    page.set_viewport_size(PHONE)

    # /book/: the visit type (a new visitor is offered the new-patient exam only), then "first available".
    visit(page, "/book/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Book a visit")
    expect(page.get_by_role("link", name=re.compile("^SOT adjustment"))).to_have_count(0)
    shoot(page, "booking-journey-01-type")
    click_through(page, page.get_by_role("link", name=re.compile("^SOT new-patient exam")))
    click_through(page, page.get_by_role("link", name=re.compile("^First available")))
    shoot(page, "booking-journey-02-days")

    # A day: the weekend is full (nobody works), Thursday has times; once chosen it is highlighted.
    days = page.get_by_role("list", name="Which day?")
    saturday = days.get_by_role("listitem").filter(has_text=re.compile(r"Sat\s+8 Jun"))
    expect(saturday).to_have_text(re.compile(r"full"))
    expect(saturday.get_by_role("link")).to_have_count(0)
    click_through(page, days.get_by_role("link", name=re.compile(r"^Thu\s+6 Jun")))
    thursday = days.get_by_role("link", name=re.compile(r"^Thu\s+6 Jun"))
    expect(thursday).to_have_attribute("aria-current", "date")
    expect(thursday).to_have_class(re.compile(r"\bbtn-primary\b"))
    expect(page.get_by_role("heading", name="Times on Thursday 6 June")).to_be_visible()
    shoot(page, "booking-journey-03-times")

    # A time: 09:00, with whichever practitioner is free first.
    click_through(page, page.get_by_role("button", name=re.compile(r"^09:00")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Almost there")
    expect(page.get_by_role("main")).to_contain_text("Thursday 6 June 2030 at 09:00")
    shoot(page, "booking-journey-04-almost-there")

    # Sign up; allauth brings her back to the confirm page with the time still held.
    click_through(page, page.get_by_role("link", name="Create an account"))
    page.get_by_label("Email").fill("nadia@example.com")
    page.locator("#id_password1").fill(PASS_PHRASE)
    page.locator("#id_password2").fill(PASS_PHRASE)
    shoot(page, "booking-journey-05-sign-up")
    click_through(page, page.get_by_role("button", name="Sign Up"))
    assert page.url.endswith("/book/confirm/"), page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your visit")
    expect(page.get_by_role("main")).to_contain_text("Thursday 6 June 2030 at 09:00")

    # About you, then confirm.
    about = page.get_by_role("group", name="About you")
    fill_person(about, first="Nadia", last="Novak", born="1990-04-02", phone="(555) 010-7777")
    shoot(page, "booking-journey-06-about-you")
    click_through(page, page.get_by_role("button", name="Confirm booking"))
    expect(page.get_by_role("status")).to_contain_text("Booked: SOT new-patient exam on Thursday 6 June at 09:00")
    patient = Patient.objects.get(user__email="nadia@example.com")
    appointment = Appointment.objects.get(patient=patient)
    assert timezone.localtime(appointment.start) == at(THURSDAY, 9)
    assert appointment.source == Appointment.Source.ONLINE
    shoot(page, "booking-journey-07-booked")

    # /account/ lists it.
    visit(page, "/account/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Nadia")
    upcoming = page.get_by_role("link", name="Thursday 6 June at 09:00")
    expect(upcoming).to_be_visible()
    shoot(page, "booking-journey-08-account")
    click_through(page, upcoming)

    # The .ics: the booked time in the clinic's zone, a UID.
    first = download_ics(page)
    assert_event_at(first, at(THURSDAY, 9))
    uid = str(first["UID"])
    assert uid
    first_sequence = int(first.get("SEQUENCE", 0))

    # Reschedule to Tuesday 12:00 with the same practitioner.
    click_through(page, page.get_by_role("link", name="Choose another time"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose another time")
    days = page.get_by_role("list", name="Which day?")
    click_through(page, days.get_by_role("link", name=re.compile(r"^Thu\s+6 Jun")))
    expect(page.get_by_role("button", name="Thursday 6 June at 09:00")).to_have_count(0)  # its own time
    click_through(
        page, page.get_by_role("list", name="Which day?").get_by_role("link", name=re.compile(r"^Tue\s+4 Jun"))
    )
    shoot(page, "booking-journey-09-reschedule")
    click_through(page, page.get_by_role("button", name="Tuesday 4 June at 12:00"))
    expect(page.get_by_role("status")).to_contain_text("Your appointment is moved")
    expect(page.get_by_role("main")).to_contain_text("Tuesday 4 June 2030, 12:00 to 13:00")
    appointment.refresh_from_db()
    assert timezone.localtime(appointment.start) == at(TUESDAY, 12)
    shoot(page, "booking-journey-10-moved")

    moved = download_ics(page)
    assert_event_at(moved, at(TUESDAY, 12))
    assert str(moved["UID"]) == uid, "a calendar updates the same event"
    assert int(moved["SEQUENCE"]) > first_sequence

    # An hour later (23 hours before the visit), with the page still open, she tries to cancel: refused,
    # told to call; the appointment stands.
    expect(page.get_by_text("You can change or cancel online until Monday 3 June, 12:00")).to_be_visible()
    clinic_clock(at(MONDAY, 13))
    click_through(page, page.get_by_role("link", name="Cancel this appointment…"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel your appointment?")
    expect(page.get_by_role("button", name="Yes, cancel the appointment")).to_have_count(0)
    notice = page.get_by_role("status").filter(has_text="can no longer be cancelled online")
    expect(notice).to_contain_text(f"please call the clinic at {settings.CLINIC_PHONE}")
    expect(notice.get_by_role("link", name=settings.CLINIC_PHONE)).to_have_attribute("href", re.compile(r"^tel:"))
    visit(page, f"/account/appointments/{appointment.pk}/")
    expect(page.get_by_role("link", name="Cancel this appointment…")).to_have_count(0)
    expect(page.get_by_role("link", name="Choose another time")).to_have_count(0)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED
    shoot(page, "booking-journey-11-call-the-clinic")


def pick_thursday_nine_with_dr_adams(page) -> None:
    visit(page, "/book/")
    click_through(page, page.get_by_role("link", name=re.compile("^SOT new-patient exam")))
    click_through(page, page.get_by_role("link", name=re.compile("^Dr. Ada Adams")))
    click_through(
        page, page.get_by_role("list", name="Which day?").get_by_role("link", name=re.compile(r"^Thu\s+6 Jun"))
    )
    click_through(page, page.get_by_role("button", name="09:00", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your visit")
    expect(page.get_by_role("main")).to_contain_text("Thursday 6 June 2030 at 09:00")


def test_time_taken_meanwhile_offers_the_nearest_free_times_and_keeps_what_was_typed(
    page, another_browser, clinic_clock, clinic_open, patient_a, practitioner_a
):
    clinic_clock(at(MONDAY, 9))
    newcomer = UserFactory(email="omar@example.com")

    # Alice (registered, no visits yet) and Omar (an account, not yet a patient) each hold Thursday 09:00
    # with Dr. Adams, side by side.
    login(page, patient_a.user)
    pick_thursday_nine_with_dr_adams(page)

    other = another_browser()
    other.set_viewport_size(PHONE)
    login(other, newcomer)
    pick_thursday_nine_with_dr_adams(other)
    about = other.get_by_role("group", name="About you")
    fill_person(about, first="Omar", last="Okafor", born="1979-11-23", phone="(555) 010-3131")

    # Alice confirms first.
    click_through(page, page.get_by_role("button", name="Confirm booking"))
    expect(page.get_by_role("status")).to_contain_text("Booked: SOT new-patient exam on Thursday 6 June at 09:00")

    # Omar confirms second: the time is gone; he is told so, offered the nearest free times, and keeps what he
    # typed. Nothing was booked for him and he is not registered yet.
    with other.expect_navigation() as navigation:
        other.get_by_role("button", name="Confirm booking").click()
    assert navigation.value.status == 409
    check_a11y(other)
    expect(other.get_by_role("heading", level=1)).to_have_text("That time was just taken")
    expect(other.get_by_role("alert")).to_contain_text(
        "That time was just taken. Choose another time below; nothing you typed is lost."
    )
    nearest = other.get_by_role("group", name="The nearest free times")
    choices = nearest.get_by_role("radio")
    assert 1 <= choices.count() <= 4
    expect(choices.first).to_be_checked()
    labels = [nearest.locator("label").nth(i).inner_text() for i in range(choices.count())]
    assert all("Dr. Ada Adams" in label and "09:00" not in label for label in labels), labels
    about = other.get_by_role("group", name="About you")
    expect(about.get_by_label("First name")).to_have_value("Omar")
    expect(about.get_by_label("Last name")).to_have_value("Okafor")
    expect(about.get_by_label("Date of birth")).to_have_value("1979-11-23")
    expect(about.get_by_label("Phone")).to_have_value("(555) 010-3131")
    assert not Patient.objects.filter(user=newcomer).exists()
    assert Appointment.objects.filter(start=at(THURSDAY, 9)).count() == 1
    shoot(other, "booking-taken-1-nearest-times")

    # He takes the second of the nearest times.
    second = nearest.locator("label").nth(1).inner_text()
    choices.nth(1).check()
    click_through(other, other.get_by_role("button", name="Book the chosen time"))
    expect(other.get_by_role("status")).to_contain_text("Booked: SOT new-patient exam")
    omar = Appointment.objects.get(patient__user=newcomer)
    when = timezone.localtime(omar.start)
    assert f"{when:%a} {when.day} {when:%b} at {when:%H:%M}" in second, (second, when)
    assert omar.practitioner == practitioner_a
    assert Patient.objects.get(user=newcomer).first_name == "Omar"
    shoot(other, "booking-taken-2-booked")
