"""The calendar in a real browser: a practitioner makes and replaces their private feed address from My day;
the desk blocks time from the day view (getting it wrong first) and sees the appointment to move; today's
day view shows the now line and opens scrolled to it."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import ics
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from scheduling.models import AvailabilityException
from tests.clinic.factories import LocationFactory, PatientFactory, RoomFactory
from tests.e2e.harness import DESKTOP, PHONE, click_through, login, shoot, visit
from tests.e2e.test_axe_strict import strict_violations
from tests.scheduling.factories import AppointmentFactory, AppointmentTypeFactory, WorkingHoursFactory

ZONE = ZoneInfo(settings.TIME_ZONE)
MONDAY = dt.date(2030, 6, 3)


def _clinic(*practitioners):
    location = LocationFactory()
    room = RoomFactory(location=location)
    adjustment = AppointmentTypeFactory(name="SOT adjustment", slug="sot-adjustment")
    for p in practitioners:
        for weekday in range(5):
            WorkingHoursFactory(
                practitioner=p, location=location, weekday=weekday, start_time=dt.time(8), end_time=dt.time(17)
            )
    return room, adjustment


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZONE)


def test_a_practitioner_makes_and_replaces_their_calendar_feed(page, clinic_clock, practitioner_a):
    clinic_clock(_at(MONDAY, 7, 30))
    room, adjustment = _clinic(practitioner_a)
    patient = PatientFactory(first_name="Hilda", last_name="Quarrington")
    AppointmentFactory(
        patient=patient, practitioner=practitioner_a, room=room, appointment_type=adjustment, start=_at(MONDAY, 9)
    )
    login(page, practitioner_a.user)
    expect(page.get_by_role("heading", name="My day")).to_be_visible()
    click_through(page, page.get_by_role("link", name="My calendar feed"))
    expect(page.get_by_text("You have no feed yet.")).to_be_visible()
    click_through(page, page.get_by_role("button", name="Make my feed address"))
    first_url = page.get_by_label("Feed address").input_value()
    shoot(page, "calendar-feed-made")

    # A calendar app fetches it without logging in: initials and type, nothing else about the patient.
    fetched = page.context.request.get(first_url)
    assert fetched.status == 200 and fetched.headers["content-type"].startswith("text/calendar")
    body = fetched.text()
    assert "Hilda" not in body and "Quarrington" not in body
    assert [e.name for e in ics.Calendar(body).events] == ["HQ · SOT adjustment"]

    # Shown once: back on the page the address is gone, the feed is on.
    visit(page, "/practitioner/calendar-feed/")
    expect(page.get_by_label("Feed address")).to_have_count(0)
    expect(page.get_by_text("Your feed is on")).to_be_visible()
    click_through(page, page.get_by_role("button", name="Make a new address"))
    second_url = page.get_by_label("Feed address").input_value()
    assert second_url != first_url
    assert page.context.request.get(first_url).status == 404
    assert page.context.request.get(second_url).status == 200
    shoot(page, "calendar-feed-replaced")


def test_the_desk_blocks_a_meeting_from_the_day_view_after_a_mistake(
    page, clinic_clock, front_desk, practitioner_a, practitioner_b
):
    clinic_clock(_at(MONDAY, 7, 30))
    room, adjustment = _clinic(practitioner_a, practitioner_b)
    tuesday = MONDAY + dt.timedelta(days=1)
    patient = PatientFactory(first_name="Lena", last_name="Underwood")
    appointment = AppointmentFactory(
        patient=patient, practitioner=practitioner_a, room=room, appointment_type=adjustment, start=_at(tuesday, 10)
    )
    login(page, front_desk)
    visit(page, f"/frontdesk/?date={tuesday.isoformat()}")
    click_through(page, page.get_by_role("link", name=f"Block time for {practitioner_a.display_name}"))
    expect(page.get_by_label("Practitioner")).to_have_value(str(practitioner_a.pk))
    page.get_by_label("What").select_option(label="Meeting")
    page.get_by_label("From").fill("10:00")
    page.get_by_label("Reason").fill("Team meeting")
    page.get_by_label("Weeks").fill("2")
    click_through(page, page.get_by_role("button", name="Save"))  # forgot the end time
    expect(page.get_by_role("alert")).to_contain_text("Give an end time")
    shoot(page, "block-time-mistake")
    assert not AvailabilityException.objects.exists()

    page.get_by_label("To", exact=True).fill("11:00")
    click_through(page, page.get_by_role("button", name="Save"))
    expect(page.get_by_role("status")).to_contain_text("Saved: meeting for")
    expect(page.get_by_role("alert")).to_contain_text("1 booked appointment falls in this time")
    shoot(page, "block-time-saved-with-appointment-to-move")
    assert AvailabilityException.objects.filter(kind="meeting").count() == 2
    link = page.get_by_role("link", name="Move or cancel Lena Underwood at 10:00")
    expect(link).to_have_attribute("href", f"/frontdesk/appointments/{appointment.pk}/")

    click_through(page, page.get_by_role("link", name="Back to the day"))
    column = page.get_by_role("region", name=practitioner_a.display_name)
    expect(column.get_by_text("Meeting: Team meeting")).to_be_visible()
    expect(column.get_by_role("link", name="+ 10:15 book with")).to_have_count(0)
    expect(column.get_by_role("link", name="+ 11:00 book with")).to_have_count(1)
    shoot(page, "day-view-with-meeting")


def test_todays_day_view_shows_now_and_opens_scrolled_to_it(page, clinic_clock, front_desk, practitioner_a):
    clinic_clock(_at(MONDAY, 15, 20))
    _clinic(practitioner_a)
    login(page, front_desk)
    visit(page, "/frontdesk/")
    line = page.locator(".cal-now")
    expect(line).to_have_count(1)
    expect(line).to_be_in_viewport()
    assert page.evaluate("window.scrollY") > 0, "today's view opens scrolled down to 15:20"
    shoot(page, "day-view-now-line")
    # Another day has no line and opens at the top.
    visit(page, f"/frontdesk/?date={(timezone.localdate() + dt.timedelta(days=1)).isoformat()}")
    expect(page.locator(".cal-now")).to_have_count(0)
    assert page.evaluate("window.scrollY") == 0


def _drag_to(page, block, column_body, minute, first_minute=8 * 60):
    """Drag `block` by a point 10 px below its top so that its top lands on `minute` in `column_body`."""
    y = (minute - first_minute) * 1.6 + 10 + 1
    block.drag_to(column_body, source_position={"x": 20, "y": 10}, target_position={"x": 60, "y": y})


def test_the_desk_drags_an_appointment_is_refused_then_moves_and_undoes(
    page, clinic_clock, front_desk, practitioner_a, practitioner_b
):
    clinic_clock(_at(MONDAY, 7, 30))
    room, adjustment = _clinic(practitioner_a, practitioner_b)
    tuesday = MONDAY + dt.timedelta(days=1)
    appointment = AppointmentFactory(
        patient=PatientFactory(first_name="Mira", last_name="Osei"),
        practitioner=practitioner_a,
        room=room,
        appointment_type=adjustment,
        start=_at(tuesday, 9),
    )
    # Tall enough that the whole day is on screen: a drag happens within what the mouse can reach.
    page.set_viewport_size({"width": 1280, "height": 1400})
    login(page, front_desk)
    visit(page, f"/frontdesk/?date={tuesday.isoformat()}")
    block = page.get_by_role("link", name="09:00 Mira Osei")
    bodies = page.locator(".cal-body")
    top_before = block.evaluate("b => b.style.getPropertyValue('--t')")  # minutes from the grid's top

    # After 17:00 Dr. Adams does not work: refused, the block goes back and the cause is named.
    _drag_to(page, block, bodies.nth(0), 17 * 60)
    expect(page.get_by_role("alert")).to_contain_text("does not work")
    expect(block).to_have_attribute("style", re.compile(rf"--t:\s*{re.escape(top_before.strip())}\s*;"))
    shoot(page, "day-view-drag-refused", widths=("desktop",))
    appointment.refresh_from_db()
    assert appointment.start == _at(tuesday, 9)

    # To 10:30 with Dr. Brown.
    _drag_to(page, block, bodies.nth(1), 10 * 60 + 30)
    expect(page.get_by_role("status")).to_contain_text(f"Moved to 10:30 with {practitioner_b.display_name}.")
    moved = page.get_by_role("link", name="10:30 Mira Osei")
    expect(moved).to_be_visible()
    shoot(page, "day-view-drag-moved", widths=("desktop",))
    appointment.refresh_from_db()
    assert (appointment.start, appointment.practitioner_id) == (_at(tuesday, 10, 30), practitioner_b.pk)

    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_role("status")).to_contain_text("Moved back to 09:00.")
    expect(bodies.nth(0).get_by_role("link", name="09:00 Mira Osei")).to_be_visible()
    appointment.refresh_from_db()
    assert (appointment.start, appointment.practitioner_id) == (_at(tuesday, 9), practitioner_a.pk)
    # The page after a reload agrees with what the drag showed.
    visit(page, f"/frontdesk/?date={tuesday.isoformat()}")
    expect(bodies.nth(0).get_by_role("link", name="09:00 Mira Osei")).to_be_visible()


def test_the_day_view_badges_a_patients_language_when_not_english(page, clinic_clock, front_desk, practitioner_a):
    """Issue 24 item 3: a Spanish speaker's block shows "ES" beside their name (drawn, hidden from screen readers)
    and its name reads "Speaks Spanish."; an English speaker's block has no badge. Screenshots at 1280 and 390 px."""
    clinic_clock(_at(MONDAY, 7, 30))
    room, adjustment = _clinic(practitioner_a)
    tuesday = MONDAY + dt.timedelta(days=1)
    for hour, first, last, language in ((9, "Lucía", "Ramos", "es"), (10, "Ann", "Lee", "en")):
        AppointmentFactory(
            patient=PatientFactory(first_name=first, last_name=last, language=language),
            practitioner=practitioner_a,
            room=room,
            appointment_type=adjustment,
            start=_at(tuesday, hour),
        )
    login(page, front_desk)
    visit(page, f"/frontdesk/?date={tuesday.isoformat()}")
    spanish = page.get_by_role("link", name=re.compile(r"^09:00 Lucía Ramos Speaks Spanish\. SOT adjustment"))
    english = page.get_by_role("link", name=re.compile(r"^10:00 Ann Lee "))
    expect(spanish).to_be_visible()
    expect(english).not_to_have_accessible_name(re.compile("Speaks"))
    badge = spanish.locator("i[data-l]")
    assert badge.evaluate("i => getComputedStyle(i, '::before').content").startswith('"ES"')
    box = badge.evaluate("i => { const r = i.getBoundingClientRect(); return [r.width, r.height]; }")
    assert box[0] > 10 and box[1] > 5, box  # drawn, not zero-sized
    assert english.locator("i[data-l]").count() == 0
    shoot(page, "day-view-language-badge")
    for size in (DESKTOP, PHONE):  # the strict rules of tests/e2e/test_axe_strict.py, best practice included
        page.set_viewport_size(size)
        assert strict_violations(page) == [], size
    page.set_viewport_size(DESKTOP)
    # On the first line, beside the name, inside a 30-minute block (whose last line may be cut off).
    name_box = spanish.bounding_box()
    badge_box = badge.bounding_box()
    assert badge_box["y"] + badge_box["height"] <= name_box["y"] + 20, (badge_box, name_box)
    spanish.focus()  # opened up: the badge stays
    shoot(page, "day-view-language-badge-focused", widths=("desktop",))
