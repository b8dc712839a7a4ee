"""Pages of the clinical record: My day, the visit note (edit, sign, addenda) and the patient chart.

Every read of a note or a chart and every write is audited. Views look the row up through
`clinic.notes.permissions`, call one service, and redirect; errors come back as field errors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinic.audit import POST, SAFE, SAFE_OR_POST, acts_on_object, audit_read, no_patient_data, reads_object, reads_page
from clinic.careplans import selectors as careplan_selectors
from clinic.careplans import services as careplan_services
from clinic.domain_errors import apply_error, attempt, attempt_form, error_text, message_error
from clinic.models import Patient, VisitNote
from clinic.notes import charts, selectors, services
from clinic.notes.forms import AddendumForm, NoteForms, TemplateChoiceForm
from clinic.notes.permissions import get_appointment_for_note, get_note_for_user
from clinic.permissions import get_patient_for_user, rule_required
from intake import selectors as intake_selectors

if TYPE_CHECKING:
    from scheduling.models import Appointment


def _practitioner(request):
    return getattr(request.user, "practitioner", None)


@reads_page("clinical.write")
def practitioner_home(request: HttpRequest) -> HttpResponse:
    """My day: today's appointments in order with their markers and notes, then the unsigned notes."""
    practitioner = _practitioner(request)
    today = timezone.localdate()
    rows = selectors.my_day(practitioner, today) if practitioner else []
    unsigned = list(selectors.notes_unsigned(practitioner)) if practitioner else []
    careplan_selectors.annotate_positions([row.appointment for row in rows])
    audit_read(request, None, f"my day {today:%Y-%m-%d}")
    return render(
        request,
        "clinic/practitioner_home.html",
        {"practitioner": practitioner, "today": today, "rows": rows, "unsigned": unsigned},
    )


@acts_on_object("clinical.write", get_appointment_for_note)
def note_start(request: HttpRequest, appointment: Appointment) -> HttpResponse:
    try:
        note = services.note_start(appointment=appointment, actor=request.user, request=request)
    except ValidationError as exc:
        message_error(request, exc)
        return redirect("clinic:practitioner_home")
    return redirect("clinic:note_edit", pk=note.pk)


def _edit_context(note, forms, request) -> dict:
    readiness = intake_selectors.patient_readiness(note.patient)
    problem = services.cervical_consent_problem(readiness)
    forms.warn_cervical(problem)
    careplan_selectors.annotate_positions([note.appointment])
    return {
        "careplan_problem": careplan_services.careplan_consent_problem(note.patient, before=note.appointment.start),
        "note": note,
        "forms": forms,
        "readiness": readiness,
        "cervical_problem": problem,
        "open_flags": list(intake_selectors.red_flags_open(note.patient)),
        "template_form": TemplateChoiceForm(),
        "autosave_seconds": settings.CLINIC_NOTE_AUTOSAVE_SECONDS,
    }


@reads_page("clinical.write", methods=SAFE_OR_POST)
def note_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The draft: Save draft, or Sign (which saves what is on the page, then signs it)."""
    note = get_note_for_user(request.user, pk, write=True)
    if note.is_signed:
        messages.info(request, _("This note is signed: it can no longer be changed. Add an addendum instead."))
        return redirect(note)
    forms = NoteForms(note, request.POST if request.method == "POST" else None)
    audit_read(request, note, "note edit")  # the page, or the draft shown again with its errors
    if request.method == "POST" and forms.is_valid():
        try:
            note = services.note_save_draft(note=note, actor=request.user, changes=forms.changes(), request=request)
            if request.POST.get("action") == "sign":
                note = services.note_sign(note=note, actor=request.user, request=request)
                messages.success(request, _("The note is signed and locked."))
                return redirect(note)
        except ValidationError as exc:
            apply_error(forms, exc)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("clinic:note_edit", pk=note.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "clinic/note_edit.html", _edit_context(note, forms, request), status=status)


@no_patient_data
@rule_required("clinical.write")
@require_POST
def note_autosave(request: HttpRequest, pk: int) -> JsonResponse:
    """The page's script posts the form here every few seconds while it has unsaved changes."""
    note = get_note_for_user(request.user, pk, write=True)
    if note.is_signed:
        return JsonResponse(
            {"saved": False, "message": _("This note is signed: changes are no longer saved.")}, status=409
        )
    forms = NoteForms(note, request.POST)
    if not forms.is_valid():
        return JsonResponse(
            {"saved": False, "message": _("Not saved yet: some entries need fixing (Save draft shows which).")},
            status=400,
        )
    try:
        note = services.note_save_draft(
            note=note, actor=request.user, changes=forms.changes(), request=request, autosave=True
        )
    except ValidationError as exc:
        return JsonResponse(
            {"saved": False, "message": _("Not saved: %(reason)s") % {"reason": error_text(exc)}}, status=400
        )
    return JsonResponse(
        {
            "saved": True,
            "message": _("Draft saved at %(time)s.") % {"time": f"{timezone.localtime(note.updated_at):%H:%M:%S}"},
        }
    )


@reads_page("clinical.write", methods=POST)
def note_copy_forward(request: HttpRequest, pk: int) -> HttpResponse:
    note = get_note_for_user(request.user, pk, write=True)
    try:
        note, remarks = services.note_copy_forward(note=note, actor=request.user, request=request)
    except ValidationError as exc:
        message_error(request, exc)
    else:
        for remark in remarks:
            messages.info(request, remark)
    return redirect("clinic:note_edit", pk=note.pk)


@reads_page("clinical.write", methods=POST)
def note_apply_template(request: HttpRequest, pk: int) -> HttpResponse:
    note = get_note_for_user(request.user, pk, write=True)
    form = TemplateChoiceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the clinic's templates."))
        return redirect("clinic:note_edit", pk=note.pk)
    template = form.cleaned_data["template"]
    attempt(
        request,
        lambda: services.note_apply_template(note=note, template=template, actor=request.user, request=request),
        success=_("Template “%(name)s” applied to the empty parts of the note.") % {"name": template.name},
    )
    return redirect("clinic:note_edit", pk=note.pk)


@reads_object("clinical.read", get_note_for_user, methods=SAFE)
def note_detail(request: HttpRequest, note: VisitNote) -> HttpResponse:
    return render(request, "clinic/note_detail.html", _detail_context(request, note, AddendumForm()))


def _detail_context(request, note, addendum_form) -> dict:
    practitioner = _practitioner(request)
    careplan_selectors.annotate_positions([note.appointment])
    return {
        "note": note,
        "addendum_form": addendum_form,
        "can_add_addendum": note.is_signed and practitioner is not None,
        "can_edit": not note.is_signed and practitioner is not None and practitioner.pk == note.practitioner_id,
        "hash_ok": note.hash_matches() if note.is_signed else None,
    }


@reads_page("clinical.write", methods=POST)
def note_addendum_add(request: HttpRequest, pk: int) -> HttpResponse:
    note = get_note_for_user(request.user, pk)
    form = AddendumForm(request.POST)
    added = attempt_form(
        request,
        form,
        lambda: services.note_addendum_add(
            note=note, actor=request.user, text=form.cleaned_data["text"], request=request
        ),
        success=_("Addendum added."),
    )
    if added is not None:
        return redirect(note)
    audit_read(request, note)  # the note shown again with the addendum's errors, as note_detail names it
    return render(request, "clinic/note_detail.html", _detail_context(request, note, form), status=400)


def _lines(specs) -> list[charts.Threshold]:
    lines = [
        charts.meaningful_change_line(points, change=change, unit=unit, name=name)
        for name, points, change, unit in specs
    ]
    return [line for line in lines if line is not None]


def _trends(chart: dict) -> tuple[str, str]:
    """The chart's two trends, each with its meaningful-change lines: pain (NRS 0-10, from visit notes and
    intakes) and disability (NDI and ODI, 0-100 %)."""
    outcomes = sorted(chart["outcomes"].items())
    trends = [
        # (series, change lines as (name, points, change, unit), y_max, y_label, title, empty_text)
        (
            [
                charts.Series(_("Visit notes"), [p for p in chart["pain"] if p.source == "visit note"]),
                charts.Series(_("Intake"), [p for p in chart["pain"] if p.source == "intake"]),
            ],
            [(_("Pain"), chart["pain"], chart["pain_change"], _("points"))],
            10,
            _("Pain (NRS 0-10)"),
            _("Pain over time"),
            _("No pain ratings recorded yet"),
        ),
        (
            [charts.Series(code, points) for code, points in outcomes],
            [
                (code, points, chart["outcome_changes"].get(code, 0), _("percentage points"))
                for code, points in outcomes
            ],
            100,
            _("Disability (%)"),
            _("NDI and ODI over time"),
            _("No NDI or ODI scores yet"),
        ),
    ]
    pain_svg, outcome_svg = (
        charts.trend_svg(
            series,
            y_max=y_max,
            y_step=y_max // 5,
            y_label=y_label,
            title=title,
            empty_text=empty_text,
            thresholds=_lines(lines),
        )
        for series, lines, y_max, y_label, title, empty_text in trends
    )
    return pain_svg, outcome_svg


@reads_object("clinical.read", get_patient_for_user, "chart", methods=SAFE)
def patient_chart(request: HttpRequest, patient: Patient) -> HttpResponse:
    """The chart: demographics, alerts, consent, intakes, visits with notes, and pain and NDI/ODI trends."""
    chart = selectors.patient_chart(patient)
    pain_svg, outcome_svg = _trends(chart)
    return render(
        request,
        "clinic/patient_chart.html",
        {
            "patient": patient,
            **chart,
            "age": patient.age_on(timezone.localdate()),
            "pain_svg": pain_svg,
            "outcome_svg": outcome_svg,
        },
    )
