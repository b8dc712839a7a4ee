"""Journey 2, the front desk's morning: book from the calendar, be refused a double booking, move, check in
(one patient with paperwork missing), mark a no-show, book a care-plan series and resolve its conflicts."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from scheduling.models import Appointment, CarePlanSeries
from tests.clinic.factories import LocationFactory, PatientFactory, RoomFactory
from tests.e2e.harness import at, click_through, login, shoot, visit
from tests.intake import factories as intake
from tests.scheduling.factories import AppointmentFactory, AppointmentTypeFactory, WorkingHoursFactory

MONDAY = dt.date(2030, 6, 3)


@pytest.fixture
def morning(clinic_clock, practitioner_a, patient_a, patient_b):
    """Monday 10:10 at the clinic: Dr. Adams works 08:00-17:00 on weekdays in two rooms. Bruno was due at
    09:00 and has not come; Carla (no intake, no consent) is here for 10:00; Alice is a returning patient
    whose intake and consent are complete. Two later afternoons are already taken."""
    clinic_clock(at(MONDAY, 10, 10))
    location = LocationFactory(name="Harbour Street")
    room_1 = RoomFactory(location=location, name="Room 1")
    RoomFactory(location=location, name="Room 2")
    sot = AppointmentTypeFactory(name="SOT adjustment", slug="sot-adjustment")
    for weekday in range(5):
        WorkingHoursFactory(
            practitioner=practitioner_a, location=location, weekday=weekday, start_time=dt.time(8), end_time=dt.time(17)
        )
    version = intake.consent_version()
    intake.submitted(patient_a)
    intake.sign(patient_a, version)
    carla = PatientFactory(first_name="Carla", last_name="Cruz")
    someone = PatientFactory(first_name="Dora", last_name="Dunn")

    def book(patient, start):
        return AppointmentFactory(
            patient=patient, practitioner=practitioner_a, room=room_1, appointment_type=sot, start=start
        )

    return {
        "bruno": book(patient_b, at(MONDAY, 9)),
        "carla": book(carla, at(MONDAY, 10)),
        # The series (Mondays and Wednesdays at 14:00 from Wednesday) meets these two.
        "taken_1": book(someone, at(MONDAY + dt.timedelta(days=7), 14)),
        "taken_2": book(someone, at(MONDAY + dt.timedelta(days=16), 14)),
    }


def open_appointment(page, name_start: str):
    """From the day view, open an appointment by its block (time and patient name)."""
    visit(page, f"/frontdesk/?date={MONDAY.isoformat()}")
    click_through(page, page.get_by_role("link", name=re.compile(rf"^{re.escape(name_start)}")).first)


def test_front_desk_morning(page, morning, front_desk, practitioner_a, patient_a, patient_b):
    login(page, front_desk)
    # Front desk lands on today's calendar.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Monday 3 June 2030")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Today")
    expect(page.get_by_role("link", name=re.compile(r"^09:00 Bruno Berg"))).to_be_visible()
    shoot(page, "frontdesk-journey-1-today")

    # 1. Book Alice (returning) by clicking the free 11:00 slot in Dr. Adams's column.
    click_through(page, page.get_by_role("link", name="+ 11:00 book with Dr. Ada Adams on Mon 3 Jun"))
    expect(page.get_by_label("Starts at")).to_have_value("2030-06-03T11:00")
    page.get_by_label("Find the patient").fill("Arnold")
    click_through(page, page.get_by_role("button", name="Search"))
    page.get_by_label(re.compile("^Alice Arnold")).check()
    shoot(page, "frontdesk-journey-2-book")
    click_through(page, page.get_by_role("button", name="Book", exact=True))
    expect(page.get_by_role("status")).to_contain_text("Booked Alice Arnold on Mon 03 Jun at 11:00")
    alice = Appointment.objects.get(patient=patient_a)
    assert timezone.localtime(alice.start) == at(MONDAY, 11)

    # 2. Dora at 11:15 with the same practitioner overlaps Alice: refused, on the time field, with alternatives.
    visit(page, f"/frontdesk/?date={MONDAY.isoformat()}")
    click_through(page, page.get_by_role("link", name="+ 11:30 book with Dr. Ada Adams on Mon 3 Jun"))
    page.get_by_label("Find the patient").fill("Dunn")
    click_through(page, page.get_by_role("button", name="Search"))
    page.get_by_label(re.compile("^Dora Dunn")).check()
    page.get_by_label("Starts at").fill("2030-06-03T11:15")
    click_through(page, page.get_by_role("button", name="Book", exact=True))
    start = page.get_by_label("Starts at")
    expect(start).to_have_attribute("aria-invalid", "true")
    expect(start).to_have_accessible_description(
        re.compile("Dr. Ada Adams already sees Alice Arnold from 11:00 to 11:30")
    )
    expect(start).to_have_value("2030-06-03T11:15")  # nothing typed is lost
    expect(page.get_by_role("alert")).to_contain_text("Nearest free times")
    assert Appointment.objects.filter(patient__last_name="Dunn").count() == 2  # only the two made above
    shoot(page, "frontdesk-journey-3-overlap-refused")

    # 3. Move Alice to 14:00: open her from the calendar.
    open_appointment(page, "11:00 Alice Arnold")
    expect(page.get_by_text("Intake and consent are complete.")).to_be_visible()
    page.get_by_label("New start").fill("2030-06-03T14:00")
    click_through(page, page.get_by_role("button", name="Move", exact=True))
    expect(page.get_by_role("status")).to_contain_text("Appointment moved.")
    alice.refresh_from_db()
    assert timezone.localtime(alice.start) == at(MONDAY, 14)
    shoot(page, "frontdesk-journey-4-moved")

    # 4. Carla is here for 10:00 but has no intake or consent: a warning, and a reason is required.
    open_appointment(page, "10:00 Carla Cruz")
    check_in = page.get_by_role("region", name="Check in")
    expect(check_in.get_by_text("Missing before treatment")).to_be_visible()
    expect(check_in).to_contain_text("onsent")
    click_through(page, check_in.get_by_role("button", name="Check in anyway"))
    reason = page.get_by_label("Reason to check in with paperwork missing")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(reason).to_have_accessible_description(re.compile("Give a reason to check in anyway"))
    shoot(page, "frontdesk-journey-5-check-in-needs-reason")
    reason.fill("Signing paper consent with the doctor before treatment")
    click_through(page, page.get_by_role("button", name="Check in anyway"))
    expect(page.get_by_role("status")).to_contain_text("Carla Cruz is checked in.")
    expect(page.get_by_text("Signing paper consent with the doctor before treatment")).to_be_visible()
    carla = morning["carla"]
    carla.refresh_from_db()
    assert carla.status == Appointment.Status.CHECKED_IN
    assert carla.check_in_override_reason == "Signing paper consent with the doctor before treatment"

    # 5. Bruno never came to his 09:00: a no-show, listed under the calendar.
    open_appointment(page, "09:00 Bruno Berg")
    click_through(page, page.get_by_role("button", name="No-show"))
    expect(page.get_by_role("status")).to_contain_text("Marked no-show.")
    visit(page, f"/frontdesk/?date={MONDAY.isoformat()}")
    expect(page.get_by_role("link", name="Mon 3 Jun 09:00 Bruno Berg")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^09:00 Bruno Berg"))).to_have_count(0)
    shoot(page, "frontdesk-journey-6-after-no-show")

    # 6. A care-plan series for Alice: Mondays and Wednesdays at 14:00 for three weeks from Wednesday: six visits.
    open_appointment(page, "14:00 Alice Arnold")
    click_through(page, page.get_by_role("link", name="Book a care-plan series for Alice"))
    expect(page.get_by_label(re.compile("^Alice Arnold"))).to_be_checked()
    page.get_by_label("Appointment type").select_option(label="SOT adjustment")
    expect(page.get_by_label("Practitioner")).to_have_value(str(practitioner_a.pk))
    page.get_by_label("First date").fill("2030-06-05")
    page.get_by_label(re.compile(r"^\s*At\W*$")).fill("14:00")
    page.get_by_label("For how many weeks").fill("3")
    page.get_by_label("Monday").check()
    page.get_by_label("Wednesday").check()
    shoot(page, "frontdesk-journey-7-series-plan")
    click_through(page, page.get_by_role("button", name="Check these times"))
    expect(page.get_by_text("2 times cannot be booked as planned")).to_be_visible()
    expect(page.locator("#series-count")).to_contain_text("6 visits, Wed 5 Jun to Mon 24 Jun 2030")
    shoot(page, "frontdesk-journey-8-series-conflicts")

    # Submitting without choosing for each conflict is refused, nothing booked.
    click_through(page, page.get_by_role("button", name="Book the series"))
    expect(page.get_by_role("status")).to_contain_text("For every taken time choose another time or leave it out.")
    assert not CarePlanSeries.objects.exists()

    # Each conflict is a group named after the time it replaces (a screen reader hears which one it is).
    expect(page.get_by_role("group", name=re.compile("^Instead of"))).to_have_count(2)
    monday = page.get_by_role("group", name="Instead of Mon 10 Jun 14:00")
    first_alternative = monday.get_by_role("radio").first
    chosen_label = monday.locator("label").first.inner_text()
    first_alternative.check()
    page.get_by_role("group", name="Instead of Wed 19 Jun 14:00").get_by_label("Leave this one out").check()
    click_through(page, page.get_by_role("button", name="Book the series"))
    expect(page.get_by_role("status")).to_contain_text("Booked 5 appointments.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Care-plan series: Alice Arnold")
    shoot(page, "frontdesk-journey-9-series-booked")

    series = CarePlanSeries.objects.get()
    starts = sorted(timezone.localtime(a.start) for a in series.appointments.all())
    assert at(MONDAY + dt.timedelta(days=7), 14) not in starts  # the taken Monday was replaced
    assert at(MONDAY + dt.timedelta(days=16), 14) not in starts  # the taken Wednesday left out
    assert at(MONDAY + dt.timedelta(days=2), 14) in starts
    assert chosen_label.strip() in {f"{s:%a %-d %b %H:%M}" for s in starts}, (chosen_label, starts)
    assert len({s.date() for s in starts}) == len(starts)  # the alternative shares no day with another visit
