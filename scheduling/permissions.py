"""Object-level access to appointments: staff who manage the schedule see all; a patient only their own
(and a guardian their linked children's)."""

from __future__ import annotations

from django.http import Http404

from clinic import selectors as clinic_selectors
from clinic.permissions import can, deny_object, family_patient_ids, practitioner_of
from scheduling import selectors
from scheduling.models import Appointment


def get_appointment_for_user(user, pk: int) -> Appointment:
    """The appointment `pk` if `user` may see it; 404 otherwise (never reveals that the row exists)."""
    try:
        appointment = selectors.appointment_detail(pk)
    except (Appointment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such appointment.") from None
    if can(user, "schedule.manage"):
        return appointment
    if appointment.patient_id in family_patient_ids(user):  # their own, or a linked child's
        return appointment
    deny_object(user, appointment, "appointment.view")


def practitioners_blockable_by(user):
    """Whose calendar `user` may block time in: the desk anyone's, a practitioner only their own."""
    practitioners = clinic_selectors.practitioners_active()
    if can(user, "schedule.block_anyone"):
        return practitioners
    own = practitioner_of(user)
    return practitioners.filter(pk=own.pk) if own is not None else practitioners.none()
