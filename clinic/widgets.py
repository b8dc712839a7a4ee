"""Form parts every app's forms share (the core's own forms and views stay private to the core)."""

from __future__ import annotations

from django import forms


class DateInput(forms.DateInput):
    """The browser's date picker; the value travels as YYYY-MM-DD."""

    input_type = "date"


class PatientSearchForm(forms.Form):
    """The search box of the patient picker (front desk booking, series, waitlist, patient search)."""

    q = forms.CharField(
        label="Find a patient",
        max_length=100,
        required=False,
        help_text="Name, date of birth (YYYY-MM-DD) or phone.",
    )
