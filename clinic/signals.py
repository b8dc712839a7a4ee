"""Login, logout and failed-login events go to the audit trail (Django's auth signals are the only hook).

A login also starts the session clocks that clinic.middleware enforces (idle and absolute limits).
"""

from allauth.mfa.signals import authentication_failed
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from clinic.middleware import start_session_clocks
from clinic.services import audit_record


def on_logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        start_session_clocks(request, user)
    audit_record(actor=user, action="login", request=request)


def on_logged_out(sender, request, user, **kwargs):
    if user is not None:
        reason = getattr(request, "clinic_logout_reason", "") if request is not None else ""
        audit_record(actor=user, action="logout", request=request, detail=reason)


def on_login_failed(sender, credentials, request=None, **kwargs):
    # The e-mail tried is kept in the detail, not as the actor: the account may not exist.
    tried = str(credentials.get("email") or credentials.get("username") or credentials.get("login") or "")
    audit_record(action="login_failed", request=request, detail=f"login tried: {tried[:200]}")


def on_two_factor_failed(sender, request=None, user=None, **kwargs):
    # A wrong TOTP or recovery code: the password was right, so the account is known.
    audit_record(
        action="login_failed",
        request=request,
        detail=f"wrong two-factor code for {getattr(user, 'email', '')}"[:300],
    )


def connect():
    authentication_failed.connect(on_two_factor_failed, dispatch_uid="clinic.audit.two_factor_failed")
    user_logged_in.connect(on_logged_in, dispatch_uid="clinic.audit.login")
    user_logged_out.connect(on_logged_out, dispatch_uid="clinic.audit.logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="clinic.audit.login_failed")
