"""Who looks after a patient, for the core and other apps (`clinic.apphooks.practitioner_for`)."""

from __future__ import annotations

from django.utils import timezone

from clinic.models import Patient, Practitioner
from scheduling.models import Appointment


def practitioner_for(patient: Patient) -> Practitioner | None:
    """The practitioner of the patient's next booked visit, else of their latest visit; None if they have none."""
    visits = Appointment.objects.filter(patient=patient, status__in=Appointment.ACTIVE_STATUSES).select_related(
        "practitioner__user"
    )
    upcoming = visits.filter(start__gte=timezone.now()).order_by("start").first()
    latest = upcoming or visits.filter(start__lt=timezone.now()).order_by("-start").first()
    return latest.practitioner if latest else None
