"""Journey 1's booking by keyboard alone, at phone width: Tab and Shift+Tab to move, Enter to follow a link or
press a button (Space once, on a button), typing for text, an arrow inside the radio group of other times
when the chosen one was taken meanwhile. Every stop shows a focus ring; after choosing a day, the page lands
on its times, so the next Tab is the first time of that day."""

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from clinic.models import Patient, Room
from scheduling.models import Appointment
from tests.e2e.harness import PHONE, check_a11y, shoot, visit
from tests.e2e.test_booking_journey import MONDAY, PASS_PHRASE, THURSDAY, at
from tests.e2e.test_keyboard import assert_focus_is_visible
from tests.e2e.test_keyboard_intake import focus, press_enter_and_wait, tab_to, type_into
from tests.scheduling.factories import AppointmentFactory


def heading(page) -> str:
    return page.get_by_role("heading", level=1).inner_text()


def test_booking_by_keyboard_alone_on_a_phone(page, clinic_clock, clinic_open, practitioner_a, practitioner_b):
    clinic_clock(at(MONDAY, 9))
    page.set_viewport_size(PHONE)
    visit(page, "/book/")

    # 1-2. The visit type, then "first available" (links: Enter follows them).
    tab_to(page, re.compile("^SOT new-patient exam"))
    press_enter_and_wait(page)
    tab_to(page, re.compile("^First available"))
    press_enter_and_wait(page)
    assert heading(page) == "Book a visit"

    # 3. The day: Tab past Monday to Thursday; one Shift+Tab back and forth shows the order is the visual one.
    tab_to(page, re.compile(r"^Wed 5 Jun"))
    page.keyboard.press("Tab")
    assert focus(page)["label"].startswith("Thu 6 Jun"), focus(page)
    page.keyboard.press("Shift+Tab")
    assert focus(page)["label"].startswith("Wed 5 Jun"), focus(page)
    assert_focus_is_visible(page)
    page.keyboard.press("Tab")
    assert_focus_is_visible(page)
    shoot(page, "keyboard-booking-1-day-focused", widths=("phone",), a11y=False)
    press_enter_and_wait(page)
    expect(page.get_by_role("heading", name="Times on Thursday 6 June")).to_be_in_viewport()

    # 4. The time: the page opened at the day's times, so the first Tab is 08:00; Tab on to 09:00.
    page.keyboard.press("Tab")
    assert focus(page)["label"].startswith("08:00"), focus(page)
    assert_focus_is_visible(page)
    tab_to(page, re.compile("^09:00"))
    shoot(page, "keyboard-booking-2-time-focused", widths=("phone",), a11y=False)
    with page.expect_navigation():
        page.keyboard.press("Space")  # a button answers Space as well as Enter
    check_a11y(page)
    assert heading(page) == "Almost there"

    # 5. Create an account.
    tab_to(page, "Create an account")
    press_enter_and_wait(page)
    type_into(page, "Email", "kim@example.com")
    type_into(page, "Password", PASS_PHRASE)
    type_into(page, re.compile(r"^Password \(again\)"), PASS_PHRASE)
    tab_to(page, "Sign Up")
    press_enter_and_wait(page)
    assert heading(page) == "Confirm your visit"

    # 6. About you; the date of birth is typed month, day, year into Chromium's date field (en-US).
    type_into(page, "First name", "Kim")
    type_into(page, "Last name", "Kowalski")
    type_into(page, "Date of birth", "07141988")
    type_into(page, "Phone", "(555) 010-4545")
    shoot(page, "keyboard-booking-3-about-you", widths=("phone",), a11y=False)

    # Meanwhile both practitioners' 09:00 is taken at the front desk.
    rooms = list(Room.objects.filter(location=clinic_open))
    for practitioner, room in zip((practitioner_a, practitioner_b), rooms, strict=True):
        AppointmentFactory(practitioner=practitioner, room=room, start=at(THURSDAY, 9))
    tab_to(page, "Confirm booking")
    press_enter_and_wait(page)
    assert heading(page) == "That time was just taken"

    # 7. The nearest free times are one radio group: Tab into it (the first is chosen), an arrow moves the
    # choice; then on to the button. What was typed is still there.
    first = tab_to(page, lambda info: info["type"] == "radio")
    assert first["checked"] and first["label"].startswith("Thu 6 Jun at 08:00"), first
    page.keyboard.press("ArrowDown")
    chosen = focus(page)
    assert chosen["checked"] and chosen["label"] != first["label"], chosen
    assert_focus_is_visible(page)
    shoot(page, "keyboard-booking-4-taken-other-time", widths=("phone",), a11y=False)
    expect(page.get_by_label("Date of birth")).to_have_value("1988-07-14")
    tab_to(page, "Book the chosen time")
    press_enter_and_wait(page)
    expect(page.get_by_role("status")).to_contain_text("Booked: SOT new-patient exam on Thursday 6 June")

    patient = Patient.objects.get(user__email="kim@example.com")
    assert (patient.first_name, patient.last_name, patient.date_of_birth) == ("Kim", "Kowalski", dt.date(1988, 7, 14))
    appointment = Appointment.objects.get(patient=patient)
    when = timezone.localtime(appointment.start)
    assert chosen["label"].startswith(f"Thu 6 Jun at {when:%H:%M}"), (chosen, when)
    shoot(page, "keyboard-booking-5-booked")
