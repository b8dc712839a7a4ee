"""The patient's page for a plan questionnaire, reached by the signed link in the e-mail (no login needed).

The link is the credential for that one questionnaire: it shows the questions, keeps the answers once (scored
with the intake's rule) and then only says thank you. Every opening is audited as a read of the patient's plan.
The page is in the language on the patient's record (the e-mail's), unless the browser chose one with the switch.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from clinic.audit import audit_read, reads_patient_data
from clinic.careplans import outcomes
from clinic.careplans.forms import PlanQuestionnaireForm
from clinic.domain_errors import apply_error, error_text
from clinic.languages import supported_language

INVALID = "clinic/careplans/questionnaire_invalid.html"


def emailed_link(load: Callable, *, name: str, read: str, patient_of: Callable = lambda row: row.patient) -> Callable:
    """The header of a page reached by a signed link from an e-mail (this one, the recall opt-out): no login, the
    token is the credential. `load(token)` finds the row it names, or raises a ValidationError saying why the link
    is not valid (that page, 400, audited as "`name`: link not valid"); else the read is audited as `read` and the
    view gets the row, in the language on the patient's record (the e-mail's) unless the browser chose one with
    the switch. Below the method decorator, so another method is refused before the token is read."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, token: str) -> HttpResponse:
            try:
                row = load(token)
            except ValidationError as exc:
                audit_read(request, None, f"{name}: link not valid")
                return render(request, INVALID, {"reason": error_text(exc)}, status=400)
            audit_read(request, row, read)
            if settings.LANGUAGE_COOKIE_NAME in request.COOKIES:  # the switch's choice on this browser
                return view(request, row, token)
            language = supported_language(patient_of(row).language)
            with translation.override(language):
                request.LANGUAGE_CODE = language
                return view(request, row, token)

        return wrapped

    return decorator


@reads_patient_data
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@emailed_link(
    outcomes.questionnaire_from_token, name="care plan questionnaire", read="care plan questionnaire (e-mailed link)"
)
def careplan_questionnaire(request: HttpRequest, row, token: str) -> HttpResponse:
    if row.is_answered:
        return render(request, "clinic/careplans/questionnaire_done.html", {"row": row})
    questionnaire = outcomes.questionnaire_for(row.questionnaire_code)
    if questionnaire is None:
        reason = gettext("This questionnaire is not available any more. Call the clinic and we will help.")
        return render(request, INVALID, {"reason": reason}, status=400)
    form = PlanQuestionnaireForm(request.POST if request.method == "POST" else None, questionnaire=questionnaire)
    incomplete = False
    if request.method == "POST" and form.is_valid():
        try:
            outcomes.questionnaire_answer(
                row=row, answers=form.answers(), send_incomplete=form.cleaned_data["send_incomplete"], request=request
            )
        except outcomes.IncompleteAnswers as exc:
            incomplete = True  # the question is asked next to the box that answers it
            form.add_error("send_incomplete", error_text(exc))
        except ValidationError as exc:
            apply_error(form, exc)
        else:
            return redirect("clinic:careplan_questionnaire", token=token)
    return render(
        request,
        "clinic/careplans/questionnaire_answer.html",
        {"row": row, "questionnaire": questionnaire, "form": form, "incomplete": incomplete},
        status=400 if request.method == "POST" else 200,
    )
