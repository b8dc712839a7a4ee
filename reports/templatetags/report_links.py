"""The reports' menu keeps the range and filters chosen: going from one report to the next shows the same
weeks, location and practitioner instead of falling back to this week for everyone."""

from django import template
from django.http import QueryDict

from reports.forms import ReportFilterForm

register = template.Library()

SHARED = tuple(ReportFilterForm.base_fields)  # range, start, end, location, practitioner


@register.simple_tag(takes_context=True)
def report_filters(context) -> str:
    """The query string ("?range=...") of the shared filters on this request, or "" when none is chosen."""
    request = context.get("request")
    if request is None:
        return ""
    kept = QueryDict(mutable=True)
    for name in SHARED:
        value = request.GET.get(name, "")
        if value:
            kept[name] = value
    return f"?{kept.urlencode()}" if kept else ""
