"""A new patient books online in a real browser at phone width with JavaScript switched off: type, first
available, day, time, sign up, about you, confirm. Every step is a plain link or form post and no page scrolls
sideways. axe-core needs JavaScript (its checks are asynchronous), so it cannot run here: the same pages
with JavaScript on are checked by axe-core in test_booking_journey.py and test_keyboard_booking.py."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.conf import settings
from playwright.sync_api import expect

from clinic.models import Patient
from scheduling.models import Appointment
from tests.e2e.harness import PHONE, fill_person, not_a_page, shoot

ZONE = ZoneInfo(settings.TIME_ZONE)
NO_AXE = "JavaScript is off: axe-core cannot run (test_booking_journey.py checks these pages with it on)"


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide at phone width"


def visit(page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, (path, response and response.status)
    not_a_page(page, NO_AXE)
    no_sideways_scroll(page)


def click_through(page, locator) -> None:
    with page.expect_navigation():
        locator.click()
    not_a_page(page, NO_AXE)
    no_sideways_scroll(page)


def test_new_patient_books_online_on_a_phone_without_javascript(another_browser, clinic_clock, clinic_open):
    clinic_clock(dt.datetime(2030, 6, 3, 9, 0, tzinfo=ZONE))
    page = another_browser(java_script_enabled=False, viewport=PHONE)
    visit(page, "/book/")
    assert page.evaluate("typeof window.htmx") == "undefined", "the page's scripts ran: JavaScript is not off"
    click_through(page, page.get_by_role("link", name=re.compile("^SOT new-patient exam")))
    click_through(page, page.get_by_role("link", name=re.compile("^First available")))
    shoot(page, "booking-no-js-days", widths=("phone",), a11y=False)
    click_through(page, page.locator("a.has-times").nth(2))
    click_through(page, page.locator("button.booking-time").first)
    click_through(page, page.get_by_role("link", name="Create an account"))
    page.get_by_label("Email").fill("phone@example.com")
    page.locator("#id_password1").fill("a-long-pass-phrase-1")
    page.locator("#id_password2").fill("a-long-pass-phrase-1")
    click_through(page, page.get_by_role("button", name="Sign Up"))
    assert page.url.endswith("/book/confirm/"), page.url
    shoot(page, "booking-no-js-confirm", widths=("phone",), a11y=False)
    fill_person(page, first="Nadia", last="Novak", born="1990-04-02", phone="(555) 010-7777")
    click_through(page, page.get_by_role("button", name="Confirm booking"))
    assert re.search(r"/account/appointments/\d+/$", page.url), page.url
    expect(page.get_by_role("status")).to_contain_text("A confirmation is on its way")
    shoot(page, "booking-no-js-booked", widths=("phone",), a11y=False)
    appointment = Appointment.objects.get()
    assert appointment.source == Appointment.Source.ONLINE
    assert appointment.patient == Patient.objects.get(user__email="phone@example.com")
