"""The front desk books from the day view in a real browser, at phone width, by keyboard-reachable links."""

import datetime as dt
import shutil

import pytest
from django.utils import timezone

from scheduling.models import Appointment
from tests.clinic.factories import PASSWORD, LocationFactory, RoomFactory, totp_code
from tests.scheduling.factories import AppointmentTypeFactory, WorkingHoursFactory

CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f"needs Chromium at {CHROMIUM}"),
]


@pytest.fixture
def sched_browser(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls in the test are still sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.mark.django_db(transaction=True)
def test_front_desk_books_a_free_slot_from_the_day_view_on_a_phone(
    live_server, sched_browser, front_desk, practitioner_a, patient_a
):
    location = LocationFactory()
    RoomFactory(location=location)
    AppointmentTypeFactory(name="SOT adjustment", slug="sot-adjustment")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    WorkingHoursFactory(
        practitioner=practitioner_a,
        location=location,
        weekday=tomorrow.weekday(),
        start_time=dt.time(8),
        end_time=dt.time(12),
    )
    page = sched_browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", front_desk.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    # Staff accounts have a second step: the code of the authenticator the factory enrolled.
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.fill("input[name=code]", totp_code())
    page.click("button[type=submit]")
    page.wait_for_url("**/frontdesk/")
    page.goto(f"{live_server.url}/frontdesk/?date={tomorrow.isoformat()}")
    # The page itself does not scroll sideways at 390 px; only the calendar does.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("link", name="+ 09:00 book with").click()
    page.fill("#id_q", "Arnold")
    page.get_by_role("button", name="Search").click()
    page.get_by_label("Alice Arnold").check()
    page.get_by_role("button", name="Book", exact=True).click()
    page.wait_for_url("**/frontdesk/appointments/*/")
    assert "Booked Alice Arnold" in page.content()
    page.close()
    appointment = Appointment.objects.get()
    assert timezone.localtime(appointment.start).time() == dt.time(9)
