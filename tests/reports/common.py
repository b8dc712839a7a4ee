"""What the report tests share: a custom range as the filter's query, a report's page and CSV read together, and
an intake questionnaire's score written directly, and the two-location data set of the overlap tests."""

import datetime as dt
from decimal import Decimal

from django.urls import reverse

from intake.models import IntakeSubmission, OutcomeScore
from tests.clinic.factories import LocationFactory, RoomFactory
from tests.scheduling.factories import AppointmentFactory, WorkingHoursFactory


def custom_range(start: str, end: str, **extra) -> dict:
    """The shared filter's query for the days `start` to `end` (ISO dates), with any other fields."""
    return {"range": "custom", "start": start, "end": end, **extra}


def june_params(**extra) -> dict:
    """June 2026 (the reports' hand-counted month), with any other fields (or another start or end)."""
    return {**custom_range("2026-06-01", "2026-06-30"), **extra}


def page_and_csv(client, name: str, params: dict) -> tuple[str, list[str]]:
    """The report's page (HTML) and its CSV's lines, for the same filter."""
    html = client.get(reverse(name), params).content.decode()
    lines = client.get(reverse(name), {**params, "format": "csv"}).content.decode().splitlines()
    return html, lines


def outcome_score(patient, questionnaire, when, percent) -> OutcomeScore:
    """A submitted intake of `questionnaire` scored `percent` at `when` (10 items answered)."""
    submission = IntakeSubmission.objects.create(
        patient=patient, questionnaire=questionnaire, status=IntakeSubmission.Status.SUBMITTED, submitted_at=when
    )
    return OutcomeScore.objects.create(
        submission=submission,
        patient=patient,
        questionnaire=questionnaire,
        items_answered=10,
        total=0,
        percent=Decimal(percent),
        scored_at=when,
    )


class TwoPlaces:
    """Two locations, North and South, with one room each (N1, S1), and the writers of a practitioner's weekly
    hours and bookings there: the data set of the overlap tests (utilisation and idle gaps). `start_overlap` writes
    what both start from: Ada on Monday 09:30-17:00 at North and 09:30-13:00 at South with three visits, and on
    Wednesday 09:00-12:00 at North."""

    def __init__(self, patient):
        self.patient = patient
        self.north, self.south = LocationFactory(name="North"), LocationFactory(name="South")
        self.rooms = {self.north: RoomFactory(location=self.north, name="N1")}
        self.rooms[self.south] = RoomFactory(location=self.south, name="S1")

    def hours(self, practitioner, location, weekday, start, end):
        WorkingHoursFactory(
            practitioner=practitioner, location=location, weekday=weekday, start_time=start, end_time=end
        )

    def book(self, practitioner, location, start, end):
        AppointmentFactory(
            practitioner=practitioner, patient=self.patient, room=self.rooms[location], start=start, end=end
        )

    def start_overlap(self, ada, at):
        """`at(day_offset, hour, minute=0)` gives an instant of the test's week (Monday is offset 0)."""
        self.hours(ada, self.north, 0, dt.time(9, 30), dt.time(17))
        self.hours(ada, self.south, 0, dt.time(9, 30), dt.time(13))
        self.book(ada, self.north, at(0, 10), at(0, 11))
        self.book(ada, self.south, at(0, 12), at(0, 12, 30))
        self.book(ada, self.north, at(0, 14), at(0, 15))
        self.hours(ada, self.north, 2, dt.time(9), dt.time(12))
