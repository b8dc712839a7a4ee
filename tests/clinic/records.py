"""A patient's whole record across the apps, every free-text field carrying a given text, for the security
tests (export, object-level matrix, XSS): build it for patient A with one text and for patient B with another,
then look for the texts where they must, or must not, appear."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from intake import services as intake_services
from intake.forms import STEP_FORMS
from intake.models import ConsentSignature, IntakeInvitation, IntakeSubmission
from scheduling.models import Appointment, CarePlanSeries, WaitlistEntry
from tests.intake import factories as intake_factories
from tests.scheduling.factories import AppointmentFactory, AppointmentTypeFactory

# Free-text intake answers (by step) and scheduling fields a person types.
INTAKE_TEXT_FIELDS = {
    "visit": ("complaint", "onset", "cause_detail", "other_complaints"),
    "health": ("conditions_other", "medications", "allergies", "surgeries"),
    "redflags": ("details",),
}
# Of these, the ones shown to practitioners on the intake summary and the submission page.
CLINICAL_TEXT_FIELDS = ("complaint", "other_complaints", "medications", "allergies", "conditions_other", "surgeries")


@dataclass
class Record:
    submission: IntakeSubmission
    signature: ConsentSignature
    invitation: IntakeInvitation
    appointment: Appointment
    cancelled: Appointment
    series: CarePlanSeries
    waitlist: WaitlistEntry


def _valid(step: str, data: dict) -> dict:
    form = STEP_FORMS[step](data=data)
    assert form.is_valid(), form.errors
    return form.cleaned_data


def submitted_intake(patient, text: str) -> IntakeSubmission:
    """A submitted intake whose every free-text answer is `text` (night pain flagged, so a review exists)."""
    intake_factories.load_questionnaires()
    visit = dict(intake_factories.VISIT, cause="other")
    health = dict(intake_factories.HEALTH)
    redflags = intake_factories.red_flags("night_pain")
    for step, data in (("visit", visit), ("health", health), ("redflags", redflags)):
        data.update(dict.fromkeys(INTAKE_TEXT_FIELDS[step], text))
    submission = intake_services.intake_start(patient=patient)
    answers = {"about": intake_factories.ABOUT, "visit": visit, "health": health, "redflags": redflags}
    for step in ("about", "visit", "health", "redflags"):
        submission = intake_services.intake_save_step(
            submission=submission, step=step, answers=_valid(step, answers[step])
        )
    submission = intake_services.intake_save_step(submission=submission, step="outcome", answers={"pain": 3})
    return intake_services.intake_submit(submission=submission)


def full_record(patient, practitioner, text: str, *, day: dt.date, sender=None, clinical: str | None = None) -> Record:
    """Intake, consent, invitation, a booked and a cancelled appointment, a series and a waitlist entry.

    The intake answers carry `clinical` (default `text`), the scheduling notes carry `text`.
    """
    from intake.models import ConsentVersion

    submission = submitted_intake(patient, text if clinical is None else clinical)
    version = ConsentVersion.objects.filter(active=True).first() or intake_factories.consent_version()
    signature = intake_factories.sign(patient, version)
    invitation, _link = intake_services.invitation_send(patient=patient, email=patient.email, actor=sender)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(10 if patient.last_name < "B" else 11)))
    appointment_type = AppointmentTypeFactory(slug="security-walk")
    whose = {"patient": patient, "practitioner": practitioner, "appointment_type": appointment_type}
    appointment = AppointmentFactory(**whose, start=start, frontdesk_notes=text)
    cancelled = AppointmentFactory(
        **whose,
        room=appointment.room,
        start=start + dt.timedelta(hours=2),
        status=Appointment.Status.CANCELLED,
        cancellation_reason=text,
        cancelled_at=start - dt.timedelta(days=1),
    )
    series = CarePlanSeries.objects.create(
        **whose,
        first_date=day,
        weeks=1,
        weekdays=str(day.weekday()),
        time_of_day=dt.time(9),
        notes=text[:300],
    )
    appointment.series = series
    appointment.save(update_fields=["series"])
    waitlist = WaitlistEntry.objects.create(
        patient=patient, appointment_type=appointment_type, earliest_date=day, latest_date=day, notes=text[:300]
    )
    return Record(submission, signature, invitation, appointment, cancelled, series, waitlist)
