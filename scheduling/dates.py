"""How a patient reads a day or a time: in the active language's words and order ("Friday 4 December 2026",
"viernes, 4 de diciembre de 2026"), in the clinic's time zone.

The formats are Django's date-filter letters, marked for translation so that each language orders the day,
the month and its little words its own way; the booking pages (the `patient_dates` filters), the e-mails'
subjects and the messages after booking all use these, never `strftime` (which writes English names whatever
the language).
"""

from __future__ import annotations

import datetime as dt

from django.utils import formats, timezone
from django.utils.translation import pgettext

# Translators: each of these is a date format for Django's date filter (l weekday, D short weekday, j day,
# d day with a leading zero, F month, M short month, b short month in lower case, Y year, H:i hour:minutes;
# a letter after a backslash is written as it is). Examples in English: Friday 4 December 2026.
# (The context is written out in each call: makemessages reads only literal strings.)


def _format(value: dt.date | dt.datetime | None, date_format: str) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, date_format)


def day_long(value) -> str:
    """Friday 4 December 2026."""
    # Translators: date format: Friday 4 December 2026.
    return _format(value, pgettext("date format", "l j F Y"))


def day_medium(value) -> str:
    """Friday 4 December."""
    # Translators: date format: Friday 4 December.
    return _format(value, pgettext("date format", "l j F"))


def day_short(value) -> str:
    """Fri 4 Dec."""
    # Translators: date format: Fri 4 Dec.
    return _format(value, pgettext("date format", "D j M"))


def day_short_padded(value) -> str:
    """Fri 04 Dec (the e-mails' subjects)."""
    # Translators: date format: Fri 04 Dec.
    return _format(value, pgettext("date format", "D d M"))


def day_year_time_padded(value) -> str:
    """Fri 04 Dec 2026 09:30 (a refusal that names a time)."""
    # Translators: date format: Fri 04 Dec 2026 09:30.
    return _format(value, pgettext("date format", "D d M Y H:i"))


def day_month(value) -> str:
    """4 Dec."""
    # Translators: date format: 4 Dec.
    return _format(value, pgettext("date format", "j M"))


def day_month_year_time(value) -> str:
    """4 Dec 2026, 09:30."""
    # Translators: date format: 4 Dec 2026, 09:30.
    return _format(value, pgettext("date format", "j M Y, H:i"))


def weekday_short(value) -> str:
    """Fri."""
    return _format(value, "D")


def clock(value) -> str:
    """09:30 (the clinic's zone; 24-hour in both languages)."""
    return _format(value, "H:i")
