"""Care-plan series: planning one (the conflicts page lets the front desk choose before anything is booked) and
its page."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clinic.audit import SAFE, SAFE_OR_POST, reads_object, reads_page
from clinic.domain_errors import message_error
from scheduling import selectors, services
from scheduling.forms import SeriesForm
from scheduling.models import CarePlanSeries
from scheduling.views.common import picker_context, posted


@reads_page("schedule.manage", methods=SAFE_OR_POST)
def series_book(request: HttpRequest) -> HttpResponse:
    """Plan a care-plan series; when some times are taken, the conflicts page lists each with alternatives and
    the front desk chooses (an alternative, or leaving that one out) before anything is booked."""
    initial = {"first_date": timezone.localdate(), "weeks": 6, "time_of_day": "09:00"}
    initial.update({k: request.GET[k] for k in ("patient", "practitioner") if k in request.GET})
    # A care plan's "Book this phase" link fills in the phase (weeks, days, notes naming the plan).
    initial.update({k: request.GET[k][:300] for k in ("weeks", "notes") if k in request.GET})
    if request.GET.getlist("weekdays"):
        initial["weekdays"] = request.GET.getlist("weekdays")
    form = SeriesForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # The series' times and who it is for, as the services take them (planned, then booked).
        dates = {name: data[name] for name in ("first_date", "weeks", "weekdays", "time_of_day")}
        who = {name: data[name] for name in ("patient", "practitioner", "appointment_type")}
        plan = services.series_plan(**who, starts=services.series_occurrences(**dates, visits=data["visits"]))
        if request.POST.get("step") == "confirm":
            chosen, unanswered = [], []
            for index, occurrence in enumerate(plan):
                if occurrence.ok:
                    chosen.append(occurrence.start)
                    continue
                answer = request.POST.get(f"choice-{index}", "")
                if answer == "skip":
                    continue
                try:
                    chosen.append(dt.datetime.fromisoformat(answer))
                except ValueError:
                    unanswered.append(index)
            if not unanswered:
                try:
                    series = services.series_book(
                        **who,
                        **dates,
                        starts=chosen,
                        notes=data["notes"],
                        actor=request.user,
                        request=request,
                        notify=True,
                    )
                except ValidationError as exc:
                    message_error(request, exc)
                else:
                    booked = series.appointments.count()
                    # The English keeps "appointments" for any count; a translation gets its plural forms.
                    messages.success(
                        request,
                        ngettext("Booked %(count)s appointments.", "Booked %(count)s appointments.", booked)
                        % {"count": booked},
                    )
                    return redirect("scheduling:series_detail", pk=series.pk)
            else:
                messages.error(request, _("For every taken time choose another time or leave it out."))
        return _confirm_page(request, form, plan, status=200 if request.POST.get("step") != "confirm" else 400)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "scheduling/series_form.html",
        {"form": form, **picker_context(request, form, keep=("practitioner",))},
        status=status,
    )


def _confirm_page(request, form, plan, status):
    return render(
        request,
        "scheduling/series_conflicts.html",
        {
            "form": form,
            "plan": list(enumerate(plan)),
            "conflicts": sum(1 for o in plan if not o.ok),
            "visit_count": len(plan),
        },
        status=status,
    )


def _series(user, pk: int) -> CarePlanSeries:
    """A care-plan series (those who manage the schedule see every one); 404 for no such series."""
    series = selectors.series_detail(pk)
    if series is None:
        raise Http404("No such series.")
    return series


@reads_object("schedule.manage", _series, methods=SAFE)
def series_detail(request: HttpRequest, series: CarePlanSeries) -> HttpResponse:
    appointments = selectors.appointments_for_series(series)
    return render(request, "scheduling/series_detail.html", {"series": series, "appointments": appointments})
