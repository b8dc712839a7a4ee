"""The filter every report shares: a date range (this week, last month or custom), a location, a practitioner."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from reports import selectors

MAX_DAYS = 400


class ReportFilterForm(forms.Form):
    RANGES = [("this_week", _("This week")), ("last_month", _("Last month")), ("custom", _("Custom dates"))]

    range = forms.ChoiceField(choices=RANGES, required=False, initial="this_week", label=_("Range"))
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label=_("From"))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label=_("To"))
    location = forms.ModelChoiceField(
        queryset=None, required=False, empty_label=_("All locations"), label=_("Location")
    )
    practitioner = forms.ModelChoiceField(
        queryset=None, required=False, empty_label=_("All practitioners"), label=_("Practitioner")
    )

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
                self.add_error("start", gettext("Choose the first day of the range."))
            if end is None and "end" not in self.errors:
                self.add_error("end", gettext("Choose the last day of the range."))
            if start and end:
                if end < start:
                    self.add_error("end", gettext("The last day comes before the first day."))
                elif (end - start).days >= MAX_DAYS:
                    self.add_error(
                        "end",
                        ngettext(
                            "Choose a range of at most %(days)d day.",
                            "Choose a range of at most %(days)d days.",
                            MAX_DAYS,
                        )
                        % {"days": MAX_DAYS},
                    )
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
        label=_("Lapsed after (weeks)"),
        widget=forms.NumberInput(attrs={"placeholder": "6"}),
        error_messages={
            "min_value": _("Choose at least 1 week."),
            "max_value": _("Choose at most 104 weeks (two years)."),
            "invalid": _("Give a whole number of weeks."),
        },
    )

    def lapsed_weeks(self) -> int:
        data = self.cleaned_data if self.is_bound else {}
        return data.get("weeks") or 6
