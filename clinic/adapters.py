from types import SimpleNamespace
from urllib.parse import quote, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from clinic.client_ip import client_ip
from clinic.middleware import needs_two_factor
from clinic.models import AuditEvent
from clinic.services import audit_record


def login_attempts_key(email: str) -> str:
    """One failure counter per account: the e-mail address tried, trimmed and lower-cased, and nothing else."""
    return "login:" + (email or "").strip().lower()


def site_url(path: str) -> str:
    """An absolute link for an e-mail: always CLINIC_SITE_URL, never the Host header of the request that sent it."""
    return settings.CLINIC_SITE_URL + path


class ClinicAccountAdapter(DefaultAccountAdapter):
    """Sends every role to its own home after login (see clinic.views.home_for_role); audits lockouts.

    allauth builds the links and the site name in its e-mails from the request (the Host header, port and all):
    a forged Host would put a foreign address in a password-reset e-mail. Here they come from CLINIC_SITE_URL.
    """

    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return site_url(path.replace("UID-KEY", quote(key)))

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return site_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        context = {
            **context,
            # Every e-mail in the clinic's name, with its contact details (templates/account/email/).
            "clinic_name": settings.CLINIC_NAME,
            "clinic_phone": settings.CLINIC_PHONE,
            "clinic_email": settings.CLINIC_EMAIL,
            "clinic_site_url": settings.CLINIC_SITE_URL,
            "current_site": SimpleNamespace(
                name=settings.CLINIC_NAME, domain=urlsplit(settings.CLINIC_SITE_URL).netloc
            ),
        }
        # The "no account with this address" and "account already exists" e-mails link to these pages.
        if "signup_url" in context:
            context["signup_url"] = site_url(reverse("account_signup"))
        if "password_reset_url" in context and template_prefix != "account/email/password_reset_key":
            context["password_reset_url"] = site_url(reverse("account_reset_password"))
        super().send_mail(template_prefix, email, context)

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
        if authenticator.type == Authenticator.Type.TOTP and needs_two_factor(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)
