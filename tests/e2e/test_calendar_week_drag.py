"""Drag to move in the week views (issue 15 item 1), in a real browser: on one practitioner's week a visit goes to
another day and time (refused first where they do not work, the block back where it was), then Undo; on the week
of everyone a visit goes to another practitioner's day at the same time of day, refused first on a day they do not
work, then Undo. The server decides each time, with the same service as the move form."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.conf import settings
from playwright.sync_api import expect

from tests.clinic.factories import LocationFactory, PatientFactory, RoomFactory
from tests.e2e.harness import login, shoot, visit
from tests.scheduling.factories import AppointmentFactory, AppointmentTypeFactory, WorkingHoursFactory

ZONE = ZoneInfo(settings.TIME_ZONE)
MONDAY = dt.date(2030, 6, 3)
TUESDAY, WEDNESDAY = MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=2)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZONE)


def _visit_on_monday(practitioner_a, practitioner_b):
    """Both work Monday to Friday, 08:00-17:00, Dr. B not on Wednesday; one visit on Monday at 09:00 with A."""
    location = LocationFactory()
    room = RoomFactory(location=location)
    adjustment = AppointmentTypeFactory(name="SOT adjustment", slug="sot-adjustment")
    for p, weekdays in ((practitioner_a, range(5)), (practitioner_b, (0, 1, 3, 4))):
        for weekday in weekdays:
            WorkingHoursFactory(
                practitioner=p, location=location, weekday=weekday, start_time=dt.time(8), end_time=dt.time(17)
            )
    return AppointmentFactory(
        patient=PatientFactory(first_name="Mira", last_name="Osei"),
        practitioner=practitioner_a,
        room=room,
        appointment_type=adjustment,
        start=_at(MONDAY, 9),
    )


def _drag_on_grid(block, column_body, minute, first_minute=8 * 60):
    """Drag `block` by a point 10 px below its top so that its top lands on `minute` in `column_body`."""
    y = (minute - first_minute) * 1.6 + 10 + 1
    block.drag_to(column_body, source_position={"x": 20, "y": 10}, target_position={"x": 40, "y": y})


def test_the_desk_drags_a_visit_to_another_day_of_the_practitioners_week(
    page, clinic_clock, front_desk, practitioner_a, practitioner_b
):
    clinic_clock(_at(MONDAY, 7, 30))
    appointment = _visit_on_monday(practitioner_a, practitioner_b)
    page.set_viewport_size({"width": 1280, "height": 1400})  # the whole day on screen: the mouse reaches it
    login(page, front_desk)
    visit(page, f"/frontdesk/week/?practitioner={practitioner_a.pk}&date={MONDAY.isoformat()}")
    block = page.get_by_role("link", name="09:00 Mira Osei")
    monday, wednesday = (page.locator(f'.cal-body[data-day="{d.isoformat()}"]') for d in (MONDAY, WEDNESDAY))
    top_before = block.evaluate("b => b.style.getPropertyValue('--t')").strip()

    # Wednesday at 16:45 would end after 17:00, when Dr. A stops: refused, the block goes back, the cause named.
    _drag_on_grid(block, wednesday, 16 * 60 + 45)
    expect(page.get_by_role("alert")).to_contain_text("does not work")
    expect(monday.get_by_role("link", name="09:00 Mira Osei")).to_be_visible()
    expect(block).to_have_attribute("style", re.compile(rf"--t:\s*{re.escape(top_before)}\s*;"))
    shoot(page, "week-view-drag-refused")
    appointment.refresh_from_db()
    assert appointment.start == _at(MONDAY, 9)

    # Wednesday at 10:30: moved, and the answer names the day.
    _drag_on_grid(block, wednesday, 10 * 60 + 30)
    expect(page.get_by_role("status")).to_contain_text(
        f"Moved to 10:30 on Wed 5 Jun with {practitioner_a.display_name}."
    )
    expect(wednesday.get_by_role("link", name="10:30 Mira Osei")).to_be_visible()
    shoot(page, "week-view-drag-moved")
    appointment.refresh_from_db()
    assert appointment.start == _at(WEDNESDAY, 10, 30)

    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_role("status")).to_contain_text("Moved back to 09:00.")
    expect(monday.get_by_role("link", name="09:00 Mira Osei")).to_be_visible()
    appointment.refresh_from_db()
    assert appointment.start == _at(MONDAY, 9)
    visit(page, f"/frontdesk/week/?practitioner={practitioner_a.pk}&date={MONDAY.isoformat()}")
    expect(monday.get_by_role("link", name="09:00 Mira Osei")).to_be_visible()


def test_the_desk_drags_a_visit_to_another_practitioners_day_on_the_week_of_everyone(
    page, clinic_clock, front_desk, practitioner_a, practitioner_b
):
    clinic_clock(_at(MONDAY, 7, 30))
    appointment = _visit_on_monday(practitioner_a, practitioner_b)
    login(page, front_desk)
    visit(page, f"/frontdesk/week/?practitioner=all&date={MONDAY.isoformat()}")
    cell = {
        (p, d): page.locator(f'td[data-practitioner="{p.pk}"][data-day="{d.isoformat()}"]')
        for p in (practitioner_a, practitioner_b)
        for d in (MONDAY, TUESDAY, WEDNESDAY)
    }
    expect(page.get_by_role("link", name=re.compile("09:00 Mira Osei"))).to_be_hidden()  # folded away
    page.get_by_text(f"Show the visits of {practitioner_a.display_name} on Monday 3 June").click()
    chip = page.get_by_role("link", name=re.compile(r"^09:00 Mira Osei\W+SOT adjustment, Booked$"))
    expect(chip).to_be_visible()
    shoot(page, "week-of-everyone-visits-shown")

    # Dr. B does not work on Wednesdays: refused, the visit back under Dr. A's Monday, the cause named.
    chip.drag_to(cell[(practitioner_b, WEDNESDAY)])
    expect(page.get_by_role("alert")).to_contain_text("does not work")
    expect(cell[(practitioner_a, MONDAY)].get_by_role("link", name=re.compile("09:00 Mira Osei"))).to_be_visible()
    shoot(page, "week-of-everyone-drag-refused")
    appointment.refresh_from_db()
    assert (appointment.start, appointment.practitioner_id) == (_at(MONDAY, 9), practitioner_a.pk)

    # Dr. B's Tuesday: moved at the same time of day.
    chip.drag_to(cell[(practitioner_b, TUESDAY)])
    expect(page.get_by_role("status")).to_contain_text(
        f"Moved to 09:00 on Tue 4 Jun with {practitioner_b.display_name}."
    )
    expect(cell[(practitioner_b, TUESDAY)].get_by_role("link", name=re.compile("09:00 Mira Osei"))).to_be_visible()
    shoot(page, "week-of-everyone-drag-moved")
    appointment.refresh_from_db()
    assert (appointment.start, appointment.practitioner_id) == (_at(TUESDAY, 9), practitioner_b.pk)

    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_role("status")).to_contain_text("Moved back to 09:00.")
    expect(cell[(practitioner_a, MONDAY)].get_by_role("link", name=re.compile("09:00 Mira Osei"))).to_be_visible()
    appointment.refresh_from_db()
    assert (appointment.start, appointment.practitioner_id) == (_at(MONDAY, 9), practitioner_a.pk)
    # After a reload the figures agree: one visit on Dr. A's Monday, none on Dr. B's Tuesday.
    visit(page, f"/frontdesk/week/?practitioner=all&date={MONDAY.isoformat()}")
    expect(cell[(practitioner_a, MONDAY)]).to_contain_text("1 visit")
    expect(cell[(practitioner_b, TUESDAY)]).to_contain_text("0 visits")
