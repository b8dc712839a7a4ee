from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.urls import reverse


class ClinicAccountAdapter(DefaultAccountAdapter):
    """Sends every role to its own home after login (see clinic.views.home_for_role); audits lockouts."""

    def get_login_redirect_url(self, request):
        return reverse("clinic:home_for_role")

    def pre_authenticate(self, request, **credentials):
        # allauth refuses the attempt (before checking the password) once the failure counters in
        # ACCOUNT_RATE_LIMITS["login_failed"] are full; the same answer whether the account exists or not.
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            from clinic.models import AuditEvent
            from clinic.services import audit_record

            tried = str(credentials.get("email") or credentials.get("username") or "")
            audit_record(
                action=AuditEvent.Action.LOCKOUT,
                request=request,
                detail=f"login refused after too many failures; tried: {tried[:200]}",
            )
            raise


class ClinicMFAAdapter(DefaultMFAAdapter):
    """Staff must keep their TOTP authenticator: removing it would reopen patient data to a password alone."""

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        from clinic.middleware import needs_two_factor

        if authenticator.type == Authenticator.Type.TOTP and needs_two_factor(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)
