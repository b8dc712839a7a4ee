from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from clinic import selectors as clinic_selectors
from clinic.forms import PatientSearchForm
from clinic.permissions import CLINIC_ADMIN, FRONT_DESK, PATIENT, PRACTITIONER, patient_of, role_required


@role_required(FRONT_DESK, CLINIC_ADMIN, PRACTITIONER)
@require_GET
def frontdesk_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "scheduling/frontdesk_home.html",
        {
            "practitioners": clinic_selectors.practitioners_active(),
            "rooms": clinic_selectors.rooms_active(),
            "search_form": PatientSearchForm(),
        },
    )


@role_required(PATIENT)
@require_GET
def account_home(request: HttpRequest) -> HttpResponse:
    return render(request, "scheduling/account_home.html", {"patient": patient_of(request.user)})


@require_GET
def book_start(request: HttpRequest) -> HttpResponse:
    return render(request, "scheduling/book_start.html")
