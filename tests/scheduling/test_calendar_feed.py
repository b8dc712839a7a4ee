"""A practitioner's private calendar feed: a secret URL (stored as its SHA-256), readable without login,
initials and type only, their time off too; replaced URLs answer 404; every fetch is audited.

The feed is parsed with `ics` (a second iCalendar library) besides `icalendar`, so what we write is not only
what our own library reads back."""

import datetime as dt

import icalendar
import ics
import pytest
from django.urls import reverse

from clinic.models import AuditEvent
from scheduling import services
from scheduling.models import AvailabilityException, CalendarFeed
from tests.clinic.factories import PatientFactory
from tests.scheduling.conftest import MONDAY, at, book

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(clinic, practitioner_a, practitioner_b):
    ann = PatientFactory(first_name="Annabel", last_name="Quigley", email="annabel@example.com", phone="5551234567")
    other = PatientFactory(first_name="Otto", last_name="Nobody")
    mine = book(ann, practitioner_a, clinic["adjustment"], at(1, 9), frontdesk_notes="Bad knee, parks round back")
    cancelled = book(other, practitioner_a, clinic["adjustment"], at(1, 10))
    services.appointment_cancel(appointment=cancelled, actor=None, reason="Ill")
    someone_elses = book(other, practitioner_b, clinic["adjustment"], at(1, 11))
    AvailabilityException.objects.create(
        practitioner=practitioner_a, date=MONDAY + dt.timedelta(days=3), reason="Course"
    )
    AvailabilityException.objects.create(
        practitioner=practitioner_a,
        kind="meeting",
        date=MONDAY + dt.timedelta(days=2),
        start_time=dt.time(12),
        end_time=dt.time(13),
        reason="Team meeting",
    )
    return {"mine": mine, "cancelled": cancelled, "someone_elses": someone_elses, "ann": ann}


def _feed_url(practitioner):
    token = services.calendar_feed_rotate(practitioner=practitioner, actor=practitioner.user)
    return reverse("scheduling:calendar_feed", args=[token]), token


def test_the_feed_shows_initials_and_type_only_and_the_time_off(client, booked, practitioner_a):
    url, _ = _feed_url(practitioner_a)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    for private in ("Annabel", "Quigley", "annabel@example.com", "5551234567", "Bad knee", "Otto", "Nobody"):
        assert private not in body

    parsed = ics.Calendar(body)  # a second library reads it
    events = sorted(parsed.events, key=lambda e: (e.begin, e.name))
    names = [e.name for e in events]
    assert names == ["AQ · SOT adjustment", "Meeting: Team meeting", "Time off: Course"]
    appointment = events[0]
    assert appointment.begin == booked["mine"].start and appointment.end == booked["mine"].end
    assert appointment.uid == f"{booked['mine'].uid}@sot-clinic"
    meeting = events[1]
    assert meeting.begin == dt.datetime(2026, 6, 3, 12, tzinfo=dt.UTC) + dt.timedelta(hours=4)  # 12:00 New York
    course = events[2]
    assert course.all_day and course.begin.date() == dt.date(2026, 6, 4)

    cal = icalendar.Calendar.from_ical(response.content)
    assert {str(e["summary"]) for e in cal.walk("VEVENT")} == set(names)
    assert cal.walk("VTIMEZONE"), "timed events carry their zone"


def test_a_replaced_or_unknown_address_answers_404(client, booked, practitioner_a):
    old_url, _ = _feed_url(practitioner_a)
    new_url, new_token = _feed_url(practitioner_a)
    assert client.get(old_url).status_code == 404
    assert client.get(reverse("scheduling:calendar_feed", args=["not-a-token"])).status_code == 404
    assert client.get(new_url).status_code == 200
    # Only the digest is stored: the stored value does not open the feed.
    stored = CalendarFeed.objects.get(practitioner=practitioner_a).token_sha256
    assert stored != new_token
    assert client.get(reverse("scheduling:calendar_feed", args=[stored])).status_code == 404


def test_a_feed_turned_off_answers_404(client, booked, practitioner_a):
    url, _ = _feed_url(practitioner_a)
    assert services.calendar_feed_stop(practitioner=practitioner_a, actor=practitioner_a.user)
    assert client.get(url).status_code == 404


def test_each_fetch_leaves_one_audit_row_naming_the_practitioner(client, booked, practitioner_a):
    url, _ = _feed_url(practitioner_a)
    before = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).count()
    client.get(url)
    client.get(url)
    rows = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).order_by("-pk")[:2]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).count() == before + 2
    for row in rows:
        assert row.actor is None
        assert row.object_type == "scheduling.CalendarFeed"
        assert "Dr. Ada Adams" in row.detail
    assert CalendarFeed.objects.get(practitioner=practitioner_a).last_fetched_at is not None


def test_the_feed_is_rate_limited_per_address(client, booked, practitioner_a, settings):
    settings.CALENDAR_FEED_RATE_LIMIT = "2/h"
    url, _ = _feed_url(practitioner_a)
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DENIED, detail="calendar feed rate limit").exists()


def test_the_practitioner_makes_sees_once_and_replaces_the_address_on_their_page(client_for, booked, practitioner_a):
    client = client_for(practitioner_a.user)
    page = reverse("scheduling:calendar_feed_manage")
    assert "You have no feed yet" in client.get(page).content.decode()
    response = client.post(page, {"action": "rotate"}, follow=True)
    first_url = response.context["feed_url"]
    assert "/calendar/" in first_url and first_url.endswith(".ics")
    # Shown once: the next visit says the feed is on but does not show the address again.
    again = client.get(page)
    assert again.context["feed_url"] == "" and "Your feed is on" in again.content.decode()
    second_url = client.post(page, {"action": "rotate"}, follow=True).context["feed_url"]
    assert second_url != first_url
    assert client.get(first_url).status_code == 404
    assert client.get(second_url).status_code == 200
    client.post(page, {"action": "stop"})
    assert client.get(second_url).status_code == 404


def test_only_practitioners_have_a_feed_page(client_for, front_desk, patient_a):
    page = reverse("scheduling:calendar_feed_manage")
    assert client_for(front_desk).get(page).status_code == 403
    assert client_for(patient_a.user).post(page, {"action": "rotate"}).status_code == 403
    assert not CalendarFeed.objects.exists()
