"""Care plans: plans started, completed and discontinued, and visits attended per ended plan."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from clinic.models import CarePlan
from clinic.models.careplans import CarePlanStatus
from reports.selectors.common import Scope, _bounds
from scheduling.models import Appointment


@dataclass(frozen=True)
class CarePlanRow:
    label: str
    started: int  # plans first accepted by the patient in the range (a revision is the same plan)
    completed: int  # plans marked completed in the range
    discontinued: int  # plans discontinued in the range
    visits: int  # visits attended during the plans that ended (completed or discontinued) in the range

    @property
    def ended(self) -> int:
        return self.completed + self.discontinued

    @property
    def avg_visits(self) -> float:
        return round(self.visits / self.ended, 1) if self.ended else 0.0

    @property
    def completed_pct(self) -> float:
        return round(100 * self.completed / self.ended, 1) if self.ended else 0.0


@dataclass(frozen=True)
class CarePlans:
    total: CarePlanRow
    by_practitioner: list[CarePlanRow]


def careplans(scope: Scope) -> CarePlans:
    """Plans started, completed and discontinued in the range, and visits attended per ended plan. One query.

    Started: the plan's first acceptance by the patient (any earlier-accepted version of the same lineage makes a
    later acceptance a revision, not a start). Ended: a completed or discontinued plan's last change (`updated_at`:
    such a plan can no longer change). Visits attended: the patient's completed appointments from the plan's first
    version to its end. A location counts a plan when the patient had a visit there during it."""
    start, end = _bounds(scope)
    plans = CarePlan.objects.all()
    if scope.practitioner_id:
        plans = plans.filter(practitioner_id=scope.practitioner_id)
    began = Subquery(CarePlan.objects.filter(pk=OuterRef("lineage")).values("created_at")[:1])
    plans = plans.annotate(began=Coalesce(began, F("created_at")))
    if scope.location_id:
        at_location = Appointment.objects.filter(
            patient_id=OuterRef("patient_id"), room__location_id=scope.location_id, start__gte=OuterRef("began")
        )
        plans = plans.filter(Exists(at_location))
    accepted_before = CarePlan.objects.filter(lineage=OuterRef("lineage"), accepted_at__lt=OuterRef("accepted_at"))
    started = Q(accepted_at__gte=start, accepted_at__lt=end, accepted_before=False)
    ended_in_range = Q(updated_at__gte=start, updated_at__lt=end)
    completed = Q(status=CarePlanStatus.COMPLETED) & ended_in_range
    discontinued = Q(status=CarePlanStatus.DISCONTINUED) & ended_in_range
    visits = (
        Appointment.objects.filter(
            patient_id=OuterRef("patient_id"),
            status=Appointment.Status.COMPLETED,
            start__gte=OuterRef("began"),
            start__lte=OuterRef("updated_at"),
        )
        .order_by()
        .values("patient_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    plans = plans.annotate(accepted_before=Exists(accepted_before)).filter(started | completed | discontinued)
    plans = plans.annotate(visits=Coalesce(Subquery(visits, output_field=IntegerField()), 0))
    counts = {
        "started": Count("pk", filter=started),
        "completed": Count("pk", filter=completed),
        "discontinued": Count("pk", filter=discontinued),
        "visits": Coalesce(Sum("visits", filter=completed | discontinued), 0),
    }
    # Per practitioner only: each plan has one practitioner, so the total is these few rows added up (a second
    # pass over the plans for it would double the time).
    name = "practitioner__display_name"
    rows = plans.order_by().values(name).annotate(**counts).order_by(name)
    by_practitioner = [CarePlanRow(r[name], r["started"], r["completed"], r["discontinued"], r["visits"]) for r in rows]
    fields = ("started", "completed", "discontinued", "visits")
    total = CarePlanRow(_("All"), *(sum(getattr(r, f) for r in by_practitioner) for f in fields))
    return CarePlans(total=total, by_practitioner=by_practitioner)
