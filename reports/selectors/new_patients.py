"""New patients: first visits per week, by how they were booked, and how many came back within 30 days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone

from reports.selectors.common import ATTENDED, Scope, _as_date, appointments_in
from scheduling.models import Appointment


@dataclass(frozen=True)
class NewPatientsRow:
    week: dt.date  # the Monday
    online: int
    front_desk: int
    returned: int  # came back for a second visit within 30 days of the first

    @property
    def total(self) -> int:
        return self.online + self.front_desk

    @property
    def returned_pct(self) -> float:
        return round(100 * self.returned / self.total, 1) if self.total else 0.0


def new_patients(scope: Scope) -> list[NewPatientsRow]:
    """First visits (the patient's first attended appointment ever) in the range, per week and by how they were
    booked, and how many of those patients came back within 30 days. One query."""
    attended = Appointment.objects.filter(patient_id=OuterRef("patient_id"), status__in=ATTENDED)
    zone = timezone.get_current_timezone()
    rows = (
        appointments_in(scope)
        .filter(status__in=ATTENDED)
        .annotate(
            earlier=Exists(attended.filter(start__lt=OuterRef("start"))),
            returned=Exists(
                attended.filter(start__gt=OuterRef("start"), start__lte=OuterRef("start") + dt.timedelta(days=30))
            ),
        )
        .filter(earlier=False)
        .annotate(week=TruncWeek("start", tzinfo=zone))
        .values("week")
        .annotate(
            online=Count("pk", filter=Q(source=Appointment.Source.ONLINE)),
            front_desk=Count("pk", filter=~Q(source=Appointment.Source.ONLINE)),
            came_back=Count("pk", filter=Q(returned=True)),
        )
        .order_by("week")
    )
    return [NewPatientsRow(_as_date(r["week"]), r["online"], r["front_desk"], r["came_back"]) for r in rows]
