"""The one place that says which dates and ids the clinic's pages accept from a URL or a form.

A date typed into a URL (`?date=`, `?from=`) or a form can be anything from 0001-01-01 to 9999-12-31, and a
day after 9999-12-31 cannot be computed at all: the calendar's week, the booking's end, a series' last visit
would fail. Dates outside FIRST_DAY..LAST_DAY are therefore refused where they come in, with a message that
names the range, and a date that is not a date at all is said to be not understood (the page then shows
today). Ids past 64 bits name no row in any database.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext, pgettext

from clinic.widgets import NumberInput

FIRST_DAY = dt.date(1900, 1, 1)  # the oldest date of birth we take
LAST_DAY = dt.date(2199, 12, 31)  # far beyond any booking, well before the end of the calendar
MAX_ID = 2**63 - 1


def _day(day: dt.date) -> str:
    # Translators: date format: 04 Dec 2026.
    return formats.date_format(day, pgettext("date format", "d M Y"))


def _long_day(day: dt.date) -> str:
    # Translators: date format: Friday 04 December 2026.
    return formats.date_format(day, pgettext("date format", "l d F Y"))


def out_of_range_message(day: dt.date) -> str:
    return gettext("%(day)s is outside the dates the clinic's calendar holds (%(first)s to %(last)s).") % {
        "day": _day(day),
        "first": FIRST_DAY.year,
        "last": LAST_DAY.year,
    }


def check_day(day: dt.date | dt.datetime | None) -> None:
    """Refuse a date (or the date of a date-time) outside FIRST_DAY..LAST_DAY (a form field's validator)."""
    if day is None:
        return
    value = day.date() if isinstance(day, dt.datetime) else day
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValidationError(out_of_range_message(value), code="date_out_of_range")


def query_date(raw: str | None, *, default: dt.date) -> tuple[dt.date, str]:
    """A date from a URL parameter, and what to tell the person when it could not be used ("" when it was).

    Empty: the default, silently. Not a date, or outside the range: the default, with a message saying so."""
    raw = (raw or "").strip()
    if not raw:
        return default, ""
    shown = raw[:30]
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        return (
            default,
            gettext("“%(shown)s” is not a date we understand (write it as YYYY-MM-DD): showing %(default)s.")
            % {"shown": shown, "default": _long_day(default)},
        )
    if not FIRST_DAY <= day <= LAST_DAY:
        return default, gettext("%(problem)s Showing %(default)s.") % {
            "problem": out_of_range_message(day),
            "default": _long_day(default),
        }
    return day, ""


class BoundedFormMixin:
    """Put in a form's bases: every date and date-time field refuses dates outside FIRST_DAY..LAST_DAY next to
    the field, and every model choice refuses an id no database column can hold (it names no row)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # the form's own copies: base_fields stay untouched
            if isinstance(field, forms.DateField | forms.DateTimeField) and check_day not in field.validators:
                field.validators.append(check_day)
            if isinstance(field, forms.ModelMultipleChoiceField):
                field.clean = _bounded_ids(field.clean, field)
            if type(field.widget) is forms.NumberInput:  # a number typed as words comes back as typed
                field.widget = NumberInput(attrs=field.widget.attrs)


def _bounded_ids(clean, field):
    def wrapped(value):
        for item in value or []:
            text = str(item).strip()
            if text.lstrip("-").isdigit() and abs(int(text)) > MAX_ID:
                raise ValidationError(
                    field.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": text[:20]}
                )
        return clean(value)

    return wrapped
