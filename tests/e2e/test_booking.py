"""A new patient books online in a real browser at phone width: type, first available, day, time, sign up,
about you, confirm. No JavaScript is needed on the way; the page never scrolls sideways."""

import datetime as dt
import shutil

import pytest

from clinic.models import Patient
from scheduling.models import Appointment
from tests.clinic.factories import LocationFactory, RoomFactory
from tests.scheduling.factories import AppointmentTypeFactory, WorkingHoursFactory

CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f"needs Chromium at {CHROMIUM}"),
]


@pytest.fixture
def browser(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


@pytest.mark.django_db(transaction=True)
def test_new_patient_books_online_on_a_phone(live_server, browser, practitioner_a, practitioner_b):
    location = LocationFactory()
    RoomFactory(location=location)
    AppointmentTypeFactory(
        name="SOT new-patient exam",
        slug="sot-new-patient-exam",
        duration=dt.timedelta(minutes=60),
        new_patient_only=True,
    )
    for practitioner in (practitioner_a, practitioner_b):
        for weekday in range(7):
            WorkingHoursFactory(
                practitioner=practitioner,
                location=location,
                weekday=weekday,
                start_time=dt.time(8),
                end_time=dt.time(18),
            )
    page = browser.new_page(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page.goto(f"{live_server.url}/book/")
    no_sideways_scroll(page)
    page.get_by_role("link", name="SOT new-patient exam").click()
    page.get_by_role("link", name="First available").click()
    no_sideways_scroll(page)
    page.locator("a.has-times").nth(2).click()
    no_sideways_scroll(page)
    page.locator("button.booking-time").first.click()
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Email").fill("phone@example.com")
    page.locator("#id_password1").fill("a-long-pass-phrase-1")
    page.locator("#id_password2").fill("a-long-pass-phrase-1")
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url("**/book/confirm/")
    no_sideways_scroll(page)
    page.get_by_label("First name").fill("Nadia")
    page.get_by_label("Last name").fill("Novak")
    page.get_by_label("Date of birth").fill("1990-04-02")
    page.get_by_label("Phone").fill("(555) 010-7777")
    page.get_by_role("button", name="Confirm booking").click()
    page.wait_for_url("**/account/appointments/*/")
    assert "A confirmation is on its way" in page.content()
    no_sideways_scroll(page)
    page.close()
    appointment = Appointment.objects.get()
    assert appointment.source == Appointment.Source.ONLINE
    assert appointment.patient == Patient.objects.get(user__email="phone@example.com")
