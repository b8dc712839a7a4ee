"""The languages the site offers, the patient's choice of one, and where that choice is kept.

The active language of a request comes from, in order: the switch's cookie, the language stored on the record of
the signed-in patient (`PatientLanguageMiddleware`), the browser's Accept-Language, English. Whatever a request
or a form says, only a code of `settings.LANGUAGES` is ever activated or stored; anything else means English.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

OFFERED = frozenset(code for code, _name in settings.LANGUAGES)


def supported_language(code: str | None) -> str:
    """`code` when the site offers it (a regional variant such as es-MX counts as es), else the default."""
    if not code or len(code) > 20:
        return settings.LANGUAGE_CODE
    try:
        found = translation.get_supported_language_variant(code.strip().lower())
    except LookupError:
        return settings.LANGUAGE_CODE
    return found if found in OFFERED else settings.LANGUAGE_CODE


def remember_on(response, language: str) -> None:
    """Keep the choice in the browser (the same cookie Django's LocaleMiddleware reads)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=True,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
