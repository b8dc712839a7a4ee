"""Who may see a care plan: the patient's staff (careplan.read) and the patient (or guardian) for their own."""

from __future__ import annotations

from django.http import Http404

from clinic.careplans import selectors
from clinic.models import CarePlan
from clinic.permissions import can, deny_object


def get_careplan_for_user(user, pk: int, action: str = "careplan.read") -> CarePlan:
    try:
        plan = selectors.careplan_detail(pk)
    except (CarePlan.DoesNotExist, ValueError, TypeError):
        raise Http404("No such care plan.") from None
    if not can(user, action, plan):
        deny_object(user, plan, action)
    return plan
