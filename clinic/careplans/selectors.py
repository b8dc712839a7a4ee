"""Reads of care plans (a constant number of queries whatever the number of plans or versions)."""

from __future__ import annotations

from clinic.models import CarePlan
from clinic.models.careplans import CURRENT_STATES


def careplan_detail(pk: int) -> CarePlan:
    return CarePlan.objects.select_related("patient", "practitioner", "accepted_by", "created_by").get(pk=pk)


def careplans_of_patient(patient) -> list[CarePlan]:
    """Every plan and version of the patient, newest first."""
    return list(CarePlan.objects.filter(patient=patient).select_related("practitioner").order_by("-created_at", "-pk"))


def careplan_versions(plan: CarePlan) -> list[CarePlan]:
    return list(CarePlan.objects.filter(lineage=plan.lineage).select_related("practitioner").order_by("-version"))


def careplan_current(patient) -> CarePlan | None:
    """The patient's current plan (proposed, accepted or active), if any."""
    return CarePlan.objects.filter(patient=patient, status__in=CURRENT_STATES).select_related("practitioner").first()
