from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from clinic.client_ip import client_ip


def login_attempts_key(email: str) -> str:
    """One failure counter per account: the e-mail address tried, trimmed and lower-cased, and nothing else."""
    return "login:" + (email or "").strip().lower()


class ClinicAccountAdapter(DefaultAccountAdapter):
    """Sends every role to its own home after login (see clinic.views.home_for_role); audits lockouts."""

    def get_login_redirect_url(self, request):
        return reverse("clinic:home_for_role")

    def get_client_ip(self, request) -> str:
        # allauth's per-address rate limits and its sessions list use the same address as everything else.
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("The client's address is unknown (see CLINIC_TRUSTED_PROXY_COUNT).")
        return ip

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # allauth prefixes the site's domain, which without django.contrib.sites is the Host header with its
        # port: each host name or port a client sent would get a fresh counter for the same account.
        return login_attempts_key(str(credentials.get("email") or credentials.get("username") or ""))

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
