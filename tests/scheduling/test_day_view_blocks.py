"""The day view shades time off, meetings and extra hours with their reason, links "Block time" per column
(a practitioner only on their own), and draws the "now" line on today only."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tests.scheduling.conftest import MONDAY, NY
from tests.scheduling.factories import time_block

pytestmark = pytest.mark.django_db
TUESDAY = MONDAY + dt.timedelta(days=1)


def _day(client, day):
    return client.get(reverse("scheduling:frontdesk_home"), {"date": day.isoformat()})


def _columns(response):
    return {c.practitioner.pk: c for c in response.context["grid"].columns}


def test_blocks_are_shaded_with_their_reason(client_for, clinic, practitioner_a, practitioner_b, front_desk):
    time_block(practitioner_a, "meeting", TUESDAY, front_desk, hours=(10, 11), reason="Team meeting")
    time_block(practitioner_b, "time_off", TUESDAY, front_desk)
    response = _day(client_for(front_desk), TUESDAY)
    body = response.content.decode()
    assert "Meeting: Team meeting" in body and ">Time off</span>" in body
    columns = _columns(response)
    meeting = columns[practitioner_a.pk].time_blocks[0]
    first_minute = response.context["grid"].first_minute
    assert meeting.top == (10 * 60 - first_minute) * 1.6 and meeting.height == 60 * 1.6
    whole = columns[practitioner_b.pk].time_blocks[0]
    assert whole.top == 0 and whole.height == response.context["grid"].height
    # The meeting's hour is no longer offered for booking.
    rows = {r.label: r for r in columns[practitioner_a.pk].rows}
    assert not rows["10:00"].bookable and rows["09:45"].bookable


def test_the_desk_gets_a_block_link_on_every_column_a_practitioner_on_their_own(
    client_for, clinic, practitioner_a, practitioner_b, front_desk
):
    link = reverse("scheduling:time_block_add")
    body = _day(client_for(front_desk), TUESDAY).content.decode()
    for p in (practitioner_a, practitioner_b):
        assert f"{link}?practitioner={p.pk}&amp;date=2026-06-02" in body
    body = _day(client_for(practitioner_a.user), TUESDAY).content.decode()
    assert f"{link}?practitioner={practitioner_a.pk}&amp;date=2026-06-02" in body
    assert f"{link}?practitioner={practitioner_b.pk}" not in body


def test_the_now_line_is_on_todays_columns_only(client_for, rooms, hours, front_desk, practitioner_a):
    with time_machine.travel(dt.datetime(2026, 6, 2, 10, 30, tzinfo=NY), tick=False):
        client = client_for(front_desk)
        today = _day(client, TUESDAY)
        first_minute = today.context["grid"].first_minute
        tops = {c.now_top for c in today.context["grid"].columns}
        assert tops == {round((10 * 60 + 30 - first_minute) * 1.6, 1)}
        assert today.content.decode().count('class="cal-now"') == 2
        assert 'src="/static/js/calendar-now.js"' in today.content.decode()
        tomorrow = _day(client, TUESDAY + dt.timedelta(days=1))
        assert 'class="cal-now"' not in tomorrow.content.decode()
    with time_machine.travel(dt.datetime(2026, 6, 2, 22, 30, tzinfo=NY), tick=False):
        # After the grid's last hour there is no line to show.
        assert 'class="cal-now"' not in _day(client, TUESDAY).content.decode()
