from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ExportForm(forms.Form):
    """A clinic admin's export of one patient's record: the reason goes into the audit trail."""

    FORMATS = [("fhir", _("FHIR R4 bundle (JSON)")), ("pdf", _("Whole record (PDF)"))]
    reason = forms.CharField(
        max_length=150, help_text=_("Recorded in the audit trail, e.g. “transfer to Dr. Lee, request of 3 Dec”.")
    )
    format = forms.ChoiceField(choices=FORMATS, initial="fhir")
    start = forms.DateField(
        required=False, label=_("PDF from (optional)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(required=False, label=_("PDF to (optional)"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The last day is before the first day."))
        return data
