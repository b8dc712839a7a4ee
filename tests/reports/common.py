"""What the report tests share: a custom range as the filter's query, a report's page and CSV read together, and
an intake questionnaire's score written directly."""

from decimal import Decimal

from django.urls import reverse

from intake.models import IntakeSubmission, OutcomeScore


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
