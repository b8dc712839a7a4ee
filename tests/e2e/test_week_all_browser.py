"""The front desk opens every practitioner's week from the week view's menu and goes to a day from it."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.conf import settings
from playwright.sync_api import expect

from tests.e2e.harness import DESKTOP, PHONE, check_a11y, click_through, login, shoot, visit

ZONE = ZoneInfo(settings.TIME_ZONE)


def test_the_desk_sees_every_practitioners_week_and_opens_a_day(page, clinic_clock, clinic_open, front_desk):
    clinic_clock(dt.datetime(2030, 6, 3, 9, 0, tzinfo=ZONE))
    page.set_viewport_size(DESKTOP)
    login(page, front_desk)
    visit(page, "/frontdesk/week/?date=2030-06-03")
    page.get_by_label("Practitioner").select_option(label="Every practitioner (summary)")
    click_through(page, page.get_by_role("button", name="Show"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Every practitioner: week of 3 June 2030")
    table = page.get_by_role("table")
    expect(table.get_by_role("row")).to_have_count(3)  # the header and two practitioners
    expect(table).to_contain_text("Not working")  # the weekend
    expect(table).to_contain_text("0% of 9 h booked")
    check_a11y(page)
    shoot(page, "week-all-practitioners")
    page.set_viewport_size(PHONE)
    check_a11y(page)
    click_through(page, table.get_by_role("link", name=re.compile(r"^Wed 5 Jun")))
    assert page.url.endswith("/frontdesk/?date=2030-06-05"), page.url
