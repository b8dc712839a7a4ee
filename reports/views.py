"""Practice reports: an admin sees the clinic, a practitioner their own figures (`reports.all` tells them apart)."""

from __future__ import annotations

import csv
import functools

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from clinic.audit import audit_read, no_patient_data, reads_patient_data
from clinic.permissions import can, practitioner_of, rule_required
from reports import charts, selectors
from reports.forms import ReportFilterForm, RetentionFilterForm

LIST_ROWS = 200  # rows of a list of patients on the page (the CSV has every row)


def _filter(request: HttpRequest, form_class: type[ReportFilterForm] = ReportFilterForm) -> ReportFilterForm:
    own = None
    if not can(request.user, "reports.all"):
        own = practitioner_of(request.user)
        if own is None:  # a practitioner's login with no practitioner record has no figures of its own
            raise PermissionDenied(_("Your login is not linked to a practitioner, so there are no figures of yours."))
    today = timezone.localdate()
    return form_class(request.GET or None, today=today, own_practitioner=own)


def _scoped(template: str, form_class: type[ReportFilterForm] = ReportFilterForm):
    """A report view gets its filter form and scope; a filter that does not validate shows the page again with
    the form's messages (400), before any figure is computed."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request: HttpRequest) -> HttpResponse:
            form = _filter(request, form_class)
            if form.is_bound and not form.is_valid():
                return render(request, template, {"form": form}, status=400)
            return view(request, form, form.scope())

        return wrapped

    return decorator


def _csv(name: str, header: list[str], rows: list[list]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


def _pct(value: float) -> float:
    return round(100 * value, 1)


@no_patient_data
@rule_required("reports.read")
@require_safe
def report_index(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/index.html", {})


@no_patient_data
@rule_required("reports.read")
@require_safe
@_scoped("reports/attendance.html")
def attendance(request: HttpRequest, form: ReportFilterForm, scope) -> HttpResponse:
    """No-shows and late cancellations as counts and rates per practitioner, weekday and hour."""
    figures = selectors.attendance(scope)
    groups = [
        ("Practitioner", figures.by_practitioner),
        ("Weekday", figures.by_weekday),
        ("Hour", figures.by_hour),
    ]
    if request.GET.get("format") == "csv":
        rows = [
            [group, r.label, r.due, r.no_shows, _pct(r.no_show_rate), r.late_cancels, _pct(r.late_cancel_rate)]
            for group, group_rows in [("All", [figures.total]), *groups]
            for r in group_rows
        ]
        header = ["group", "label", "due", "no_shows", "no_show_rate_pct", "late_cancellations", "late_cancel_rate_pct"]
        return _csv(f"attendance-{scope.first_day}-{scope.last_day}", header, rows)
    # Each group's headings in full (not built from the title) so that a translation can word them its own way.
    wording = {
        "Practitioner": (
            _("Practitioner"),
            _("By practitioner"),
            _("Table of the figures by practitioner"),
            _("No-shows and late cancellations by practitioner"),
            _("No-show and late cancellation rates by practitioner"),
        ),
        "Weekday": (
            _("Weekday"),
            _("By weekday"),
            _("Table of the figures by weekday"),
            _("No-shows and late cancellations by weekday"),
            _("No-show and late cancellation rates by weekday"),
        ),
        "Hour": (
            _("Hour"),
            _("By hour"),
            _("Table of the figures by hour"),
            _("No-shows and late cancellations by hour"),
            _("No-show and late cancellation rates by hour"),
        ),
    }
    chart_groups = []
    for key, rows in groups:
        title, heading, region, caption, chart_title = wording[key]
        chart = charts.bars_svg(
            [(r.label, (_pct(r.no_show_rate), _pct(r.late_cancel_rate))) for r in rows],
            series=(_("No-show rate"), _("Late cancellation rate")),
            title=chart_title,
            unit="%",
        )
        chart_groups.append(
            {"title": title, "heading": heading, "region": region, "caption": caption, "rows": rows, "chart": chart}
        )
    context = {
        "form": form,
        "scope": scope,
        "figures": figures,
        "chart_groups": chart_groups,
        "cancellation_hours": settings.CLINIC_CANCELLATION_HOURS,
    }
    return render(request, "reports/attendance.html", context)


@reads_patient_data
@rule_required("reports.read")
@require_safe
@_scoped("reports/attendance_patients.html")
def attendance_patients(request: HttpRequest, form: ReportFilterForm, scope) -> HttpResponse:
    """The patients with repeated no-shows in the range: names patients, so the read is audited."""
    patients = selectors.repeated_no_shows(scope)
    audit_read(request, None, f"report: repeated no-shows {scope.first_day} to {scope.last_day}")
    if request.GET.get("format") == "csv":
        rows = [[p["patient_id"], p["patient__last_name"], p["patient__first_name"], p["no_shows"]] for p in patients]
        return _csv(
            f"repeated-no-shows-{scope.first_day}-{scope.last_day}",
            ["patient_id", "last_name", "first_name", "no_shows"],
            rows,
        )
    return render(request, "reports/attendance_patients.html", {"form": form, "scope": scope, "patients": patients})


@no_patient_data
@rule_required("reports.read")
@require_safe
@_scoped("reports/utilisation.html")
def utilisation(request: HttpRequest, form: ReportFilterForm, scope) -> HttpResponse:
    """Booked vs available hours per practitioner, per day (per week past a month)."""
    figures = selectors.utilisation(scope)
    if request.GET.get("format") == "csv":
        # One row per practitioner and period, then one per room and period (the other column left empty).
        rows = [[r.period, r.practitioner, "", r.booked_hours, r.available_hours, r.pct] for r in figures.rows]
        rows += [[r.period, "", r.practitioner, r.booked_hours, r.available_hours, r.pct] for r in figures.room_rows]
        header = [
            "week_of" if figures.by_week else "day",
            "practitioner",
            "room",
            "booked_hours",
            "available_hours",
            "pct",
        ]
        return _csv(f"utilisation-{scope.first_day}-{scope.last_day}", header, rows)
    chart = charts.bars_svg(
        [(r.practitioner, (r.booked_hours, r.available_hours)) for r in figures.by_practitioner],
        series=(_("Booked hours"), _("Available hours")),
        title=_("Booked and available hours by practitioner"),
        unit=" h",
    )
    room_chart = None
    if figures.by_room:
        room_chart = charts.bars_svg(
            [(r.practitioner, (r.booked_hours, r.available_hours)) for r in figures.by_room],
            series=(_("Booked hours"), _("Opening hours")),
            title=_("Booked hours and opening hours by room"),
            unit=" h",
        )
    context = {"form": form, "scope": scope, "figures": figures, "chart": chart, "room_chart": room_chart}
    return render(request, "reports/utilisation.html", context)


@no_patient_data
@rule_required("reports.read")
@require_safe
@_scoped("reports/utilisation_gaps.html")
def utilisation_gaps(request: HttpRequest, form: ReportFilterForm, scope) -> HttpResponse:
    """The idle gaps of the practitioners' working hours that could take a visit, per practitioner and day."""
    figures = selectors.idle_gaps(scope)
    if request.GET.get("format") == "csv":
        rows = [
            [g.day, g.practitioner, g.start.strftime("%H:%M"), g.end.strftime("%H:%M"), g.minutes] for g in figures.gaps
        ]
        header = ["day", "practitioner", "from", "until", "minutes"]
        return _csv(f"idle-gaps-{scope.first_day}-{scope.last_day}", header, rows)
    context = {
        "form": form,
        "scope": scope,
        "figures": figures,
        "shortest": int(figures.shortest.total_seconds() // 60) if figures.shortest else None,
        "gaps": figures.gaps[:LIST_ROWS],
        "more": max(len(figures.gaps) - LIST_ROWS, 0),
    }
    return render(request, "reports/utilisation_gaps.html", context)


@no_patient_data
@rule_required("reports.read")
@require_safe
@_scoped("reports/new_patients.html")
def new_patients(request: HttpRequest, form: ReportFilterForm, scope) -> HttpResponse:
    """First visits per week, how they were booked, and how many came back within 30 days."""
    rows = selectors.new_patients(scope)
    if request.GET.get("format") == "csv":
        header = ["week_of", "online", "front_desk", "total", "came_back_within_30_days", "came_back_pct"]
        data = [[r.week, r.online, r.front_desk, r.total, r.returned, r.returned_pct] for r in rows]
        return _csv(f"new-patients-{scope.first_day}-{scope.last_day}", header, data)
    chart = charts.bars_svg(
        [(date_format(r.week, "d M Y"), (r.online, r.front_desk, r.returned)) for r in rows],
        series=(_("Booked online"), _("Booked at the desk"), _("Came back within 30 days")),
        title=_("First visits per week"),
    )
    return render(request, "reports/new_patients.html", {"form": form, "scope": scope, "rows": rows, "chart": chart})


@no_patient_data
@rule_required("reports.read")
@require_safe
@_scoped("reports/retention.html", RetentionFilterForm)
def retention(request: HttpRequest, form: ReportFilterForm, scope) -> HttpResponse:
    """The share of visits after which the next one was already booked, and how many patients have lapsed."""
    figures = selectors.rebooking(scope)
    weeks = form.lapsed_weeks()
    if request.GET.get("format") == "csv":
        rows = [[r.label, r.visits, r.rebooked, r.pct] for r in [figures.total, *figures.by_practitioner]]
        header = ["practitioner", "visits", "rebooked_before_leaving", "rebooked_pct"]
        return _csv(f"rebooking-{scope.first_day}-{scope.last_day}", header, rows)
    chart = charts.bars_svg(
        [(r.label, (r.pct,)) for r in [figures.total, *figures.by_practitioner]],
        series=(_("Next visit booked before leaving"),),
        title=_("Share of visits after which the next visit was already booked, by practitioner"),
        unit="%",
    )
    context = {
        "form": form,
        "scope": scope,
        "figures": figures,
        "chart": chart,
        "weeks": weeks,
        "lapsed": selectors.lapsed_count(scope, weeks=weeks, now=timezone.now()),
    }
    return render(request, "reports/retention.html", context)


@reads_patient_data
@rule_required("reports.read")
@require_safe
@_scoped("reports/retention_patients.html", RetentionFilterForm)
def retention_patients(request: HttpRequest, form: ReportFilterForm, scope) -> HttpResponse:
    """The lapsed patients (no visit for N weeks, nothing booked): names patients, so the read is audited."""
    weeks = form.lapsed_weeks()
    patients = selectors.lapsed_patients(scope, weeks=weeks, now=timezone.now())
    audit_read(request, None, f"report: patients with no visit for {weeks} weeks and nothing booked")
    if request.GET.get("format") == "csv":
        rows = [
            [
                p["patient_id"],
                p["last_name"],
                p["first_name"],
                _local_day(p["last_visit"]),
                p["visits"],
                "yes" if p["on_recall"] else "no",
            ]
            for p in patients
        ]
        header = ["patient_id", "last_name", "first_name", "last_visit", "visits", "on_recall_list"]
        return _csv(f"lapsed-patients-{weeks}-weeks", header, rows)
    # The page lists the most recently seen; the CSV holds them all.
    context = {
        "form": form,
        "scope": scope,
        "weeks": weeks,
        "patients": patients[:LIST_ROWS],
        "total": len(patients),
        "more": max(len(patients) - LIST_ROWS, 0),
    }
    return render(request, "reports/retention_patients.html", context)


def _local_day(value):
    return timezone.localtime(value).date()


@no_patient_data
@rule_required("reports.read")
@require_safe
@_scoped("reports/careplans.html")
def careplans(request: HttpRequest, form: ReportFilterForm, scope) -> HttpResponse:
    """Care plans started, completed and discontinued in the range, and visits attended per ended plan."""
    figures = selectors.careplans(scope)
    rows = [figures.total, *figures.by_practitioner]
    if request.GET.get("format") == "csv":
        header = ["practitioner", "started", "completed", "discontinued", "visits_attended", "avg_visits_per_plan"]
        data = [[r.label, r.started, r.completed, r.discontinued, r.visits, r.avg_visits] for r in rows]
        return _csv(f"care-plans-{scope.first_day}-{scope.last_day}", header, data)
    chart = charts.bars_svg(
        [(r.label, (r.started, r.completed, r.discontinued)) for r in rows],
        series=(_("Started"), _("Completed"), _("Discontinued")),
        title=_("Care plans started, completed and discontinued, by practitioner"),
    )
    context = {"form": form, "scope": scope, "figures": figures, "rows": rows, "chart": chart}
    return render(request, "reports/careplans.html", context)


@no_patient_data
@rule_required("reports.read")
@require_safe
@_scoped("reports/outcomes.html")
def outcomes(request: HttpRequest, form: ReportFilterForm, scope) -> HttpResponse:
    """The share of patients seen whose pain or questionnaire score improved by at least the meaningful change."""
    figures = selectors.outcomes(scope)
    if request.GET.get("format") == "csv":
        header = ["measure", "meaningful_change", "patients_measured_twice", "improved", "improved_pct"]
        data = [[r.label, r.threshold, r.measured, r.improved, r.pct] for r in figures.rows]
        return _csv(f"outcomes-{scope.first_day}-{scope.last_day}", header, data)
    chart = charts.bars_svg(
        [(r.label, (r.pct,)) for r in figures.rows],
        series=(_("Improved by a meaningful change"),),
        title=_("Share of patients measured twice whose score improved by a meaningful change"),
        unit="%",
    )
    return render(request, "reports/outcomes.html", {"form": form, "scope": scope, "figures": figures, "chart": chart})
