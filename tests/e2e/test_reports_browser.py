"""Practice reports in the browser: a clinic admin opens Reports from the menu, picks a custom range and reads
the attendance, utilisation (per practitioner and per room, and the idle gaps) and new-patients figures (chart and
table), then the audited list of patients."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from playwright.sync_api import expect

from scheduling.models import Appointment
from tests.clinic.factories import LocationFactory, RoomFactory
from tests.e2e.harness import click_through, login, shoot, visit
from tests.scheduling.factories import AppointmentFactory, WorkingHoursFactory

S = Appointment.Status


def test_admin_reads_the_reports(page, clinic_open, clinic_admin, patient_a, patient_b, practitioner_a, practitioner_b):
    zone = ZoneInfo(settings.TIME_ZONE)
    monday = dt.date(2026, 6, 1)

    def at(offset, hour):
        return dt.datetime.combine(monday + dt.timedelta(days=offset), dt.time(hour), tzinfo=zone)

    # Ada works Monday 09:00-13:00 at Northside, in its Room 1: the first visit (30 minutes) is its only booking.
    northside = LocationFactory(name="Northside")
    room = RoomFactory(location=northside, name="Room 1")
    WorkingHoursFactory(
        practitioner=practitioner_a, location=northside, weekday=0, start_time=dt.time(9), end_time=dt.time(13)
    )
    AppointmentFactory(practitioner=practitioner_a, patient=patient_a, room=room, start=at(0, 9), status=S.COMPLETED)
    for practitioner, patient, start, status in [
        (practitioner_a, patient_a, at(0, 10), S.NO_SHOW),
        (practitioner_a, patient_a, at(1, 9), S.NO_SHOW),
        (practitioner_b, patient_b, at(0, 9), S.COMPLETED),
        (practitioner_b, patient_b, at(2, 11), S.COMPLETED),
    ]:
        AppointmentFactory(practitioner=practitioner, patient=patient, start=start, status=status)

    login(page, clinic_admin)
    visit(page, "/patients/")  # an admin lands on the clinic settings (Django's admin): the menu is on our pages
    click_through(page, page.get_by_role("link", name="Reports", exact=True))
    click_through(page, page.get_by_role("link", name="Attendance").first)
    page.get_by_label("Range").select_option("custom")
    page.get_by_label("From").fill("2026-06-01")
    page.get_by_label("To").fill("2026-06-07")
    click_through(page, page.get_by_role("button", name="Show"))
    expect(page.get_by_role("heading", name="By practitioner")).to_be_visible()
    ada = page.get_by_role("row", name="Dr. Ada Adams")
    expect(ada).to_contain_text("66.7%")  # 2 no-shows of 3 due
    expect(page.get_by_role("link", name="Download CSV")).to_be_visible()
    expect(page.locator("svg.report-chart").first).to_be_visible()
    shoot(page, "reports-attendance")

    click_through(page, page.get_by_role("link", name="Patients with repeated no-shows"))
    expect(page.get_by_role("link", name="Alice Arnold")).to_be_visible()
    expect(page.get_by_text("Bruno Berg")).to_have_count(0)

    click_through(page, page.get_by_role("link", name="Utilisation"))
    expect(page.get_by_role("heading", name="By practitioner")).to_be_visible()
    visit(page, "/reports/utilisation/?range=custom&start=2026-06-01&end=2026-06-07")  # the nav keeps no range
    expect(page.get_by_role("heading", name="By room", exact=True)).to_be_visible()
    # Northside is open while Ada works there (4 h on Monday); Room 1 has her 30-minute visit booked.
    expect(page.get_by_role("row", name="Room 1 (Northside)").first).to_contain_text("12.5%")
    expect(page.locator("svg.report-chart")).to_have_count(2)
    shoot(page, "reports-utilisation")

    click_through(page, page.get_by_role("link", name="Idle gaps that could take a visit, per practitioner and day"))
    expect(page.get_by_role("heading", name="Idle gaps that could take a visit")).to_be_visible()
    # Ada works 08:00-17:00 at Harbour Street (the clinic's own hours) and 09:00-13:00 at Northside: one stretch,
    # 08:00-17:00, cut once by her 09:00 visit (the 10:00 no-show frees its time): 09:30-17:00 is free, 450 minutes,
    # listed once (not again as Northside's 09:30-13:00).
    expect(page.get_by_role("row", name="Mon 1 Jun 2026 Dr. Ada Adams 09:30 17:00")).to_contain_text("450")
    expect(page.get_by_role("row", name="Mon 1 Jun 2026 Dr. Ada Adams 09:30 13:00")).to_have_count(0)
    expect(page.get_by_role("link", name="Download CSV")).to_be_visible()
    shoot(page, "reports-idle-gaps")

    visit(page, "/reports/new-patients/?range=custom&start=2026-06-01&end=2026-06-07")
    expect(page.get_by_role("row", name="1 Jun 2026")).to_contain_text("2")  # Alice and Bruno, both at the desk
    shoot(page, "reports-new-patients")
