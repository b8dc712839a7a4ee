from __future__ import annotations

from django import forms


class ExportForm(forms.Form):
    """A clinic admin's export of one patient's record: the reason goes into the audit trail."""

    FORMATS = [("fhir", "FHIR R4 bundle (JSON)"), ("pdf", "Whole record (PDF)")]
    reason = forms.CharField(
        max_length=150, help_text="Recorded in the audit trail, e.g. “transfer to Dr. Lee, request of 3 Dec”."
    )
    format = forms.ChoiceField(choices=FORMATS, initial="fhir")
    start = forms.DateField(required=False, label="PDF from (optional)", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, label="PDF to (optional)", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "The last day is before the first day.")
        return data
