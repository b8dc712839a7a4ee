"""The front desk's first day, the screens issue 13 found wanting: the week fits 1280 px with readable room
names (item 17), the appointment page names what paperwork is missing (18) and says when check-in opens (16),
front-desk notes count down (18), a double booking names the practitioner's patient (11)."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.clinic.factories import LocationFactory, PatientFactory, RoomFactory
from tests.e2e.harness import click_through, login, shoot, visit
from tests.scheduling.factories import AppointmentFactory, AppointmentTypeFactory, WorkingHoursFactory

ZONE = ZoneInfo(settings.TIME_ZONE)
MONDAY = dt.date(2030, 6, 3)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE)


@pytest.fixture
def week(clinic_clock, practitioner_a):
    """Monday 10:10; Dr. Adams works Monday to Friday in rooms with long names, a visit on each working day."""
    clinic_clock(at(MONDAY, 10, 10))
    location = LocationFactory(name="Harbour Street")
    rooms = [RoomFactory(location=location, name=f"Treatment room {n}") for n in (1, 2)]
    sot = AppointmentTypeFactory(name="SOT adjustment", slug="sot-adjustment")
    for weekday in range(5):
        WorkingHoursFactory(
            practitioner=practitioner_a, location=location, weekday=weekday, start_time=dt.time(8), end_time=dt.time(17)
        )
    mia = PatientFactory(first_name="Mia", last_name="Moreno")
    booked = [
        AppointmentFactory(
            patient=mia if n == 0 else PatientFactory(),
            practitioner=practitioner_a,
            room=rooms[n % 2],
            appointment_type=sot,
            start=at(MONDAY + dt.timedelta(days=n), 14, 30),
        )
        for n in range(5)
    ]
    return {"today": booked[0], "mia": mia}


def test_week_fits_1280_px_and_folds_the_weekend(page, week, front_desk, practitioner_a):
    login(page, front_desk)
    visit(page, f"/frontdesk/week/?practitioner={practitioner_a.pk}&date={MONDAY.isoformat()}")
    calendar = page.locator(".cal-wrap")
    sideways = calendar.evaluate("el => el.scrollWidth - el.clientWidth")
    assert sideways <= 0, f"the week scrolls sideways by {sideways}px at 1280 px"
    expect(page.locator(".cal-col")).to_have_count(7)
    expect(page.get_by_role("region", name="Sat 08 Jun: not working")).to_be_visible()
    expect(page.get_by_role("region", name="Sun 09 Jun: not working")).to_be_visible()
    # Every day's heading and every room name is shown whole, not cut to "Roo...".
    # (A block's room is its second <span>: scheduling/templatetags/calendar_html.py.)
    rooms = page.locator(".cal-block > span:nth-of-type(2)")
    for element in page.locator(".cal-col:not(.cal-folded) .cal-head, .cal-block > span:nth-of-type(2)").all():
        assert element.evaluate("el => el.scrollWidth <= el.clientWidth"), element.inner_text()
    expect(rooms.first).to_have_text("Treatment room 1")
    shoot(page, "desk-first-day-week")


def test_appointment_page_says_what_is_missing_and_when_check_in_opens(page, week, front_desk):
    login(page, front_desk)
    visit(page, f"/frontdesk/appointments/{week['today'].pk}/")
    expect(page.get_by_text("Intake not started", exact=True)).to_be_visible()
    expect(page.get_by_text("Consent not signed", exact=True)).to_be_visible()
    check_in = page.get_by_role("region", name="Check in")
    expect(check_in).to_contain_text("Check-in opens at 13:30, 60 minutes before the start.")
    expect(check_in.get_by_role("button")).to_have_count(0)
    shoot(page, "desk-first-day-appointment-before-check-in")


def test_notes_count_down_and_a_double_booking_names_the_patient(page, week, front_desk, practitioner_a, patient_b):
    login(page, front_desk)
    visit(page, f"/frontdesk/appointments/new/?practitioner={practitioner_a.pk}&start=2030-06-03T14:30")
    page.get_by_label("Find the patient").fill("Berg")
    click_through(page, page.get_by_role("button", name="Search"))
    page.get_by_label(re.compile("^Bruno Berg")).check()
    notes = page.get_by_label("Notes for the front desk")
    expect(page.locator("#id_frontdesk_notes-counter")).to_have_text("500 of 500 characters left")
    notes.fill("Prefers the ground-floor room.")
    expect(page.locator("#id_frontdesk_notes-counter")).to_have_text("470 of 500 characters left")
    shoot(page, "desk-first-day-book-with-counter")
    click_through(page, page.get_by_role("button", name="Book", exact=True))
    start = page.get_by_label("Starts at")
    expect(start).to_have_accessible_description(
        re.compile("Dr. Ada Adams already sees Mia Moreno from 14:30 to 15:00")
    )
    expect(page.get_by_text("just taken")).to_have_count(0)
    expect(notes).to_have_value("Prefers the ground-floor room.")
    shoot(page, "desk-first-day-double-booking-refused")
