"""Records out pages: a patient's own copies on /account/records/, and clinic admins' records requests and
exports. Every download is an audited export naming who and why."""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinic.audit import SAFE_OR_POST, acts_on_object, audit_read, no_patient_data, reads_object, reads_page
from clinic.domain_errors import attempt
from clinic.models import Patient, RecordRequest
from clinic.permissions import acting_patient, get_patient_for_user, rule_required
from clinic.records import selectors, services
from clinic.records.forms import ExportForm
from clinic.records.pdf import RecordNotFound

OWN_COPY = "patient's own copy (right of access)"


def _download(content: bytes | str, filename: str, content_type: str = "application/pdf") -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _pdf_read(request: HttpRequest, patient, detail: str, filename: str, **export) -> HttpResponse:
    """A PDF of the patient's record (`services.records_pdf` with `export`: it audits the export, with why), and
    the read of it (`detail`) for this request."""
    content = services.records_pdf(patient=patient, actor=request.user, **export)
    audit_read(request, patient, detail)
    return _download(content, filename)


def _own_patient(request: HttpRequest):
    patient = acting_patient(request)
    if patient is None:
        raise Http404("No patient record on this account.")
    return patient


@reads_page("account.use")
def account_records(request: HttpRequest) -> HttpResponse:
    patient = _own_patient(request)
    documents = selectors.patient_documents(patient)
    audit_read(request, patient, "account: records (consents, intakes, requests)")
    return render(
        request,
        "records/account_records.html",
        {"patient": patient, **documents, "requests": selectors.record_requests_of(patient)},
    )


@reads_page("account.use")
def account_record_pdf(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """A signed consent or an intake of the patient's own, as PDF (another patient's id answers 404)."""
    patient = _own_patient(request)
    if kind not in ("consent", "intake"):
        raise Http404("No such document.")
    detail = f"account: downloaded {kind} {pk} as PDF"
    try:
        return _pdf_read(request, patient, detail, f"{kind}-{pk}.pdf", reason=OWN_COPY, kind=kind, item_id=pk)
    except RecordNotFound:
        raise Http404("No such document.") from None


@no_patient_data
@rule_required("account.use")
@require_POST
def account_record_request(request: HttpRequest) -> HttpResponse:
    patient = _own_patient(request)
    attempt(
        request,
        lambda: services.record_request_create(patient=patient, actor=request.user, request=request),
        success=_("We have your request. We will e-mail you when your record is ready to download."),
    )
    return redirect("clinic:account_records")


@reads_page("account.use")
def account_request_download(request: HttpRequest, pk: int) -> HttpResponse:
    patient = _own_patient(request)
    record_request = selectors.record_request_of(patient, pk)
    if record_request is None or not record_request.is_released:
        raise Http404("No such record to download.")
    detail, filename = f"account: downloaded the released record {pk}", f"record-{timezone.localdate():%Y-%m-%d}.pdf"
    return _pdf_read(request, patient, detail, filename, reason=f"{OWN_COPY}, records request {pk}", kind="record")


@reads_page("records.export")
def record_requests(request: HttpRequest) -> HttpResponse:
    audit_read(request, None, "records requests")
    return render(request, "records/record_requests.html", {"requests": selectors.record_requests_open()})


def _request_or_404(user, pk: int) -> RecordRequest:
    """A records request (for those who may export records: they see every one); 404 for no such request."""
    record_request = selectors.record_request(pk)
    if record_request is None:
        raise Http404("No such records request.")
    return record_request


@reads_page("records.export")
def record_request_produce(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole-record PDF of a request, for the admin to check before releasing it."""
    record_request = _request_or_404(request.user, pk)
    reason = f"records request {pk}: produced for review"
    detail = f"records request {pk}: produced"
    return _pdf_read(request, record_request.patient, detail, f"record-request-{pk}.pdf", reason=reason)


@acts_on_object("records.export", _request_or_404)
def record_request_release(request: HttpRequest, record_request: RecordRequest) -> HttpResponse:
    attempt(
        request,
        lambda: services.record_request_release(record_request=record_request, actor=request.user, request=request),
        success=_("Released to %(name)s; they get an e-mail with the link.")
        % {"name": record_request.patient.full_name},
    )
    return redirect("clinic:record_requests")


@reads_object("records.export", get_patient_for_user, "export form", methods=SAFE_OR_POST)
def patient_export(request: HttpRequest, patient: Patient) -> HttpResponse:
    """A clinic admin downloads one patient's record as FHIR or PDF, with the reason for the audit trail (the
    download names itself, in place of the form)."""
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        detail = f"export download ({data['format']})"
        if data["format"] == "pdf":
            export = {name: data[name] for name in ("reason", "start", "end")}
            return _pdf_read(request, patient, detail, f"patient-{patient.pk}-record.pdf", **export)
        audit_read(request, patient, detail)
        bundle = services.records_fhir(patient=patient, actor=request.user, reason=data["reason"])
        content = json.dumps(bundle, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
        return _download(content, f"patient-{patient.pk}-fhir.json", "application/fhir+json")
    return render(request, "records/patient_export.html", {"patient": patient, "form": form})
