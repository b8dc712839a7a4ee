"""What the views share: the posted data (the front desk's forms and the patient's), the day a calendar page
shows, and the patient picker of the booking, series and waitlist forms."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib import messages
from django.http import HttpRequest
from django.utils import timezone

from clinic import selectors as clinic_selectors
from clinic.audit import audit_read
from clinic.input_limits import query_date


def posted(request: HttpRequest):
    """The posted data, or None on GET. (`request.POST or None` would leave an empty POST unbound: a 400 page
    with no error on it.)"""
    return request.POST if request.method == "POST" else None


def day_from(request: HttpRequest) -> dt.date:
    """The day a calendar page shows: ?date=YYYY-MM-DD, else today; a date not understood (or outside the
    calendar) is said so on the page, which shows today."""
    day, problem = query_date(request.GET.get("date"), default=timezone.localdate())
    if problem:
        messages.warning(request, problem)
    return day


@dataclass(frozen=True)
class PatientPicker:
    """What `components/patient_picker.html` shows: the search box (`q`, and the fields a search keeps,
    `keep`), the patients found as radio buttons, the chosen one, and the form field's errors."""

    q: str
    patients: list
    selected_id: int | None
    errors: list[str]
    keep: list[tuple[str, str]] = field(default_factory=list)


def picker_context(request: HttpRequest, form, keep: tuple[str, ...] = ()) -> dict:
    """The patient picker of the booking, series and waitlist forms, built here for all three. `keep` names
    the form's fields a search carries over (so searching for the patient loses nothing chosen already)."""
    q = request.GET.get("q", "")
    patients = list(clinic_selectors.patients_search(q)) if q else []
    selected = None
    raw = form["patient"].value()
    if raw:
        selected = clinic_selectors.patient_by_id(raw)
    if selected and selected not in patients:
        patients.insert(0, selected)
    # The form shows the chosen patient, or a list of search results: a read of patient data either way.
    audit_read(request, selected, "booking form" if selected else "patient picker")
    kept = []
    for name in keep:
        value = form[name].value()
        if value not in (None, ""):
            text = value.strftime("%Y-%m-%dT%H:%M") if isinstance(value, dt.datetime) else str(value)
            kept.append((name, text[:16] if name == "start" else text))
    picker = PatientPicker(
        q=q,
        patients=patients,
        selected_id=selected.pk if selected else None,
        errors=list(form.errors.get("patient", [])),
        keep=kept,
    )
    # The choices partial (also the htmx swap target) reads these names directly.
    return {"picker": picker, "patients": patients, "q": q, "selected_id": picker.selected_id}
