"""The public API: free start times as JSON for the booking pages (no patient data)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from clinic import selectors as clinic_selectors
from clinic.audit import no_patient_data
from clinic.input_limits import FIRST_DAY, LAST_DAY, query_date
from clinic.permissions import can
from scheduling import availability, selectors


def _bad(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=400)


@no_patient_data
@require_safe
def availability_list(request: HttpRequest) -> JsonResponse:
    """Free start times as JSON for the booking pages (with `per=day`, how many on each day of the range, for
    a day picker). Public: no patient data. Staff also see types that are not bookable online."""
    slug = request.GET.get("type", "")
    appointment_type = selectors.appointment_type_by_slug(slug, online_only=not can(request.user, "schedule.manage"))
    if appointment_type is None:
        if slug:
            return _bad(_("Unknown appointment type “%(slug)s”.") % {"slug": slug[:60]})
        return _bad(_("Give an appointment type: ?type=<slug>."))
    raw_practitioner = request.GET.get("practitioner", "any")
    practitioner_ids = None
    if raw_practitioner != "any":
        if clinic_selectors.practitioner_active(raw_practitioner) is None:
            return _bad(_("Unknown practitioner: give a practitioner id or “any”."))
        practitioner_ids = [int(raw_practitioner)]
    first_day, problem = query_date(request.GET.get("start"), default=timezone.localdate())
    if problem:
        return _bad(
            _("Give the start date as YYYY-MM-DD, from %(first)s to %(last)s.")
            % {"first": FIRST_DAY.year, "last": LAST_DAY.year}
        )
    raw_days = request.GET.get("days", "7")
    if not raw_days.isdecimal() or not 1 <= int(raw_days) <= 62:
        return _bad(_("Give days as a whole number from 1 to 62."))
    per = request.GET.get("per", "")
    if per not in ("", "day"):
        return _bad(_("Give per=day for the number of free times on each day, or leave it out for the times."))
    slots = availability.find_slots(
        appointment_type=appointment_type,
        practitioner_ids=practitioner_ids,
        first_day=first_day,
        days=int(raw_days),
        one_per_start=practitioner_ids is None,
    )
    if per == "day":  # "which days have free times?" for a month, in one call
        return JsonResponse({"days": availability.free_per_day(slots, first_day=first_day, days=int(raw_days))})
    return JsonResponse([s.as_json() for s in slots], safe=False)
