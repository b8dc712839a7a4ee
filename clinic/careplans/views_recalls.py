"""Recalls: the front desk's list of patients on a plan who have dropped off the calendar, the one-click e-mail
nudge, and the patient's opt-out page reached from the e-mail (no login needed).

The opt-out page is in the language on the patient's record (the e-mail's), unless the browser chose one with the
switch (`emailed_link`, as the care plan questionnaire page)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from clinic.audit import POST, audit_read, reads_object, reads_page, reads_patient_data
from clinic.careplans import recalls
from clinic.careplans.views_outcomes import emailed_link
from clinic.domain_errors import attempt
from clinic.models import Patient
from clinic.permissions import get_patient_for_user


@reads_page("desk.use")
def recall_list(request: HttpRequest) -> HttpResponse:
    rows = recalls.recall_rows()
    audit_read(request, None, "recall list")
    return render(request, "clinic/careplans/recall_list.html", {"rows": rows, "weeks": recalls.recall_weeks()})


@reads_object("desk.use", get_patient_for_user, "recall e-mail", methods=POST)
def recall_nudge(request: HttpRequest, patient: Patient) -> HttpResponse:
    attempt(
        request,
        lambda: recalls.recall_nudge(patient=patient, actor=request.user, request=request),
        success=lambda nudge: (
            _("Recall e-mail sent to %(name)s (%(email)s).") % {"name": patient.full_name, "email": nudge.recipient}
        ),
    )
    return redirect("clinic:recall_list")


@reads_patient_data
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@emailed_link(
    recalls.patient_from_opt_out_token, name="recall opt-out", read="recall opt-out page", patient_of=lambda p: p
)
def recall_opt_out(request: HttpRequest, patient: Patient, token: str) -> HttpResponse:
    """GET asks to confirm (a mail scanner that opens links changes nothing); POST records the opt-out."""
    if request.method == "POST":
        done = recalls.recall_opt_out(patient=patient, request=request)
    else:
        done = recalls.opted_out(patient)
    return render(request, "clinic/careplans/recall_opt_out.html", {"done": done})
