"""The one way a service's refusal (a ValidationError or an app's subclass of it) reaches the page.

Every message is kept: on the form fields it names (or the form's top when the form has no such field), in
the messages framework for pages without a form, or as one sentence for JSON answers and nested refusals.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError

T = TypeVar("T")


def error_messages(exc: ValidationError) -> list[str]:
    """All of the refusal's messages, in order (a field-keyed error gives each field's messages in turn)."""
    return list(exc.messages)


def error_text(exc: ValidationError) -> str:
    """All of the refusal's messages as one text (JSON answers, a refusal quoted inside another)."""
    return " ".join(error_messages(exc))


def apply_error(form: forms.Form, exc: ValidationError) -> None:
    """Put the refusal on the form: each message on the field it names when the form has it, else at the top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error_messages(exc))


def message_error(request, exc: ValidationError) -> None:
    """Show the refusal on the next page through the messages framework, every message of it."""
    for text in error_messages(exc):
        messages.error(request, text)


def attempt(request, action: Callable[[], T], *, success: str | Callable[[T], str] = "") -> T | None:
    """Run one service call for a POST that has no form to show again, and say how it went on the next page.

    A refusal shows every message of it and answers None; otherwise `success` (a text, or a function of what the
    service answered) is shown and the service's answer is returned.
    """
    return _attempt(request, action, success, show=lambda exc: message_error(request, exc), refusal=ValidationError)


def attempt_form(
    request,
    form: forms.Form,
    action: Callable[[], T],
    *,
    success: str | Callable[[T], str] = "",
    refusal: type[ValidationError] = ValidationError,
) -> T | None:
    """Run one service call for a bound form, when the form is valid, and say how it went; answer what the service
    answered, or None when the form is not valid or the service refused (`refusal`, the class of error the page
    shows): every message of a refusal then stands on the form, on the fields it names, for the page to show again.
    """
    if not form.is_valid():
        return None
    return _attempt(request, action, success, show=lambda exc: apply_error(form, exc), refusal=refusal)


def _attempt(request, action, success, *, show, refusal):
    try:
        result = action()
    except refusal as exc:
        show(exc)
        return None
    text = success(result) if callable(success) else success
    if text:
        messages.success(request, text)
    return result
