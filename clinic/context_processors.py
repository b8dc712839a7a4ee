from django.conf import settings

from clinic.permissions import ACTING_FOR, acting_patient, patient_of


def clinic(request):
    """Clinic name and contact for every page, and the child a guardian is acting for. (Which links a person
    sees is asked of the rules: `user|can:"action"`, clinic/templatetags/clinic_perms.py.)"""
    return {
        "CLINIC_NAME": settings.CLINIC_NAME,
        "CLINIC_PHONE": settings.CLINIC_PHONE,
        "CLINIC_EMAIL": settings.CLINIC_EMAIL,
        "acting_for": _acting_for(request),
    }


def _acting_for(request):
    """The child a guardian's account is booking and filling forms for (None when it is their own record): every
    page says so. No query unless a child was chosen."""
    session = getattr(request, "session", None)
    if session is None or session.get(ACTING_FOR) is None:
        return None
    chosen = acting_patient(request)
    own = patient_of(request.user)
    return chosen if chosen is not None and (own is None or chosen.pk != own.pk) else None
