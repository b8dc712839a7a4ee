"""Retention: rebooking (the next appointment booked before the patient left) and the lapsed patients."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Exists, F, IntegerField, Max, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from clinic.careplans.recalls import RECALL_STATES
from clinic.models import CarePlan, Patient
from reports.selectors.common import ATTENDED, Scope, appointments_in
from scheduling.models import Appointment


@dataclass(frozen=True)
class RebookingRow:
    label: str
    visits: int  # attended visits in the range
    rebooked: int  # of which the patient's next appointment was already booked when they left

    @property
    def pct(self) -> float:
        return round(100 * self.rebooked / self.visits, 1) if self.visits else 0.0


@dataclass(frozen=True)
class Rebooking:
    total: RebookingRow
    by_practitioner: list[RebookingRow]


def _next_booked_at() -> Subquery:
    """When the patient's next appointment was booked: the first later appointment still booked when this visit
    ended (not cancelled, or cancelled only afterwards). The visit's end is when the patient left: the clinic
    records no separate check-out time. The (patient, start) index finds it in one step."""
    cancelled = Appointment.Status.CANCELLED
    later = Appointment.objects.filter(patient_id=OuterRef("patient_id"), start__gt=OuterRef("start")).filter(
        ~Q(status=cancelled) | Q(cancelled_at__gt=OuterRef("end"))
    )
    return Subquery(later.order_by("start").values("created_at")[:1])


def rebooking(scope: Scope) -> Rebooking:
    """Attended visits in the range and the share after which the next appointment was already booked. One query."""
    visits = appointments_in(scope).filter(status__in=ATTENDED).annotate(next_booked_at=_next_booked_at())
    counts = {"visits": Count("pk"), "rebooked_visits": Count("pk", filter=Q(next_booked_at__lte=F("end")))}
    # Per practitioner only: each visit has one practitioner, so the total is these few counts added up (a
    # second pass over the visits for it would double the time).
    rows = visits.values("practitioner__display_name").annotate(**counts).order_by("practitioner__display_name")
    by_practitioner = [RebookingRow(r["practitioner__display_name"], r["visits"], r["rebooked_visits"]) for r in rows]
    total = RebookingRow(_("All"), sum(r.visits for r in by_practitioner), sum(r.rebooked for r in by_practitioner))
    return Rebooking(total=total, by_practitioner=by_practitioner)


def _seen(scope: Scope) -> QuerySet:
    seen = Appointment.objects.filter(status__in=ATTENDED)
    if scope.location_id:
        seen = seen.filter(room__location_id=scope.location_id)
    if scope.practitioner_id:
        seen = seen.filter(practitioner_id=scope.practitioner_id)
    return seen.order_by()


def _lapsed(scope: Scope, *, weeks: int, now: dt.datetime) -> QuerySet:
    """Patients seen (at the location, by the practitioner) whose last visit anywhere was more than `weeks` weeks
    before `now`, with nothing booked from `now` on. The date range does not apply: lapsing is measured today.
    Asked once per patient, not once per visit."""
    cutoff = now - dt.timedelta(weeks=weeks)
    of_patient = Appointment.objects.filter(patient_id=OuterRef("pk"))
    return Patient.objects.filter(pk__in=_seen(scope).values("patient_id")).filter(
        ~Exists(of_patient.filter(status__in=ATTENDED, start__gte=cutoff)),
        ~Exists(of_patient.filter(status__in=Appointment.ACTIVE_STATUSES, start__gte=now)),
    )


def lapsed_count(scope: Scope, *, weeks: int, now: dt.datetime) -> int:
    """How many patients have lapsed (an aggregate: names no one). One query."""
    return _lapsed(scope, weeks=weeks, now=now).count()


def lapsed_patients(scope: Scope, *, weeks: int, now: dt.datetime) -> list[dict]:
    """The lapsed patients with their last visit and number of visits (here), most recently seen first, and whether
    they are on the front desk's recall list (an accepted or active care plan: lapsed, such a patient has no
    future appointment, which puts them on it; `clinic.careplans.recalls`). One query: names patients, so the view
    audits the read."""
    if connection.vendor == "postgresql":
        # One grouped join over the patients' appointments: PostgreSQL read each patient's count as a subquery
        # through the patient index and the rows (52,000 blocks over a year), 240 ms against 50.
        here = Q(appointments__status__in=ATTENDED)
        if scope.location_id:
            here &= Q(appointments__room__location_id=scope.location_id)
        if scope.practitioner_id:
            here &= Q(appointments__practitioner_id=scope.practitioner_id)
        figures = {"last_visit": Max("appointments__start", filter=here), "visits": Count("appointments", filter=here)}
    else:
        # SQLite answers the subqueries per patient from the (patient, start) indexes faster than the join.
        seen_here = _seen(scope).filter(patient_id=OuterRef("pk"))
        visits = seen_here.values("patient_id").annotate(n=Count("pk")).values("n")
        figures = {
            "last_visit": Subquery(seen_here.order_by("-start").values("start")[:1]),
            "visits": Subquery(visits, output_field=IntegerField()),
        }
    return list(
        _lapsed(scope, weeks=weeks, now=now)
        .annotate(
            **figures,
            on_recall=Exists(CarePlan.objects.filter(patient_id=OuterRef("pk"), status__in=RECALL_STATES)),
        )
        .values("first_name", "last_name", "last_visit", "visits", "on_recall", patient_id=F("pk"))
        .order_by("-last_visit", "last_name", "first_name", "pk")
    )
