from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.input_limits import BoundedFormMixin
from clinic.models import Patient
from clinic.single_line import SingleLineFormMixin
from clinic.widgets import DateInput


class NotADuplicateMixin(forms.Form):
    """The desk's answer to a duplicate warning: "this is a different person, register them anyway"."""

    not_a_duplicate = forms.BooleanField(
        label=_("This is a different person: register them anyway"), required=False, widget=forms.HiddenInput
    )


class MergeForm(forms.Form):
    """Which record to merge into this one (the duplicate goes, its visits, forms and notes come over)."""

    merged = forms.IntegerField(label=_("Patient number of the duplicate record"), min_value=1)
    confirm = forms.BooleanField(label=_("I have checked these are the same person"), required=True)


class PatientForm(BoundedFormMixin, SingleLineFormMixin, forms.ModelForm):
    class Meta:
        model = Patient
        fields = Patient.RECORD_FIELDS
        widgets = {"date_of_birth": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left unchosen (an older form, a script), the record keeps its language: new records get the default.
        self.fields["language"].required = False
        self.fields["language"].help_text = _("The language of the patient's pages and e-mails (reminders too).")

    def clean_language(self):
        return self.cleaned_data.get("language") or self.instance.language or settings.LANGUAGE_CODE

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if born > today:
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        if today.year - born.year > 120:
            raise forms.ValidationError(_("Check the year: that would make the patient over 120."))
        return born

    def clean(self):
        data = super().clean()
        born = data.get("date_of_birth")
        if born and not data.get("guardian_name"):
            probe = Patient(date_of_birth=born)
            if probe.is_minor():
                self.add_error("guardian_name", _("A minor needs a parent or guardian on file."))
        return data


class PatientCreateForm(PatientForm, NotADuplicateMixin):
    """Registering a patient: the record's fields, and the answer to a duplicate warning."""

    def record_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in Patient.RECORD_FIELDS}
