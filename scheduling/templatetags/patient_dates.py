"""Days and times as a patient reads them, in the active language: `{{ start|day_long }}` (scheduling.dates)."""

from django import template

from scheduling import dates

register = template.Library()

NAMES = ("day_long", "day_medium", "day_short", "day_short_padded", "day_month", "day_month_year_time", "clock")
for _name in (*NAMES, "weekday_short"):
    register.filter(_name, getattr(dates, _name), expects_localtime=True)
