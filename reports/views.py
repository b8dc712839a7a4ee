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


def _report(template: str, *, figures=None, form_class: type[ReportFilterForm] = ReportFilterForm):
    """A report page (`reports.read`, GET or HEAD): the view gets its filter form and scope, and the report's
    figures for the scope when `figures` names the selector (`figures(scope)`). It returns either its CSV (`_csv`)
    or the page's context, which the page is rendered with (the form and scope added). A filter that does not
    validate shows the page again with the form's messages (400), before any figure is computed."""

    def decorator(view):
        @rule_required("reports.read")
        @require_safe
        @functools.wraps(view)
        def wrapped(request: HttpRequest) -> HttpResponse:
            form = _filter(request, form_class)
            if form.is_bound and not form.is_valid():
                return render(request, template, {"form": form}, status=400)
            scope = form.scope()
            given = () if figures is None else (figures(scope),)
            answer = view(request, form, scope, *given)
            if isinstance(answer, HttpResponse):
                return answer
            return render(request, template, {"form": form, "scope": scope, **answer})

        return wrapped

    return decorator


def _wants_csv(request: HttpRequest) -> bool:
    return request.GET.get("format") == "csv"


def _csv(name: str, header: list[str], rows: list[list]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


def _range_csv(name: str, scope: selectors.Scope, header: list[str], rows: list[list]) -> HttpResponse:
    """A report's CSV, named after the report and its range ("attendance-2026-06-01-2026-06-07.csv")."""
    return _csv(f"{name}-{scope.first_day}-{scope.last_day}", header, rows)


def _pct(value: float) -> float:
    return round(100 * value, 1)


def _hours_chart(rows: list[selectors.UtilisationRow], *, available: str, title: str):
    """Booked against available hours, a bar pair per row (a practitioner, or a room and its opening hours)."""
    return charts.bars_svg(
        [(r.practitioner, (r.booked_hours, r.available_hours)) for r in rows],
        series=(_("Booked hours"), available),
        title=title,
        unit=" h",
    )


@no_patient_data
@rule_required("reports.read")
@require_safe
def report_index(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/index.html", {})


@no_patient_data
@_report("reports/attendance.html", figures=selectors.attendance)
def attendance(request: HttpRequest, form: ReportFilterForm, scope: selectors.Scope, figures: selectors.Attendance):
    """No-shows and late cancellations as counts and rates per practitioner, weekday and hour."""
    groups = [
        ("Practitioner", figures.by_practitioner),
        ("Weekday", figures.by_weekday),
        ("Hour", figures.by_hour),
    ]
    if _wants_csv(request):
        rows = [
            [group, r.label, r.due, r.no_shows, _pct(r.no_show_rate), r.late_cancels, _pct(r.late_cancel_rate)]
            for group, group_rows in [("All", [figures.total]), *groups]
            for r in group_rows
        ]
        header = ["group", "label", "due", "no_shows", "no_show_rate_pct", "late_cancellations", "late_cancel_rate_pct"]
        return _range_csv("attendance", scope, header, rows)
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
    return {"figures": figures, "chart_groups": chart_groups, "cancellation_hours": settings.CLINIC_CANCELLATION_HOURS}


@reads_patient_data
@_report("reports/attendance_patients.html", figures=selectors.repeated_no_shows)
def attendance_patients(request: HttpRequest, form: ReportFilterForm, scope: selectors.Scope, patients: list[dict]):
    """The patients with repeated no-shows in the range: names patients, so the read is audited."""
    audit_read(request, None, f"report: repeated no-shows {scope.first_day} to {scope.last_day}")
    if _wants_csv(request):
        rows = [[p["patient_id"], p["patient__last_name"], p["patient__first_name"], p["no_shows"]] for p in patients]
        return _range_csv("repeated-no-shows", scope, ["patient_id", "last_name", "first_name", "no_shows"], rows)
    return {"patients": patients}


@no_patient_data
@_report("reports/utilisation.html", figures=selectors.utilisation)
def utilisation(request: HttpRequest, form: ReportFilterForm, scope: selectors.Scope, figures: selectors.Utilisation):
    """Booked vs available hours per practitioner, per day (per week past a month)."""
    if _wants_csv(request):
        # One row per practitioner and period, then one per room and period (the other column left empty).
        rows = [[r.period, r.practitioner, "", r.booked_hours, r.available_hours, r.pct] for r in figures.rows]
        rows += [[r.period, "", r.practitioner, r.booked_hours, r.available_hours, r.pct] for r in figures.room_rows]
        period = "week_of" if figures.by_week else "day"
        header = [period, "practitioner", "room", "booked_hours", "available_hours", "pct"]
        return _range_csv("utilisation", scope, header, rows)
    chart = _hours_chart(
        figures.by_practitioner, available=_("Available hours"), title=_("Booked and available hours by practitioner")
    )
    room_chart = None
    if figures.by_room:
        room_chart = _hours_chart(
            figures.by_room, available=_("Opening hours"), title=_("Booked hours and opening hours by room")
        )
    return {"figures": figures, "chart": chart, "room_chart": room_chart}


@no_patient_data
@_report("reports/utilisation_gaps.html", figures=selectors.idle_gaps)
def utilisation_gaps(request: HttpRequest, form: ReportFilterForm, scope: selectors.Scope, figures: selectors.IdleGaps):
    """The idle gaps of the practitioners' working hours that could take a visit, per practitioner and day."""
    if _wants_csv(request):
        rows = [
            [g.day, g.practitioner, g.start.strftime("%H:%M"), g.end.strftime("%H:%M"), g.minutes] for g in figures.gaps
        ]
        return _range_csv("idle-gaps", scope, ["day", "practitioner", "from", "until", "minutes"], rows)
    return {
        "figures": figures,
        "shortest": int(figures.shortest.total_seconds() // 60) if figures.shortest else None,
        "gaps": figures.gaps[:LIST_ROWS],
        "more": max(len(figures.gaps) - LIST_ROWS, 0),
    }


@no_patient_data
@_report("reports/new_patients.html", figures=selectors.new_patients)
def new_patients(
    request: HttpRequest, form: ReportFilterForm, scope: selectors.Scope, rows: list[selectors.NewPatientsRow]
):
    """First visits per week, how they were booked, and how many came back within 30 days."""
    if _wants_csv(request):
        header = ["week_of", "online", "front_desk", "total", "came_back_within_30_days", "came_back_pct"]
        data = [[r.week, r.online, r.front_desk, r.total, r.returned, r.returned_pct] for r in rows]
        return _range_csv("new-patients", scope, header, data)
    chart = charts.bars_svg(
        [(date_format(r.week, "d M Y"), (r.online, r.front_desk, r.returned)) for r in rows],
        series=(_("Booked online"), _("Booked at the desk"), _("Came back within 30 days")),
        title=_("First visits per week"),
    )
    return {"rows": rows, "chart": chart}


@no_patient_data
@_report("reports/retention.html", figures=selectors.rebooking, form_class=RetentionFilterForm)
def retention(request: HttpRequest, form: RetentionFilterForm, scope: selectors.Scope, figures: selectors.Rebooking):
    """The share of visits after which the next one was already booked, and how many patients have lapsed."""
    weeks = form.lapsed_weeks()
    if _wants_csv(request):
        rows = [[r.label, r.visits, r.rebooked, r.pct] for r in [figures.total, *figures.by_practitioner]]
        header = ["practitioner", "visits", "rebooked_before_leaving", "rebooked_pct"]
        return _range_csv("rebooking", scope, header, rows)
    chart = charts.bars_svg(
        [(r.label, (r.pct,)) for r in [figures.total, *figures.by_practitioner]],
        series=(_("Next visit booked before leaving"),),
        title=_("Share of visits after which the next visit was already booked, by practitioner"),
        unit="%",
    )
    lapsed = selectors.lapsed_count(scope, weeks=weeks, now=timezone.now())
    return {"figures": figures, "chart": chart, "weeks": weeks, "lapsed": lapsed}


@reads_patient_data
@_report("reports/retention_patients.html", form_class=RetentionFilterForm)
def retention_patients(request: HttpRequest, form: RetentionFilterForm, scope: selectors.Scope):
    """The lapsed patients (no visit for N weeks, nothing booked): names patients, so the read is audited."""
    weeks = form.lapsed_weeks()
    patients = selectors.lapsed_patients(scope, weeks=weeks, now=timezone.now())
    audit_read(request, None, f"report: patients with no visit for {weeks} weeks and nothing booked")
    if _wants_csv(request):
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
    return {
        "weeks": weeks,
        "patients": patients[:LIST_ROWS],
        "total": len(patients),
        "more": max(len(patients) - LIST_ROWS, 0),
    }


def _local_day(value):
    return timezone.localtime(value).date()


@no_patient_data
@_report("reports/careplans.html", figures=selectors.careplans)
def careplans(request: HttpRequest, form: ReportFilterForm, scope: selectors.Scope, figures: selectors.CarePlans):
    """Care plans started, completed and discontinued in the range, and visits attended per ended plan."""
    rows = [figures.total, *figures.by_practitioner]
    if _wants_csv(request):
        header = ["practitioner", "started", "completed", "discontinued", "visits_attended", "avg_visits_per_plan"]
        data = [[r.label, r.started, r.completed, r.discontinued, r.visits, r.avg_visits] for r in rows]
        return _range_csv("care-plans", scope, header, data)
    chart = charts.bars_svg(
        [(r.label, (r.started, r.completed, r.discontinued)) for r in rows],
        series=(_("Started"), _("Completed"), _("Discontinued")),
        title=_("Care plans started, completed and discontinued, by practitioner"),
    )
    return {"figures": figures, "rows": rows, "chart": chart}


@no_patient_data
@_report("reports/outcomes.html", figures=selectors.outcomes)
def outcomes(request: HttpRequest, form: ReportFilterForm, scope: selectors.Scope, figures: selectors.Outcomes):
    """The share of patients seen whose pain or questionnaire score improved by at least the meaningful change."""
    if _wants_csv(request):
        header = ["measure", "meaningful_change", "patients_measured_twice", "improved", "improved_pct"]
        data = [[r.label, r.threshold, r.measured, r.improved, r.pct] for r in figures.rows]
        return _range_csv("outcomes", scope, header, data)
    chart = charts.bars_svg(
        [(r.label, (r.pct,)) for r in figures.rows],
        series=(_("Improved by a meaningful change"),),
        title=_("Share of patients measured twice whose score improved by a meaningful change"),
        unit="%",
    )
    return {"figures": figures, "chart": chart}
