"""Practitioner: logs in on a given clinic day and sees that day (My day grows with the visit-notes work)."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from playwright.sync_api import expect

from tests.e2e.harness import login, shoot


def test_practitioner_lands_on_my_day_for_the_clinic_date(page, clinic_clock, practitioner_a):
    # 23:30 in the clinic's zone is already the next day in UTC: the page must show the clinic's date.
    clinic_clock(dt.datetime(2030, 6, 3, 23, 30, tzinfo=ZoneInfo(settings.TIME_ZONE)))
    login(page, practitioner_a.user)

    expect(page.get_by_role("heading", level=1)).to_have_text("My day")
    expect(page.get_by_text("Monday 3 June 2030")).to_be_visible()
    expect(page.get_by_text("Dr. Ada Adams")).to_be_visible()
    shoot(page, "practitioner-my-day")
