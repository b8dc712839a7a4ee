"""Session limits, the staff two-factor gate, security headers and the NUL-byte refusal, for every view.

`SessionLimitsMiddleware` ends a staff session after CLINIC_STAFF_IDLE_MINUTES without a request and any
session CLINIC_SESSION_MAX_HOURS after login. `StaffTwoFactorMiddleware` sends a staff user who has no TOTP
authenticator to allauth's TOTP set-up page before any other page is served. `PrivatePagesMiddleware` marks
every page served to a logged-in user as not to be stored by browsers or proxies.

Both keep their state in the session (set at login by clinic.signals), so an ordinary request costs no
extra query: the idle clock is written at most once a minute.
"""

from __future__ import annotations

import time

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django_htmx.http import HttpResponseClientRedirect

from clinic.languages import remember_on, supported_language
from clinic.permissions import STAFF_ROLES, has_role, stored_language_of

LOGIN_AT = "clinic.login_at"
SEEN_AT = "clinic.seen_at"
MFA_OK = "clinic.mfa_ok"
# The idle clock moves in steps of this many seconds, so a busy user's session is not rewritten on every
# request; a session may therefore end up to this much earlier than the idle limit, never later.
SEEN_AT_STEP = 60


def needs_two_factor(user) -> bool:
    """Staff (any staff role, or a Django staff/superuser flag) must use TOTP; patients may choose."""
    return bool(user.is_staff or user.is_superuser or has_role(user, *STAFF_ROLES))


def start_session_clocks(request, user) -> None:
    """Called at login: the absolute and idle clocks start now; the TOTP state is looked up once."""
    now = time.time()
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now
    request.session[MFA_OK] = Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


def _end_session(request, reason: str, message: str):
    request.clinic_logout_reason = reason
    path = request.get_full_path()
    logout(request)
    messages.info(request, message)
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(redirect_to_login(path)["Location"])
    return redirect_to_login(path)


class SessionLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response = self._check(request, user)
            if response is not None:
                return response
        return self.get_response(request)

    def _check(self, request, user):
        session = request.session
        now = time.time()
        login_at = session.get(LOGIN_AT)
        if login_at is None:  # a session older than this middleware: its clocks start now
            session[LOGIN_AT] = login_at = now
        max_seconds = settings.CLINIC_SESSION_MAX_HOURS * 3600
        if now - login_at > max_seconds:
            return _end_session(
                request,
                f"session older than {settings.CLINIC_SESSION_MAX_HOURS} hours",
                f"For safety every session ends after {settings.CLINIC_SESSION_MAX_HOURS} hours. Please log in again.",
            )
        if not needs_two_factor(user):
            return None
        seen_at = session.get(SEEN_AT)
        idle_seconds = settings.CLINIC_STAFF_IDLE_MINUTES * 60
        if seen_at is not None and now - seen_at > idle_seconds:
            return _end_session(
                request,
                f"idle for more than {settings.CLINIC_STAFF_IDLE_MINUTES} minutes",
                f"You were logged out after {settings.CLINIC_STAFF_IDLE_MINUTES} minutes without activity.",
            )
        if seen_at is None or now - seen_at >= SEEN_AT_STEP:
            session[SEEN_AT] = now
        return None


# URL names an un-enrolled staff user may still reach: setting up TOTP, confirming the password for it,
# logging out, and the health check. Everything else (any page that could show patient data) waits.
TWO_FACTOR_OPEN_URL_NAMES = frozenset(
    {
        "account_logout",
        "account_reauthenticate",
        "account_login",
        "account_change_password",
        "healthz",
    }
)


class StaffTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not needs_two_factor(user):
            return None
        if request.session.get(MFA_OK):
            return None
        match = request.resolver_match
        name = match.url_name if match else None
        if name and (name.startswith("mfa_") or name in TWO_FACTOR_OPEN_URL_NAMES):
            return None
        if Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists():
            request.session[MFA_OK] = True
            return None
        messages.warning(
            request,
            "Staff accounts need two-factor authentication. Set up an authenticator app to continue.",
            fail_silently=True,
        )
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(reverse("mfa_activate_totp"))
        return redirect("mfa_activate_totp")


class PrivatePagesMiddleware:
    """Pages served to a logged-in user are never stored by the browser or a proxy.

    A shared front-desk computer must not show a patient's page from the cache (the Back button) after
    logout. Responses that set their own Cache-Control are left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response


class SecurityHeadersMiddleware:
    """Headers Django does not set itself: no camera, microphone, location or payment API for any page (nothing
    here needs them, so a script that slipped in cannot ask for them), and no page or file of ours embedded by
    another site (Cross-Origin-Resource-Policy). Cross-Origin-Opener-Policy comes from SecurityMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.CLINIC_PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


NUL_REFUSED = (
    "The request contained a NUL character (%00), which no name, date or note can hold. "
    "Remove it (or go back and type the value again) and try again."
)
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _contains_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in data.lists())


class RefuseNulBytesMiddleware:
    """One place for NUL bytes: a path, query value or form field holding one gets a 400 page that says so.

    PostgreSQL cannot store a NUL in text and SQLite cuts strings at it, so every view would otherwise meet a
    database error (a 500) wherever such a value reaches a query, a lookup or a save.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            return render(request, "errors/400.html", {"reason": NUL_REFUSED}, status=400)
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if "\x00" in request.path or _contains_nul(request.GET):
            return True
        return request.method == "POST" and request.content_type in FORM_CONTENT_TYPES and _contains_nul(request.POST)


class PatientLanguageMiddleware:
    """A signed-in patient whose browser has no language cookie yet (a new phone, a cleared browser) gets the
    language stored on their record, and the cookie, so the next pages need no look-up. The look-up rides on the
    roles' query (`clinic.permissions.stored_language_of`); staff and visitors are left to LocaleMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        stored = None
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            stored = stored_language_of(request.user)
            if stored:
                stored = supported_language(stored)
                translation.activate(stored)
                request.LANGUAGE_CODE = stored
        response = self.get_response(request)
        if stored and settings.LANGUAGE_COOKIE_NAME not in response.cookies:  # the switch's answer sets its own
            remember_on(response, stored)
        return response
