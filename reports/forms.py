"""The filter every report shares: a date range (this week, last month or custom), a location, a practitioner."""

from __future__ import annotations

import datetime as dt

from django import forms

from reports import selectors

MAX_DAYS = 400


class ReportFilterForm(forms.Form):
    RANGES = [("this_week", "This week"), ("last_month", "Last month"), ("custom", "Custom dates")]

    range = forms.ChoiceField(choices=RANGES, required=False, initial="this_week")
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="From")
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="To")
    location = forms.ModelChoiceField(queryset=None, required=False, empty_label="All locations")
    practitioner = forms.ModelChoiceField(queryset=None, required=False, empty_label="All practitioners")

    def __init__(self, *args, today: dt.date, own_practitioner=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["location"].queryset = selectors.locations_for_filter()
        if own_practitioner is not None:
            # A practitioner sees their own figures only: the choice is made for them.
            del self.fields["practitioner"]
        else:
            self.fields["practitioner"].queryset = selectors.practitioners_for_filter()
        self.own_practitioner = own_practitioner

    def clean(self):
        data = super().clean()
        chosen = data.get("range") or "this_week"
        if chosen == "custom":
            start, end = data.get("start"), data.get("end")
            if start is None and "start" not in self.errors:
                self.add_error("start", "Choose the first day of the range.")
            if end is None and "end" not in self.errors:
                self.add_error("end", "Choose the last day of the range.")
            if start and end:
                if end < start:
                    self.add_error("end", "The last day comes before the first day.")
                elif (end - start).days >= MAX_DAYS:
                    self.add_error("end", f"Choose a range of at most {MAX_DAYS} days.")
        return data

    def scope(self) -> selectors.Scope:
        """The scope of a valid form (or of the default range when the form is not bound)."""
        data = self.cleaned_data if self.is_bound else {}
        chosen = data.get("range") or "this_week"
        if chosen == "custom":
            first, last = data["start"], data["end"]
        elif chosen == "last_month":
            last = self.today.replace(day=1) - dt.timedelta(days=1)
            first = last.replace(day=1)
        else:
            first = self.today - dt.timedelta(days=self.today.weekday())
            last = first + dt.timedelta(days=6)
        location = data.get("location")
        if self.own_practitioner is not None:
            practitioner_id = self.own_practitioner.pk
        else:
            practitioner = data.get("practitioner")
            practitioner_id = practitioner.pk if practitioner else None
        return selectors.Scope(first, last, location.pk if location else None, practitioner_id)


class RetentionFilterForm(ReportFilterForm):
    """The shared filter plus how many weeks without a visit make a patient lapsed."""

    weeks = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=104,
        initial=6,
        label="Lapsed after (weeks)",
        widget=forms.NumberInput(attrs={"placeholder": "6"}),
        error_messages={
            "min_value": "Choose at least 1 week.",
            "max_value": "Choose at most 104 weeks (two years).",
            "invalid": "Give a whole number of weeks.",
        },
    )

    def lapsed_weeks(self) -> int:
        data = self.cleaned_data if self.is_bound else {}
        return data.get("weeks") or 6
