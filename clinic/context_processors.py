from django.conf import settings

from clinic.permissions import roles_of


def clinic(request):
    """Clinic name and contact for every page, and the roles the navigation bar shows entries for."""
    return {
        "CLINIC_NAME": settings.CLINIC_NAME,
        "CLINIC_PHONE": settings.CLINIC_PHONE,
        "CLINIC_EMAIL": settings.CLINIC_EMAIL,
        "user_roles": roles_of(getattr(request, "user", None)),
    }
