from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from clinic import family, languages, selectors, services
from clinic.audit import SAFE, SAFE_OR_POST, audit_read, audit_reads, no_patient_data, reads_object, reads_page
from clinic.domain_errors import apply_error
from clinic.family_forms import GuardianLinkEndForm, GuardianLinkForm
from clinic.forms import MergeForm, PatientCreateForm, PatientForm
from clinic.models import Patient
from clinic.notes import selectors as notes_selectors
from clinic.permissions import can, get_patient_for_user, landing_url_name
from clinic.widgets import PatientSearchForm


@no_patient_data
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """The public home page: who we are and where to book. No health claims."""
    return render(request, "clinic/index.html")


@no_patient_data
@require_safe
def home_for_role(request: HttpRequest) -> HttpResponse:
    """Where a user lands after logging in: each role its own home."""
    if not request.user.is_authenticated:
        return redirect("clinic:index")
    url_name = landing_url_name(request.user)
    return redirect(url_name) if url_name else render(request, "clinic/no_role.html")


@no_patient_data
@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers and bookmarking tools ask for /favicon.ico whatever the page says: send them to our icon."""
    return redirect(static("img/favicon.svg"), permanent=True)


@no_patient_data
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy", whatever the driver raises
        return JsonResponse({"status": "error", "database": "error"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@reads_object("patient.view", get_patient_for_user, methods=SAFE)
def patient_detail(request: HttpRequest, patient: Patient) -> HttpResponse:
    # Staff see which visits have a note and its state (never its content: that is on the chart, for clinicians).
    staff = can(request.user, "patient.search")
    note_states = notes_selectors.note_states_for_patient(patient) if staff else []
    # Records registered by sign-up or online booking are not checked in front of the patient (that would tell
    # them who else is on file): staff see here how many other records look like this one (a count, no names).
    duplicate_count = len(selectors.duplicates_of(patient)) if staff and not patient.merged_into_id else 0
    context = {"patient": patient, "note_states": note_states, "duplicate_count": duplicate_count}
    if can(request.user, "family.manage"):  # who may act for this record online (clinic.family)
        context.update(
            guardian_links=family.guardian_links_of(patient),
            guardian_form=GuardianLinkForm(),
            guardian_end_form=GuardianLinkEndForm(),
        )
    return render(request, "clinic/patient_detail.html", context)


@reads_page("patient.create", methods=SAFE_OR_POST)
def patient_create(request: HttpRequest) -> HttpResponse:
    """Register a patient; a likely duplicate (same birth date and a similar name, or the same e-mail or phone)
    is shown first, with a link to the existing record, until the desk says this is a different person."""
    form = PatientCreateForm(request.POST or None)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        fields = form.record_fields()
        if not form.cleaned_data["not_a_duplicate"]:
            duplicates = selectors.patient_duplicates(**{k: fields[k] for k in DUPLICATE_KEYS})
        if not duplicates:
            patient = services.patient_create(actor=request.user, request=request, **fields)
            messages.success(request, _("%(name)s is registered.") % {"name": patient.full_name})
            return redirect(patient)
    if duplicates:
        audit_reads(request, [(duplicate, "possible duplicate shown on registering") for duplicate in duplicates])
    else:
        audit_read(request, None, "new patient form")
    return render(
        request,
        "clinic/patient_form.html",
        {"form": form, "title": _("New patient"), "duplicates": duplicates},
    )


DUPLICATE_KEYS = ("first_name", "last_name", "date_of_birth", "email", "phone")


@reads_object("patient.merge", get_patient_for_user, "merge form", methods=SAFE_OR_POST)
def patient_merge(request: HttpRequest, survivor: Patient) -> HttpResponse:
    """A clinic admin merges a duplicate record into this one (see `services.patient_merge`)."""
    form = MergeForm(request.POST or None, initial={"merged": request.GET.get("merged", "")})
    if request.method == "POST" and form.is_valid():
        merged = selectors.patient_by_id(form.cleaned_data["merged"])
        if merged is None:
            form.add_error("merged", _("There is no patient with that number."))
        else:
            try:
                moved = services.patient_merge(survivor=survivor, merged=merged, actor=request.user, request=request)
            except ValidationError as exc:
                apply_error(form, exc)
            else:
                summary = ", ".join(f"{count} {kind}" for kind, count in sorted(moved.items())) or _("nothing else")
                messages.success(
                    request,
                    _("%(name)s (#%(number)s) is merged into this record: %(summary)s.")
                    % {"name": merged.full_name, "number": merged.pk, "summary": summary},
                )
                return redirect(survivor)
    duplicates = selectors.duplicates_of(survivor)
    shown_as = f"shown as a possible duplicate of #{survivor.pk}"
    audit_reads(request, [(survivor, "merge form")] + [(duplicate, shown_as) for duplicate in duplicates])
    return render(
        request,
        "clinic/patient_merge.html",
        {"patient": survivor, "form": form, "duplicates": duplicates},
        status=400 if form.errors else 200,
    )


@reads_object("patient.edit", get_patient_for_user, "edit form", methods=SAFE_OR_POST)
def patient_edit(request: HttpRequest, patient: Patient) -> HttpResponse:
    form = PatientForm(request.POST or None, instance=patient)
    if request.method == "POST" and form.is_valid():
        services.patient_update(patient=patient, actor=request.user, request=request, **form.cleaned_data)
        messages.success(request, _("Details saved."))
        return redirect(patient)
    return render(
        request, "clinic/patient_form.html", {"form": form, "title": _("Edit %(name)s") % {"name": patient.full_name}}
    )


@reads_page("patient.search")
def patient_search(request: HttpRequest) -> HttpResponse:
    form = PatientSearchForm(request.GET or None)
    patients = selectors.patients_search(form.cleaned_data["q"]) if form.is_valid() else []
    audit_read(request, None, "patient search")
    template = "clinic/_patient_results.html" if request.htmx else "clinic/patient_search.html"
    return render(request, template, {"form": form, "patients": patients})


@reads_object("audit.read", get_patient_for_user, "access log", methods=SAFE)
def patient_access_log(request: HttpRequest, patient: Patient) -> HttpResponse:
    """Who looked at or changed this patient's record, for clinic admins. Reading it is audited too."""
    page = Paginator(selectors.audit_events_for_patient(patient), 50).get_page(request.GET.get("page"))
    return render(request, "clinic/patient_access_log.html", {"patient": patient, "page": page})


@no_patient_data
@require_POST
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    """End every session of the current user (other browsers and devices too), then this one."""
    if not request.user.is_authenticated:
        return redirect("account_login")
    user = request.user
    ended = services.user_sessions_end(user=user, actor=user, request=request, reason="log out everywhere")
    logout(request)
    messages.success(
        request,
        # The English keeps "session(s)" in both forms; a translation gets its plural forms.
        ngettext(
            "You are logged out everywhere (%(count)s session(s) ended).",
            "You are logged out everywhere (%(count)s session(s) ended).",
            ended,
        )
        % {"count": ended},
    )
    return redirect("account_login")


@no_patient_data
@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """The language switch of every page (a plain form): keep the choice in the browser and, for a signed-in
    patient, on their record and their children's, so that every later e-mail is in it too. A language the site
    does not offer means the default; the page the person was on is shown again."""
    language = languages.supported_language(request.POST.get("language"))
    target = request.POST.get("next", "")
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    languages.remember_on(response, language)
    services.patient_language_set(
        patients=selectors.family_patients(request.user), language=language, actor=request.user, request=request
    )
    return response
