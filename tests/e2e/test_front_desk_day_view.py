"""The front desk books from the day view in a real browser, at phone width, by keyboard-reachable links."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from scheduling.models import Appointment
from tests.clinic.factories import LocationFactory, RoomFactory
from tests.e2e.harness import PHONE, click_through, login, shoot, visit
from tests.scheduling.factories import AppointmentTypeFactory, WorkingHoursFactory


def test_front_desk_books_a_free_slot_from_the_day_view_on_a_phone(
    page, clinic_clock, front_desk, practitioner_a, patient_a
):
    clinic_clock(dt.datetime(2030, 6, 3, 16, 0, tzinfo=ZoneInfo(settings.TIME_ZONE)))  # a Monday afternoon
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
    page.set_viewport_size(PHONE)
    login(page, front_desk)
    visit(page, f"/frontdesk/?date={tomorrow.isoformat()}")
    # The page itself does not scroll sideways at 390 px; only the calendar does.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(page, "frontdesk-day-view")

    click_through(page, page.get_by_role("link", name="+ 09:00 book with"))
    page.get_by_label("Find the patient").fill("Arnold")
    click_through(page, page.get_by_role("button", name="Search"))
    page.get_by_label("Alice Arnold").check()
    shoot(page, "frontdesk-book-slot")
    click_through(page, page.get_by_role("button", name="Book", exact=True))

    expect(page).to_have_url(re.compile(r"/frontdesk/appointments/\d+/$"))
    expect(page.get_by_text("Booked Alice Arnold")).to_be_visible()
    shoot(page, "frontdesk-booked")
    appointment = Appointment.objects.get()
    assert timezone.localtime(appointment.start) == dt.datetime(
        tomorrow.year, tomorrow.month, tomorrow.day, 9, tzinfo=ZoneInfo(settings.TIME_ZONE)
    )
