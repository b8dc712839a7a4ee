"""Series of visits: the plan names every conflict, the booking is all or nothing."""

import datetime as dt

import pytest

from scheduling import services
from scheduling.models import Appointment
from scheduling.services import SchedulingError
from tests.scheduling.conftest import at, book

Status = Appointment.Status

# --- Series ------------------------------------------------------------------------------------


def test_series_plan_lists_every_conflict_with_alternatives(clinic, patient_a, patient_b, practitioner_a):
    book(patient_b, practitioner_a, clinic["adjustment"], at(7, 9))  # second Monday taken
    starts = services.series_occurrences(first_date=at(0, 0).date(), weeks=3, weekdays=[0, 3], time_of_day=dt.time(9))
    assert len(starts) == 6
    plan = services.series_plan(practitioner=practitioner_a, appointment_type=clinic["adjustment"], starts=starts)
    conflicts = [o for o in plan if not o.ok]
    assert [o.start for o in conflicts] == [at(7, 9)]
    assert conflicts[0].alternatives and "already sees" in conflicts[0].problem


def test_series_book_books_all_or_nothing(clinic, patient_a, patient_b, practitioner_a):
    starts = [at(0, 9), at(3, 9), at(7, 9)]
    kwargs = dict(
        patient=patient_a,
        practitioner=practitioner_a,
        appointment_type=clinic["adjustment"],
        first_date=at(0, 0).date(),
        weeks=2,
        weekdays=[0, 3],
        time_of_day=dt.time(9),
    )
    series = services.series_book(starts=starts, **kwargs)
    assert series.appointments.count() == 3
    book(patient_b, practitioner_a, clinic["adjustment"], at(8, 9))
    # The first visit (day 8, 10:00) is free; the second (day 7, 9:00) clashes with patient A's series visit.
    with pytest.raises(SchedulingError, match="Nothing in the series was booked") as refusal:
        services.series_book(starts=[at(8, 10), at(7, 9)], **{**kwargs, "patient": patient_b})
    assert "already sees" in str(refusal.value)  # the clash, not the one-visit-a-day rule
    assert Appointment.objects.filter(patient=patient_b).count() == 1
