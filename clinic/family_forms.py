"""Forms of the family pages: a guardian adds a child; the front desk links a record to a guardian's account."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.input_limits import BoundedFormMixin
from clinic.models import Patient
from clinic.widgets import DateInput


class DependantForm(BoundedFormMixin, forms.Form):
    first_name = forms.CharField(label=_("Child's first name"), max_length=100)
    last_name = forms.CharField(label=_("Child's last name"), max_length=100)
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=DateInput())
    sex = forms.ChoiceField(label=_("Sex"), choices=Patient.Sex.choices, initial=Patient.Sex.UNDISCLOSED)
    relationship = forms.CharField(
        label=_("You are their"), max_length=80, help_text=_("For example mother, father, legal guardian.")
    )


class ActForForm(forms.Form):
    """Which family member's pages to use, and where to go next (a fixed list: never a URL from the form)."""

    GO = {"account": "scheduling:account_home", "book": "scheduling:book_start", "intake": "intake:intake_home"}
    patient = forms.IntegerField(widget=forms.HiddenInput, required=False)  # empty: the account holder
    go = forms.ChoiceField(choices=[(k, k) for k in GO], widget=forms.HiddenInput)


class GuardianLinkForm(forms.Form):
    guardian_email = forms.EmailField(label=_("Parent's or guardian's account e-mail"), max_length=254)
    relationship = forms.CharField(label=_("Relationship to the patient"), max_length=80, help_text=_("e.g. mother"))


class GuardianLinkEndForm(forms.Form):
    reason = forms.CharField(label=_("Why the link ends"), max_length=200)
