from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from clinic.permissions import PATIENT, patient_of, role_required


@role_required(PATIENT)
@require_GET
def intake_home(request: HttpRequest) -> HttpResponse:
    return render(request, "intake/intake_home.html", {"patient": patient_of(request.user)})
