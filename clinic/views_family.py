"""Family pages: a guardian's account and its children (clinic.family), and the front desk's links."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from clinic import family
from clinic.audit import acts_on_object, audit_read, no_patient_data, reads_patient_data
from clinic.domain_errors import apply_error, attempt, message_error
from clinic.family_forms import ActForForm, DependantForm, GuardianLinkEndForm, GuardianLinkForm
from clinic.models import Patient
from clinic.permissions import account_required, acting_patient, get_patient_for_user, patient_of


def _family_page(request: HttpRequest, form: DependantForm, status: int = 200) -> HttpResponse:
    members = family.family_members(request.user)
    audit_read(request, members, "family page")
    context = {
        "members": members,
        "acting": acting_patient(request),
        "own": patient_of(request.user),
        "form": form,
        "age_of_consent": settings.CLINIC_AGE_OF_CONSENT,
    }
    return render(request, "clinic/family/home.html", context, status=status)


@reads_patient_data
@account_required
@require_safe
def family_home(request: HttpRequest) -> HttpResponse:
    return _family_page(request, DependantForm())


@reads_patient_data
@account_required
@require_POST
def family_add(request: HttpRequest) -> HttpResponse:
    form = DependantForm(request.POST)
    if form.is_valid():
        try:
            link = family.dependant_add(guardian=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_error(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is on your account. Book their visit or fill their intake below.")
                % {"name": link.dependant.first_name},
            )
            return redirect("clinic:family_home")
    return _family_page(request, form, status=400)


@no_patient_data
@account_required
@require_POST
def family_act(request: HttpRequest) -> HttpResponse:
    """Use a family member's pages (book, intake and consent) until another is chosen."""
    form = ActForForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a family member from your family page."))
        return redirect("clinic:family_home")
    try:
        chosen = family.acting_for_set(request, form.cleaned_data["patient"])
    except ValidationError as exc:
        message_error(request, exc)
        return redirect("clinic:family_home")
    if chosen is not None:
        messages.info(request, _("You are now booking and filling forms for %(name)s.") % {"name": chosen.full_name})
    return redirect(ActForForm.GO[form.cleaned_data["go"]])


@acts_on_object("family.manage", get_patient_for_user)
def guardian_link_add(request: HttpRequest, patient: Patient) -> HttpResponse:
    form = GuardianLinkForm(request.POST)
    if form.is_valid():
        try:
            link = family.guardian_link(patient=patient, actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_error(form, exc)
        else:
            messages.success(
                request,
                _("%(email)s can now book and fill forms for %(name)s.")
                % {"email": link.guardian.email, "name": patient.first_name},
            )
            return redirect(patient)
    for field in form:
        for error in field.errors:
            messages.error(request, error)
    return redirect(patient)


@acts_on_object("family.manage", get_patient_for_user)
def guardian_link_end(request: HttpRequest, patient: Patient, link_pk: int) -> HttpResponse:
    link = family.guardian_link_of(patient, link_pk)
    if link is None:
        raise Http404("No such link.")
    form = GuardianLinkEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the link ends (for the record)."))
        return redirect(patient)
    attempt(
        request,
        lambda: family.guardian_link_end(
            link=link, actor=request.user, reason=form.cleaned_data["reason"], request=request
        ),
        success=_("%(email)s can no longer act for %(name)s.")
        % {"email": link.guardian.email, "name": patient.first_name},
    )
    return redirect(patient)
