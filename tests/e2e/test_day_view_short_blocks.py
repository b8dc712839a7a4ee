"""Short appointments on the day view show whole lines only (issue 15): a 30-minute block once cut its last line
(the badges) in half. Each block shows the lines that fit (time and patient always; the room from 20 minutes,
the badges from 30, the type from 40), never a line sliced by the block's bottom edge; the others keep no
height but stay in the block's accessible name, and hovering the block opens it up to show them all."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.clinic.factories import LocationFactory, PatientFactory, RoomFactory
from tests.e2e.harness import DESKTOP, PHONE, at, login, shoot, visit
from tests.scheduling.factories import AppointmentFactory, AppointmentTypeFactory, WorkingHoursFactory

MONDAY = dt.date(2030, 6, 3)
LENGTHS = (10, 15, 20, 30, 45, 60)

# For each block: the bottom of each child shown (with some height) against the block's inner bottom edge, and
# which children are shown. A line is cut when it has height but ends below the edge.
MEASURE = """blocks => blocks.map(block => {
  const edge = block.getBoundingClientRect().bottom + 0.5;
  const children = Array.from(block.children).filter(c => c.tagName !== "I");
  const shown = children.filter(c => c.getBoundingClientRect().height > 0.5);
  return {
    text: block.textContent,
    cut: shown.filter(c => c.getBoundingClientRect().bottom > edge).map(c => c.textContent),
    shown: shown.map(c => c.tagName),
  };
})"""


@pytest.fixture
def short_visits(clinic_clock, practitioner_a):
    clinic_clock(at(MONDAY - dt.timedelta(days=1), 9))
    location = LocationFactory(name="Harbour Street")
    room = RoomFactory(location=location, name="Treatment room 1")
    sot = AppointmentTypeFactory(name="SOT adjustment", slug="sot-adjustment")
    WorkingHoursFactory(
        practitioner=practitioner_a, location=location, weekday=0, start_time=dt.time(8), end_time=dt.time(17)
    )
    for index, minutes in enumerate(LENGTHS):
        start = at(MONDAY, 8 + index)
        AppointmentFactory(
            patient=PatientFactory(first_name="Mia", last_name=f"Moreno {minutes}"),
            practitioner=practitioner_a,
            room=room,
            appointment_type=sot,
            start=start,
            end=start + dt.timedelta(minutes=minutes),
            blocks_until=start + dt.timedelta(minutes=minutes),
        )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_short_blocks_show_whole_lines_and_open_up_on_hover(page, short_visits, front_desk, viewport):
    page.set_viewport_size(viewport)
    login(page, front_desk)
    visit(page, f"/frontdesk/?date={MONDAY.isoformat()}")
    blocks = page.locator("a.cal-block")
    expect(blocks).to_have_count(len(LENGTHS))
    measured = blocks.evaluate_all(MEASURE)
    for minutes, block in zip(LENGTHS, measured, strict=True):
        assert not block["cut"], f"{minutes}-minute block cuts {block['cut']}"
    shown = {minutes: block["shown"] for minutes, block in zip(LENGTHS, measured, strict=True)}
    assert shown[10] == shown[15] == []  # the first line (time and patient) is the block's own text
    assert shown[20] == ["SPAN"]  # the room
    assert shown[30] == ["SPAN", "SMALL"]  # the room and the badges
    assert shown[45] == shown[60] == ["SPAN", "SPAN", "SMALL"]
    # What is not shown is still said: the accessible name holds the type, the room and the flags.
    expect(page.get_by_role("link", name="09:00 Mia Moreno 15")).to_have_accessible_name(
        re.compile(
            r"^09:00 Mia Moreno 15\s*SOT adjustment\s*Treatment room 1\s*Booked\s*"
            r"New patient, intake not started, consent not signed\.$"
        )
    )
    if viewport == DESKTOP:
        shoot(page, "day-view-short-blocks")
    thirty = blocks.nth(LENGTHS.index(30))
    thirty.hover()
    expect(thirty.get_by_text("SOT adjustment")).to_be_visible()
    assert thirty.evaluate("el => el.scrollHeight <= el.clientHeight + 1"), "the opened block still clips its text"
