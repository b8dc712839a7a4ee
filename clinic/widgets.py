"""Form parts every app's forms share (the core's own forms and views stay private to the core)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _


class KeepsWhatWasTyped:
    """A date, time or number input that gives back exactly what was typed when it is not one.

    Browsers empty an `<input type="date">` (or time, or number) whose value they cannot read, so a refused
    "2027-02-30" or "three" would come back blank beside a banner saying everything typed is kept. When the
    value is not one the input type can hold, the input is drawn as text, with the value and a hint of the
    form expected; the field's error says what is wrong."""

    hint = ""

    @staticmethod
    def readable(value: str) -> bool:
        raise NotImplementedError

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if isinstance(value, str) and value.strip() and not self.readable(value.strip()):
            context["widget"]["type"] = "text"
            context["widget"]["attrs"].setdefault("placeholder", self.hint)
        return context


def _parses(parse):
    def readable(value: str) -> bool:
        try:
            parse(value)
        except (ValueError, OverflowError):
            return False
        return True

    return staticmethod(readable)


class DateInput(KeepsWhatWasTyped, forms.DateInput):
    """The browser's date picker; the value travels as YYYY-MM-DD."""

    input_type = "date"
    hint = "YYYY-MM-DD"
    readable = _parses(dt.date.fromisoformat)

    def __init__(self, **kwargs):
        # Always ISO: the browser's date box reads nothing else, whatever the page's language (15/06/1985 in
        # Spanish would show an empty box).
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(**kwargs)


class DateTimeLocalInput(KeepsWhatWasTyped, forms.DateTimeInput):
    input_type = "datetime-local"
    hint = "YYYY-MM-DD HH:MM"
    readable = _parses(dt.datetime.fromisoformat)

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class TimeInput(KeepsWhatWasTyped, forms.TimeInput):
    input_type = "time"
    hint = "HH:MM"
    readable = _parses(dt.time.fromisoformat)

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class NumberInput(KeepsWhatWasTyped, forms.NumberInput):
    hint = "a number, in figures"
    readable = _parses(float)


class PatientSearchForm(forms.Form):
    """The search box of the patient picker (front desk booking, series, waitlist, patient search)."""

    q = forms.CharField(
        label=_("Find a patient"),
        max_length=100,
        required=False,
        help_text=_("Name, date of birth (YYYY-MM-DD) or phone."),
    )
