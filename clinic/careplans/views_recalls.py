"""Recalls: the front desk's list of patients on a plan who have dropped off the calendar, the one-click e-mail
nudge, and the patient's opt-out page reached from the e-mail (no login needed).

The opt-out page is in the language on the patient's record (the e-mail's), unless the browser chose one with the
switch (as the care plan questionnaire page)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from clinic.audit import audit_read, reads_patient_data
from clinic.careplans import recalls
from clinic.domain_errors import attempt, error_text
from clinic.languages import supported_language
from clinic.permissions import get_patient_for_user, rule_required


@reads_patient_data
@rule_required("desk.use")
@require_safe
def recall_list(request: HttpRequest) -> HttpResponse:
    rows = recalls.recall_rows()
    audit_read(request, None, "recall list")
    return render(request, "clinic/careplans/recall_list.html", {"rows": rows, "weeks": recalls.recall_weeks()})


@reads_patient_data
@rule_required("desk.use")
@require_POST
def recall_nudge(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(request.user, pk, action="desk.use")
    audit_read(request, patient, "recall e-mail")
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
def recall_opt_out(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm (a mail scanner that opens links changes nothing); POST records the opt-out."""
    try:
        patient = recalls.patient_from_opt_out_token(token)
    except ValidationError as exc:
        audit_read(request, None, "recall opt-out: link not valid")
        return render(request, "clinic/careplans/questionnaire_invalid.html", {"reason": error_text(exc)}, status=400)
    audit_read(request, patient, "recall opt-out page")
    if settings.LANGUAGE_COOKIE_NAME in request.COOKIES:  # the switch's choice on this browser
        return _opt_out_page(request, patient)
    language = supported_language(patient.language)
    with translation.override(language):
        request.LANGUAGE_CODE = language
        return _opt_out_page(request, patient)


def _opt_out_page(request: HttpRequest, patient) -> HttpResponse:
    if request.method == "POST":
        done = recalls.recall_opt_out(patient=patient, request=request)
    else:
        done = recalls.opted_out(patient)
    return render(request, "clinic/careplans/recall_opt_out.html", {"done": done})
