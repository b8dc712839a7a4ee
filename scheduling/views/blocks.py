"""Blocking time (time off, meetings, extra hours) from the day view, and the booked appointments a block then
overlaps, listed to be moved."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_http_methods

from clinic.audit import audit_read, no_patient_data, reads_page
from clinic.domain_errors import attempt_form
from clinic.permissions import practitioner_of, rule_required
from scheduling import selectors, services
from scheduling.forms import TimeBlockForm
from scheduling.permissions import practitioners_blockable_by

# The block form's fields that `services.time_block_add` takes as they are (its date is the first date).
BLOCK_FIELDS = ("practitioner", "kind", "start_time", "end_time", "location", "reason", "weeks")


@no_patient_data
@rule_required("schedule.block")
@require_http_methods(["GET", "HEAD", "POST"])
def time_block_add(request: HttpRequest) -> HttpResponse:
    """Block time in a practitioner's calendar (the day view links here per column, with ?practitioner=&date=).

    Saved at once; booked appointments under the block are then listed to be moved on `time_block_saved`
    (see services.blocks), else back to the day."""
    practitioners = practitioners_blockable_by(request.user)
    initial = {"date": request.GET.get("date") or timezone.localdate(), "weeks": 1}
    if request.GET.get("practitioner"):
        initial["practitioner"] = request.GET["practitioner"]
    elif practitioner_of(request.user) is not None:
        initial["practitioner"] = practitioner_of(request.user).pk
    form = TimeBlockForm(
        request.POST if request.method == "POST" else None, initial=initial, practitioners=practitioners
    )
    if request.method == "POST":
        result = attempt_form(
            request,
            form,
            lambda: services.time_block_add(
                **{name: form.cleaned_data[name] for name in BLOCK_FIELDS},
                first_date=form.cleaned_data["date"],
                actor=request.user,
                request=request,
            ),
            success=_saved_text,
        )
        if result is not None:
            if not result.overlapping:
                return redirect(_day_url(form.cleaned_data["date"]))
            ids = ",".join(str(b.pk) for b in result.blocks)
            return redirect(f"{reverse('scheduling:time_block_saved')}?{urlencode({'blocks': ids})}")
    return render(request, "scheduling/time_block_form.html", {"form": form}, status=400 if form.errors else 200)


@reads_page("schedule.block")
def time_block_saved(request: HttpRequest) -> HttpResponse:
    """The booked appointments under blocks just saved (`?blocks=1,2`), with links to move them; the list is
    read again on every visit, so one moved meanwhile leaves it."""
    raw = request.GET.get("blocks", "").split(",")
    ids = [int(part) for part in raw if part.strip().isdigit()][: services.blocks.MAX_WEEKS]
    blocks = [b for b in selectors.time_blocks_by_ids(ids) if services.may_block_for(request.user, b.practitioner)]
    if not blocks:
        raise Http404("No such time block.")
    overlapping = selectors.appointments_overlapping_blocks(blocks)
    audit_read(request, None, f"appointments under time off for {blocks[0].practitioner.display_name}"[:300])
    return render(
        request,
        "scheduling/time_block_saved.html",
        {"blocks": blocks, "overlapping": overlapping, "day_url": _day_url(blocks[0].date)},
    )


def _day_url(day: dt.date) -> str:
    return f"{reverse('scheduling:frontdesk_home')}?date={day:%Y-%m-%d}"


def _saved_text(result: services.BlockResult) -> str:
    first = result.blocks[0]
    if first.whole_day:
        hours = _("the whole day")
    else:
        hours = _("%(start)s to %(end)s") % {"start": f"{first.start_time:%H:%M}", "end": f"{first.end_time:%H:%M}"}
    # Dates in the reader's language (English as before).
    # Translators: date format: Mon 07 Dec 2026.
    day_format = pgettext("date format", "D d M Y")
    dates = date_format(first.date, day_format)
    weeks = len(result.blocks)
    if weeks > 1:
        dates = ngettext(
            "%(first)s, weekly for %(count)s weeks (the last on %(last)s)",
            "%(first)s, weekly for %(count)s weeks (the last on %(last)s)",
            weeks,
        ) % {"first": dates, "count": weeks, "last": date_format(result.blocks[-1].date, day_format)}
    return _("Saved: %(kind)s for %(name)s, %(dates)s, %(hours)s.") % {
        "kind": first.get_kind_display().lower(),
        "name": first.practitioner.display_name,
        "dates": dates,
        "hours": hours,
    }
