"""The day view stays light on a busy day (issue 15 item 6): each appointment block costs under 230 bytes of HTML,
not the ~870 an include per block cost (a 10 x 40 day was 452 KB), and the 10 x 40 page stays under 106 KB (the
issue's target is 120 KB). A size test, not a time test."""

import datetime as dt
import html
import re
from urllib.parse import urljoin

import pytest
from django.urls import reverse

from tests.clinic.factories import PatientFactory, PractitionerFactory, RoomFactory
from tests.scheduling.conftest import MONDAY, NY
from tests.scheduling.factories import AppointmentFactory, AppointmentTypeFactory, WorkingHoursFactory

pytestmark = pytest.mark.django_db

# The budgets; with every flag and a 16-letter name, a block is about 222 bytes (245 before its length and colour
# were left out when they are the CSS's defaults: a one-row block of the default type colour).
BYTES_PER_BLOCK = 230
PAGE_BYTES = 106_000  # issue 15 item 6 asks <= 120 KB at 10 practitioners x 40 appointments (about 102,200 here)
LAST_MONDAY = MONDAY - dt.timedelta(days=7)  # gone by (the clock is frozen on MONDAY): no free times to link


@pytest.fixture
def ten(frozen, location, adjustment):
    practitioners = [PractitionerFactory() for _ in range(10)]
    for p in practitioners:
        WorkingHoursFactory(practitioner=p, location=location, weekday=0, start_time=dt.time(8), end_time=dt.time(18))
    return practitioners, [RoomFactory(location=location) for _ in range(10)]


def _book(ten, adjustment, day, count, offset=0, minutes=30):
    practitioners, rooms = ten
    for index in range(offset, offset + count):
        start = dt.datetime.combine(day, dt.time(8), tzinfo=NY) + dt.timedelta(minutes=15 * (index // 10))
        # A busy day books 15-minute sessions back to back (minutes=15), so that 40 fit without overlapping:
        # PostgreSQL's exclusion constraints refuse overlaps, as they should.
        AppointmentFactory(
            end=start + dt.timedelta(minutes=minutes),
            blocks_until=start + dt.timedelta(minutes=minutes),
            # Every block flagged: a new patient, no intake, no consent (the heaviest block there is).
            patient=PatientFactory(first_name="Maria", last_name=f"Okafor {index:03d}"),
            practitioner=practitioners[index % 10],
            room=rooms[index % 10],
            appointment_type=adjustment,
            start=start,
        )


def _page(client, day) -> str:
    response = client.get(reverse("scheduling:frontdesk_home"), {"date": day.isoformat()})
    assert response.status_code == 200
    return response.content.decode()


def test_each_appointment_block_costs_less_than_the_budget(client_for, front_desk, ten, adjustment):
    client = client_for(front_desk)
    _book(ten, adjustment, LAST_MONDAY, 10, minutes=15)
    small = _page(client, LAST_MONDAY)
    _book(ten, adjustment, LAST_MONDAY, 390, offset=10, minutes=15)  # 40 a practitioner, as the benchmark's busy day
    busy = _page(client, LAST_MONDAY)
    assert busy.count('class="cal-block') == 400 and small.count('class="cal-block') == 10
    assert "New patient, intake not started, consent not signed." in busy
    per_block = (len(busy.encode()) - len(small.encode())) / 390
    assert per_block < BYTES_PER_BLOCK, f"{per_block:.0f} bytes per appointment block"
    assert len(busy.encode()) <= PAGE_BYTES, f"{len(busy.encode())} bytes at 10 x 40"
    blocks = re.findall(r'<a class="cal-block.*?</a>', busy)
    assert max(len(b.encode()) for b in blocks) < BYTES_PER_BLOCK


def test_no_booking_link_under_an_appointment(client_for, front_desk, ten, adjustment):
    """A start inside one of the practitioner's appointments would be refused: the free-time links skip it."""
    practitioners, _rooms = ten
    _book(ten, adjustment, MONDAY + dt.timedelta(days=7), 1)  # 08:00-08:30 with the first practitioner
    body = _page(client_for(front_desk), MONDAY + dt.timedelta(days=7))
    page = reverse("scheduling:frontdesk_home")
    links = {urljoin(page, html.unescape(href)) for href in re.findall(r'class="cal-slot" href="([^"]+)"', body)}
    book = reverse("scheduling:appointment_book")
    first, second = practitioners[0].pk, practitioners[1].pk
    assert f"{book}?practitioner={first}&start=2026-06-08T08%3A00" not in links
    assert f"{book}?practitioner={first}&start=2026-06-08T08%3A15" not in links
    assert f"{book}?practitioner={first}&start=2026-06-08T08%3A30" in links
    assert f"{book}?practitioner={second}&start=2026-06-08T08%3A00" in links


def test_a_block_writes_its_length_and_colour_only_when_not_the_defaults(client_for, front_desk, ten, adjustment):
    """One row long and of the default type colour: `--t` only. Longer, or of another colour: said."""
    practitioners, rooms = ten
    start = dt.datetime.combine(LAST_MONDAY, dt.time(9), tzinfo=NY)
    massage = AppointmentTypeFactory(name="Massage", slug="massage", colour="#2B8A3E")
    for minutes, kind, practitioner in ((15, adjustment, 0), (45, adjustment, 1), (15, massage, 2)):
        AppointmentFactory(
            start=start,
            end=start + dt.timedelta(minutes=minutes),
            blocks_until=start + dt.timedelta(minutes=minutes),
            practitioner=practitioners[practitioner],
            room=rooms[practitioner],
            appointment_type=kind,
        )
    styles = re.findall(r'<a class="cal-block" style="([^"]+)"', _page(client_for(front_desk), LAST_MONDAY))
    assert sorted(styles) == ["--t:60", "--t:60;--c:#2B8A3E", "--t:60;--d:45"]
