"""Blocking time from the calendar (services.blocks and its form page): time off, meetings and extra hours for
part of a day or whole days, weekly for N weeks; availability respects them at once; booked appointments under
new time off are saved as they are and listed for the desk to move."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from clinic.models import AuditEvent
from scheduling import availability, services
from scheduling.models import AvailabilityException
from tests.clinic.factories import PatientFactory
from tests.scheduling.conftest import MONDAY, NY, at, book
from tests.scheduling.factories import time_block

pytestmark = pytest.mark.django_db
TUESDAY = MONDAY + dt.timedelta(days=1)


def _free_starts(practitioner, appointment_type, day):
    slots = availability.find_slots(
        appointment_type=appointment_type,
        practitioner_ids=[practitioner.pk],
        first_day=day,
        days=1,
        min_notice=dt.timedelta(0),
        horizon=None,
    )
    return {s.start.astimezone(NY).time() for s in slots}


def test_a_meeting_takes_its_hour_out_of_the_free_times_at_once(clinic, practitioner_a, front_desk):
    assert dt.time(10) in _free_starts(practitioner_a, clinic["adjustment"], TUESDAY)
    time_block(practitioner_a, "meeting", TUESDAY, front_desk, hours=(10, 11), reason="Team meeting")
    free = _free_starts(practitioner_a, clinic["adjustment"], TUESDAY)
    assert dt.time(10) not in free and dt.time(10, 30) not in free
    assert dt.time(9) in free and dt.time(11) in free


def test_weekly_time_off_repeats_on_the_same_weekday(clinic, practitioner_a, front_desk):
    result = services.time_block_add(
        practitioner=practitioner_a, kind="time_off", first_date=TUESDAY, weeks=3, reason="Course", actor=front_desk
    )
    assert [b.date for b in result.blocks] == [TUESDAY + dt.timedelta(weeks=w) for w in range(3)]
    assert all(b.whole_day for b in result.blocks)
    assert not _free_starts(practitioner_a, clinic["adjustment"], TUESDAY + dt.timedelta(weeks=2))


def test_appointments_under_new_time_off_are_kept_and_listed(clinic, practitioner_a, practitioner_b, front_desk):
    patient = PatientFactory()
    under = book(patient, practitioner_a, clinic["adjustment"], at(1, 9))
    next_week = book(patient, practitioner_a, clinic["adjustment"], at(8, 9, 15))
    outside = book(patient, practitioner_a, clinic["adjustment"], at(1, 14))
    other_practitioner = book(PatientFactory(), practitioner_b, clinic["adjustment"], at(1, 9))
    result = time_block(practitioner_a, "time_off", TUESDAY, front_desk, hours=(8, 12), weeks=2)
    assert [a.pk for a in result.overlapping] == [under.pk, next_week.pk]
    for a in (under, next_week, outside, other_practitioner):
        a.refresh_from_db()
        assert a.status == "booked"


def test_extra_hours_add_free_times_and_overlap_nothing(clinic, practitioner_a, front_desk, location):
    saturday = MONDAY + dt.timedelta(days=5)
    assert not _free_starts(practitioner_a, clinic["adjustment"], saturday)
    result = time_block(practitioner_a, "extra_hours", saturday, front_desk, hours=(9, 12), location=location)
    assert result.overlapping == []
    assert dt.time(9) in _free_starts(practitioner_a, clinic["adjustment"], saturday)


def test_a_practitioner_blocks_only_their_own_calendar(clinic, practitioner_a, practitioner_b):
    services.time_block_add(practitioner=practitioner_a, kind="time_off", first_date=TUESDAY, actor=practitioner_a.user)
    with pytest.raises(PermissionDenied, match="only in your own calendar"):
        services.time_block_add(
            practitioner=practitioner_b, kind="time_off", first_date=TUESDAY, actor=practitioner_a.user
        )
    assert not AvailabilityException.objects.filter(practitioner=practitioner_b).exists()


# --- The form page --------------------------------------------------------------------------------


def _post(client, **data):
    base = {"kind": "time_off", "date": "2026-06-02", "weeks": "1", "reason": ""}
    return client.post(reverse("scheduling:time_block_add"), {**base, **data})


def test_the_form_says_what_is_missing_next_to_the_field(client_for, clinic, practitioner_a, front_desk):
    client = client_for(front_desk)
    response = _post(client, practitioner=practitioner_a.pk, start_time="10:00")
    assert response.status_code == 400
    assert "Give an end time, or tick" in str(response.context["form"].errors["end_time"])
    response = _post(client, practitioner=practitioner_a.pk, start_time="11:00", end_time="10:00")
    assert "The end time must be after the start time." in response.context["form"].errors["end_time"]
    response = _post(client, practitioner=practitioner_a.pk, kind="extra_hours", start_time="9:00", end_time="10:00")
    assert "Say where the extra hours are worked." in response.context["form"].errors["location"]
    response = _post(client, practitioner=practitioner_a.pk, whole_day="on", weeks="60")
    assert "At most 52 weeks at a time." in response.context["form"].errors["weeks"]
    assert not AvailabilityException.objects.exists()


def test_the_desk_blocks_time_and_is_sent_back_to_the_day(client_for, clinic, practitioner_a, front_desk):
    response = _post(client_for(front_desk), practitioner=practitioner_a.pk, whole_day="on", reason="Course")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('scheduling:frontdesk_home')}?date=2026-06-02"
    block = AvailabilityException.objects.get()
    assert (block.practitioner, block.whole_day, block.reason) == (practitioner_a, True, "Course")


def test_the_page_lists_the_appointments_to_move(client_for, clinic, practitioner_a, front_desk):
    patient = PatientFactory(first_name="Lena", last_name="Underwood")
    under = book(patient, practitioner_a, clinic["adjustment"], at(1, 10))
    client = client_for(front_desk)
    response = _post(client, practitioner=practitioner_a.pk, kind="meeting", start_time="10:00", end_time="11:00")
    assert response.status_code == 302
    block = AvailabilityException.objects.get()
    assert response["Location"] == f"{reverse('scheduling:time_block_saved')}?blocks={block.pk}"
    before = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).count()
    page = client.get(response["Location"])
    body = page.content.decode()
    assert "Saved: meeting for Dr. Ada Adams" in body
    assert "1 booked appointment falls in this time" in body
    assert "Lena Underwood" in body
    assert reverse("scheduling:appointment_detail", args=[under.pk]) in body
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).count() == before + 1
    # Read again on every visit: once moved, the appointment leaves the list.
    services.appointment_move(appointment=under, start=at(1, 14), actor=front_desk)
    assert "No booked appointment is left in this time." in client.get(response["Location"]).content.decode()


def test_the_list_is_only_for_who_may_block_that_calendar(client_for, clinic, practitioner_a, practitioner_b):
    block = services.time_block_add(
        practitioner=practitioner_a, kind="time_off", first_date=TUESDAY, actor=practitioner_a.user
    ).blocks[0]
    url = f"{reverse('scheduling:time_block_saved')}?blocks={block.pk}"
    assert client_for(practitioner_a.user).get(url).status_code == 200
    assert client_for(practitioner_b.user).get(url).status_code == 404
    assert client_for(practitioner_b.user).get(f"{url[:-1]}x").status_code == 404


def test_a_practitioner_is_offered_only_themselves(client_for, clinic, practitioner_a, practitioner_b):
    client = client_for(practitioner_a.user)
    form = client.get(reverse("scheduling:time_block_add")).context["form"]
    assert list(form.fields["practitioner"].queryset) == [practitioner_a]
    assert form["practitioner"].value() == practitioner_a.pk
    response = _post(client, practitioner=practitioner_b.pk, whole_day="on")
    assert response.status_code == 400 and "practitioner" in response.context["form"].errors
    assert not AvailabilityException.objects.exists()


def test_patients_may_not_block_time(client_for, clinic, patient_a):
    assert client_for(patient_a.user).get(reverse("scheduling:time_block_add")).status_code == 403
