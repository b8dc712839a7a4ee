"""Care-plan series: a booking pattern (weeks x weekdays at one time), checked as a whole and booked all or none."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from clinic.models import AuditEvent, Patient, Practitioner
from clinic.services import audit_record
from scheduling import availability
from scheduling.dates import day_short_padded, day_year_time_padded
from scheduling.models import AppointmentType, CarePlanSeries
from scheduling.services.booking import alternatives_near, appointment_book, validate_time
from scheduling.services.common import SchedulingError, error_text
from scheduling.services.notify import series_notify_after_commit


@dataclass
class Occurrence:
    """One wanted time of a series: free, or taken with the nearest free alternatives."""

    start: dt.datetime
    problem: str = ""
    alternatives: list[availability.Slot] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problem


def series_visit_count(*, weeks: int | None, weekdays: Sequence[int], visits: int | None = None) -> int:
    """How many visits the desk asked for: the number itself, or weeks x days a week."""
    return visits if visits else (weeks or 0) * len(set(weekdays))


def series_occurrences(
    *,
    first_date: dt.date,
    weeks: int | None,
    weekdays: Sequence[int],
    time_of_day: dt.time,
    visits: int | None = None,
) -> list[dt.datetime]:
    """The wanted starts: the first `visits` (or weeks x days) dates on the chosen weekdays from `first_date`
    on, so "3 weeks, Mon + Thu" from a Thursday is six visits, not the five left in three calendar weeks."""
    zone = availability.clinic_zone()
    wanted = series_visit_count(weeks=weeks, weekdays=weekdays, visits=visits)
    days = set(weekdays)
    starts: list[dt.datetime] = []
    day = first_date
    while days and len(starts) < wanted:
        if day.weekday() in days:
            starts.append(dt.datetime.combine(day, time_of_day, tzinfo=zone))
        day += dt.timedelta(days=1)
    return starts


def series_plan(
    *,
    practitioner: Practitioner,
    appointment_type: AppointmentType,
    starts: Sequence[dt.datetime],
    patient: Patient | None = None,
    now: dt.datetime | None = None,
) -> list[Occurrence]:
    """Check every wanted start of a series; each that cannot be booked is listed with alternatives.

    The patient's own visits are a conflict of their own (named so), and an alternative never falls on the day
    of another visit of the series or of one of the patient's existing visits."""
    now = now or timezone.now()
    zone = availability.clinic_zone()
    series_days = {start.astimezone(zone).date() for start in starts}
    plan = []
    for start in starts:
        try:
            validate_time(
                appointment_type=appointment_type,
                practitioner=practitioner,
                start=start,
                room=None,
                now=now,
                exclude_pk=None,
                patient=patient,
            )
        except SchedulingError as exc:
            others = series_days - {start.astimezone(zone).date()}
            alternatives = alternatives_near(
                appointment_type, practitioner, start, None, now, patient=patient, avoid_days=sorted(others)
            )
            plan.append(Occurrence(start, error_text(exc), alternatives))
        else:
            plan.append(Occurrence(start))
    return plan


@transaction.atomic
def series_book(
    *,
    patient: Patient,
    practitioner: Practitioner,
    appointment_type: AppointmentType,
    first_date: dt.date,
    weeks: int | None,
    weekdays: Sequence[int],
    time_of_day: dt.time,
    starts: Sequence[dt.datetime],
    notes: str = "",
    actor=None,
    request=None,
    now: dt.datetime | None = None,
    notify: bool = False,
    allow_same_day: bool = False,
) -> CarePlanSeries:
    """Book every start of a care plan in one transaction: all of them or none (a taken time raises SlotTaken
    naming it, so the front desk chooses again; nothing is skipped silently). `notify` records one confirmation
    listing every visit (with an .ics of them all) in the outbox, and queues each visit's reminder. Two visits
    on one day are refused unless `allow_same_day`."""
    now = now or timezone.now()
    if not starts:
        raise SchedulingError(gettext("A series needs at least one appointment."))
    zone = availability.clinic_zone()
    days = sorted(start.astimezone(zone).date() for start in starts)
    twice = sorted({day for day in days if days.count(day) > 1})
    if twice and not allow_same_day:
        raise SchedulingError(
            gettext(
                "Two visits of the series fall on %(days)s: choose another time for one of them. Nothing in the "
                "series was booked."
            )
            % {"days": ", ".join(day_short_padded(day) for day in twice)}
        )
    series = CarePlanSeries(
        patient=patient,
        practitioner=practitioner,
        appointment_type=appointment_type,
        first_date=first_date,
        weeks=weeks or -(-len(starts) // max(len(set(weekdays)), 1)),
        weekdays=",".join(str(d) for d in sorted(set(weekdays))),
        time_of_day=time_of_day,
        notes=notes,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    series.full_clean()
    series.save()
    booked = []
    for start in sorted(starts):
        try:
            booked.append(
                appointment_book(
                    patient=patient,
                    practitioner=practitioner,
                    appointment_type=appointment_type,
                    start=start,
                    actor=actor,
                    series=series,
                    request=request,
                    now=now,
                )
            )
        except SchedulingError as exc:
            raise SchedulingError(
                gettext("%(when)s: %(refusal)s Nothing in the series was booked.")
                % {"when": day_year_time_padded(start), "refusal": error_text(exc)}
            ) from exc
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=series,
        patient=patient,
        request=request,
        detail=f"series of {len(starts)} {appointment_type.slug}",
    )
    if notify:
        series_notify_after_commit(series, booked, now=now)
    return series
