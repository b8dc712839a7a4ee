"""A TOTP code is accepted once: it stays used for as long as it could be accepted at all.

With MFA_TOTP_TOLERANCE = t, a code is accepted from the start of the period t steps before its own to the
end of the period t steps after it: (2t + 1) periods. allauth remembers a used code for one period only, so
with t = 1 a code seen over a shoulder (or typed on a shared front-desk computer) could be used again up to a
minute later. Here a code is recorded in the shared cache for the whole window, whatever the tolerance, so
every app server refuses the second use. allauth's MFA_FORMS setting plugs these forms into its login and
re-authentication steps.
"""

from __future__ import annotations

from allauth.core.internal.cryptokit import normalize_user_code
from allauth.mfa import app_settings
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.models import Authenticator
from django import forms
from django.core.cache import cache

REPLAYED = "That code has been used already. Wait for your authenticator app to show a new code and enter that one."


def totp_code_lifetime_seconds() -> int:
    """How long any one code can be accepted for, from the earliest moment it is accepted."""
    return (2 * app_settings.TOTP_TOLERANCE + 1) * app_settings.TOTP_PERIOD


def _used_key(user_id: int, code: str) -> str:
    return f"clinic:totp-used:{user_id}:{normalize_user_code(code)}"


def totp_code_claim(*, user_id: int, code: str) -> bool:
    """Record that this user's code has been used; False when it had been used already (a replay)."""
    return cache.add(_used_key(user_id, code), True, timeout=totp_code_lifetime_seconds())


def totp_code_was_used(*, user_id: int, code: str) -> bool:
    return cache.get(_used_key(user_id, code)) is not None


class _OnceOnly:
    def clean_code(self) -> str:
        # Asked first so that a replay is named as such (allauth would call it an incorrect code for a while).
        if totp_code_was_used(user_id=self.user.pk, code=self.cleaned_data["code"]):
            self._refuse_replay()
        code = super().clean_code()  # allauth checks the code against the user's authenticators
        if self.authenticator.type == Authenticator.Type.TOTP and not totp_code_claim(user_id=self.user.pk, code=code):
            self._refuse_replay()  # two requests with the same code at once: the second one loses
        return code

    def _refuse_replay(self):
        authenticator = Authenticator.objects.filter(user=self.user, type=Authenticator.Type.TOTP).first()
        if authenticator is not None:
            self._emit_authentication_failed(authenticator)
        raise forms.ValidationError(REPLAYED, code="totp_replayed")


class OnceOnlyAuthenticateForm(_OnceOnly, AuthenticateForm):
    """The second login step (after the password)."""


class OnceOnlyReauthenticateForm(_OnceOnly, ReauthenticateForm):
    """Confirming a sensitive change with a code instead of the password."""
