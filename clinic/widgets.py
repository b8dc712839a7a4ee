"""Form parts every app's forms share (the core's own forms and views stay private to the core)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import NamedTuple

from django import forms
from django.utils.translation import gettext_lazy as _


class Reads(NamedTuple):
    """What a browser's input box reads: the `hint` shown when a typed value is not that, the `format` its value
    is written in whatever the page's language (None: the widget's own), and `parse`, which refuses anything else
    with ValueError or OverflowError."""

    hint: str
    format: str | None
    parse: Callable[[str], object]


class KeepsWhatWasTyped:
    """A date, time or number input that gives back exactly what was typed when it is not one.

    Browsers empty an `<input type="date">` (or time, or number) whose value they cannot read, so a refused
    "2027-02-30" or "three" would come back blank beside a banner saying everything typed is kept. When the
    value is not one the input type can hold, the input is drawn as text, with the value and a hint of the
    form expected; the field's error says what is wrong."""

    reads: Reads

    def __init__(self, attrs=None, **kwargs):
        # Always the browser's format: its date box reads nothing else (15/06/1985 in Spanish would show it empty).
        if self.reads.format:
            kwargs.setdefault("format", self.reads.format)
        super().__init__(attrs, **kwargs)

    def readable(self, value: str) -> bool:
        try:
            self.reads.parse(value)
        except (ValueError, OverflowError):
            return False
        return True

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if isinstance(value, str) and value.strip() and not self.readable(value.strip()):
            context["widget"]["type"] = "text"
            context["widget"]["attrs"].setdefault("placeholder", self.reads.hint)
        return context


class DateInput(KeepsWhatWasTyped, forms.DateInput):
    """The browser's date picker; the value travels as YYYY-MM-DD."""

    input_type = "date"
    reads = Reads("YYYY-MM-DD", "%Y-%m-%d", dt.date.fromisoformat)


class DateTimeLocalInput(KeepsWhatWasTyped, forms.DateTimeInput):
    input_type = "datetime-local"
    reads = Reads("YYYY-MM-DD HH:MM", "%Y-%m-%dT%H:%M", dt.datetime.fromisoformat)


class TimeInput(KeepsWhatWasTyped, forms.TimeInput):
    input_type = "time"
    reads = Reads("HH:MM", "%H:%M", dt.time.fromisoformat)


class NumberInput(KeepsWhatWasTyped, forms.NumberInput):
    reads = Reads("a number, in figures", None, float)


class PatientSearchForm(forms.Form):
    """The search box of the patient picker (front desk booking, series, waitlist, patient search)."""

    q = forms.CharField(
        label=_("Find a patient"),
        max_length=100,
        required=False,
        help_text=_("Name, date of birth (YYYY-MM-DD) or phone."),
    )
