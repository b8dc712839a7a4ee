"""Refusals name the real conflict, most specific first, and a series counts and places visits as the desk means
(issue 13, items 11-13)."""

import datetime as dt

import pytest
from django.urls import reverse

from scheduling import services
from scheduling.models import AvailabilityException
from scheduling.services import SchedulingError, SlotTaken
from tests.scheduling.conftest import MONDAY, at, booking_form, series_form

SERIES = reverse("scheduling:series_book")


def book(patient, practitioner, appointment_type, start, **kwargs):
    return services.appointment_book(
        patient=patient, practitioner=practitioner, appointment_type=appointment_type, start=start, **kwargs
    )


def test_practitioners_own_appointment_is_named_with_the_patient_not_as_a_race(
    clinic, patient_a, patient_b, practitioner_a
):
    book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    with pytest.raises(SlotTaken) as exc:
        book(patient_b, practitioner_a, clinic["adjustment"], at(0, 9))
    assert exc.value.text == "Dr. Ada Adams already sees Alice Arnold from 09:00 to 09:30."
    assert "just taken" not in exc.value.text and "room" not in exc.value.text


def test_time_off_is_named_as_time_off(clinic, patient_a, practitioner_a):
    AvailabilityException.objects.create(
        practitioner=practitioner_a, date=MONDAY, kind=AvailabilityException.Kind.TIME_OFF
    )
    with pytest.raises(SchedulingError) as exc:
        book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    assert "Dr. Ada Adams is on time off all day on Mon 01 Jun" in exc.value.message_dict["start"][0]


def test_patients_own_visit_with_someone_else_is_its_own_conflict(clinic, patient_a, practitioner_a, practitioner_b):
    book(patient_a, practitioner_b, clinic["adjustment"], at(0, 9))
    with pytest.raises(SlotTaken) as exc:
        book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9, 15))
    assert exc.value.text == "Alice Arnold already has a visit from 09:00 to 09:30 that day with Dr. Bo Brown."
    # No alternative puts a second visit on the day she already comes in.
    assert exc.value.alternatives
    assert all(s.start.date() != MONDAY for s in exc.value.alternatives)


def test_practitioner_conflict_comes_before_the_patients_own(clinic, patient_a, patient_b, practitioner_a):
    book(patient_b, practitioner_a, clinic["adjustment"], at(0, 9))
    book(patient_a, practitioner_a, clinic["adjustment"], at(0, 10))
    with pytest.raises(SlotTaken) as exc:
        book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9, 15))
    assert "already sees Bruno Berg" in exc.value.text


def test_the_desk_page_shows_the_real_cause(client_for, front_desk, clinic, patient_a, patient_b, practitioner_a):
    book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    response = client_for(front_desk).post(
        reverse("scheduling:appointment_book"),
        booking_form(clinic, patient_b, practitioner_a, "2026-06-01T09:00"),
    )
    assert response.status_code == 400
    assert "Dr. Ada Adams already sees Alice Arnold from 09:00 to 09:30." in response.content.decode()
    assert "just taken" not in response.content.decode()


# --- Series ------------------------------------------------------------------------------------


def test_three_weeks_of_monday_and_thursday_from_a_thursday_is_six_visits(clinic):
    thursday = MONDAY + dt.timedelta(days=3)
    starts = services.series_occurrences(first_date=thursday, weeks=3, weekdays=[0, 3], time_of_day=dt.time(9))
    assert [s.date() for s in starts] == [thursday + dt.timedelta(days=n) for n in (0, 4, 7, 11, 14, 18)]


def test_the_desk_can_give_the_number_of_visits(clinic):
    starts = services.series_occurrences(
        first_date=MONDAY, weeks=None, weekdays=[1, 3], time_of_day=dt.time(9), visits=5
    )
    assert len(starts) == 5 and starts[0].date() == MONDAY + dt.timedelta(days=1)


def test_series_names_the_patients_own_visit_and_keeps_alternatives_off_busy_days(
    clinic, patient_a, practitioner_a, practitioner_b
):
    thursday = MONDAY + dt.timedelta(days=3)
    book(patient_a, practitioner_b, clinic["adjustment"], at(3, 11))  # Mia's own Thursday 11:00
    starts = services.series_occurrences(first_date=MONDAY, weeks=2, weekdays=[0, 3], time_of_day=dt.time(11))
    plan = services.series_plan(
        practitioner=practitioner_a, appointment_type=clinic["adjustment"], starts=starts, patient=patient_a
    )
    conflicts = [o for o in plan if not o.ok]
    assert [o.start for o in conflicts] == [at(3, 11)]
    assert "Alice Arnold already has a visit" in conflicts[0].problem and "room" not in conflicts[0].problem
    series_days = {s.date() for s in starts}
    for slot in conflicts[0].alternatives:
        assert slot.start.date() != thursday  # her existing visit's day
        assert slot.start.date() not in series_days  # another visit of the series


def test_series_form_takes_a_number_of_visits_and_shows_count_and_dates(
    client_for, front_desk, clinic, patient_a, practitioner_a
):
    data = series_form(
        clinic,
        patient_a,
        practitioner_a,
        step="plan",
        first_date="2026-06-04",
        weeks="",
        visits="6",
        weekdays=["0", "3"],
    )
    response = client_for(front_desk).post(SERIES, data)
    body = response.content.decode()
    assert response.status_code == 200, body
    assert "6 visits</strong>, Thu 4 Jun to Mon 22 Jun 2026" in body
    assert body.count('class="list-group-item') == 6
    data.update(step="confirm")
    response = client_for(front_desk).post(SERIES, data)
    assert response.status_code == 302
    assert patient_a.appointments.count() == 6


def test_series_form_needs_weeks_or_visits(client_for, front_desk, clinic, patient_a, practitioner_a):
    response = client_for(front_desk).post(
        SERIES,
        series_form(clinic, patient_a, practitioner_a, step="plan", first_date="2026-06-04", weekdays=["0"]),
    )
    assert response.status_code == 400
    assert "Give the number of weeks or the number of visits." in response.context["form"].errors["weeks"]


def test_series_with_two_visits_on_one_day_is_refused_unless_asked(clinic, patient_a, practitioner_a):
    def book_series(**kwargs):
        return services.series_book(
            patient=patient_a,
            practitioner=practitioner_a,
            appointment_type=clinic["adjustment"],
            first_date=MONDAY,
            weeks=1,
            weekdays=[0, 1],
            time_of_day=dt.time(9),
            starts=[at(1, 9), at(1, 14)],
            **kwargs,
        )

    with pytest.raises(SchedulingError, match="Two visits of the series fall on Tue 02 Jun"):
        book_series()
    assert not patient_a.appointments.exists()
    assert book_series(allow_same_day=True).appointments.count() == 2
