"""The intake steps, the consent screen and the staff forms.

Step forms only validate; the services store their cleaned data (JSON) on the submission.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.input_limits import BoundedFormMixin
from clinic.models import Patient, phone_validator
from clinic.questionnaire_fields import SKIP, item_field
from clinic.single_line import SingleLineFormMixin
from clinic.widgets import DateInput
from intake import content
from intake.models import ConsentSignature, ConsentVersion, Questionnaire

YES_NO = (("yes", _("Yes")), ("no", _("No")))


def _optional_text(label, *, max_length: int = 1000) -> forms.CharField:
    """An optional free-text box, two rows high."""
    return forms.CharField(label=label, max_length=max_length, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AboutForm(BoundedFormMixin, SingleLineFormMixin, forms.Form):
    # The name on the record, shown to be checked; a corrected one replaces it when the intake is submitted.
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    preferred_name = forms.CharField(label=_("Name you like to be called (optional)"), max_length=100, required=False)
    # The browser's date picker reads only YYYY-MM-DD: never the active language's format (15/06/1985 in Spanish).
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=DateInput(format="%Y-%m-%d"))
    sex = forms.ChoiceField(label=_("Sex"), choices=Patient.Sex.choices)
    phone = forms.CharField(label=_("Phone"), max_length=30, validators=[phone_validator])
    email = forms.EmailField(label=_("E-mail"), required=False)
    address_line1 = forms.CharField(label=_("Street address"), max_length=200)
    city = forms.CharField(label=_("Town or city"), max_length=100)
    region = forms.CharField(label=_("State or province"), max_length=100, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    emergency_contact_name = forms.CharField(label=_("Emergency contact: name"), max_length=200)
    emergency_contact_phone = forms.CharField(
        label=_("Emergency contact: phone"), max_length=30, validators=[phone_validator]
    )
    emergency_contact_relationship = forms.CharField(
        label=_("Emergency contact: relationship to you"), max_length=80, required=False
    )
    family_physician = forms.CharField(
        label=_("Family doctor (name and practice, optional)"), max_length=200, required=False
    )

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        if born > timezone.localdate():
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        return born


class VisitForm(forms.Form):
    complaint = forms.CharField(
        label=_("What brings you in? Describe your main problem."),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    complaint_area = forms.ChoiceField(
        label=_("Where is your main problem?"), choices=content.COMPLAINT_AREAS, widget=forms.RadioSelect
    )
    onset = forms.CharField(label=_("When did it start? (for example “three weeks ago”)"), max_length=200)
    cause = forms.ChoiceField(label=_("How did it start?"), choices=content.CAUSES)
    cause_detail = forms.CharField(
        label=_("Anything more about how it started (optional)"), max_length=500, required=False
    )
    other_complaints = _optional_text(_("Any other problems, with when and how they started (optional)"))
    pain_now = forms.TypedChoiceField(
        label=_("Pain right now, from 0 (no pain) to 10 (worst pain you can imagine)"),
        choices=[(str(n), str(n)) for n in range(11)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    pain_regions = forms.MultipleChoiceField(
        label=_("Where does it hurt?"),
        choices=[(r.code, r.label) for r in content.REGIONS],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Mark at least one place where it hurts.")},
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("cause") == "other" and not cleaned.get("cause_detail"):
            self.add_error("cause_detail", _("Tell us how it started, or choose another answer above."))
        return cleaned


class HealthForm(forms.Form):
    conditions = forms.MultipleChoiceField(
        label=_("Have you been told you have any of these?"),
        choices=content.HEALTH_CONDITIONS,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick the conditions you have, or “None of these”.")},
    )
    conditions_other = _optional_text(_("Other illnesses or conditions (optional)"))
    medications = _optional_text(_("Medicines you take, including over-the-counter ones (optional)"))
    anticoagulants = forms.ChoiceField(
        label=_(
            "Do you take a blood thinner (anticoagulant), such as warfarin, apixaban, rivaroxaban or daily aspirin?"
        ),
        choices=(*YES_NO, ("unsure", _("Not sure"))),
        widget=forms.RadioSelect,
    )
    allergies = forms.CharField(label=_("Allergies (optional)"), max_length=500, required=False)
    surgeries = _optional_text(_("Operations you have had, with the year (optional)"))
    pregnant = forms.ChoiceField(label=_("Are you pregnant?"), choices=content.PREGNANCY, widget=forms.RadioSelect)

    def __init__(self, *args, minor: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if minor:  # a child's intake, filled by their parent: the pregnancy question is for adult patients
            del self.fields["pregnant"]

    def clean_conditions(self):
        chosen = self.cleaned_data["conditions"]
        if "none" in chosen and len(chosen) > 1:
            raise forms.ValidationError(_("You ticked “None of these” and a condition: untick one of them."))
        return chosen


class RedFlagsForm(forms.Form):
    details = _optional_text(_("If you answered yes to any question, tell us more (optional)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        questions = {}
        for code, question, _area in content.RED_FLAGS:
            questions[code] = forms.ChoiceField(
                label=question,
                choices=YES_NO,
                widget=forms.RadioSelect,
                error_messages={"required": _("Answer yes or no.")},
            )
        # Questions first, the free text last.
        self.fields = {**questions, "details": self.fields["details"]}

    def flagged(self) -> list[str]:
        return [code for code, _q, _a in content.RED_FLAGS if self.cleaned_data.get(code) == "yes"]


class OutcomeForm(forms.Form):
    """One radio group per item of the questionnaire. Every item needs an answer or a deliberate "skip": a
    question passed over by mistake is asked for before the form moves on (the instruments' rule for missing
    items then decides whether the form can be scored)."""

    def __init__(self, *args, questionnaire: Questionnaire | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.questionnaire = questionnaire
        if questionnaire is None:
            return
        for item in questionnaire.items.all():
            self.fields[item.code] = item_field(item)

    def skipped(self) -> int:
        return sum(1 for value in self.cleaned_data.values() if value == SKIP)

    def too_many_skipped(self) -> bool:
        return self.questionnaire is not None and self.skipped() > self.questionnaire.max_missing_items


STEP_FORMS = {"about": AboutForm, "visit": VisitForm, "health": HealthForm, "redflags": RedFlagsForm}


def step_form(step: str, *args, patient, **kwargs) -> forms.Form:
    """The form of an intake step for this patient (a minor's health step has no pregnancy question)."""
    if step == "health":
        kwargs["minor"] = patient.is_minor()
    return STEP_FORMS[step](*args, **kwargs)


class ConsentForm(SingleLineFormMixin, forms.Form):
    """The consent screen: every risk ticked, the cervical choice, the typed name; a guardian for a minor."""

    read_to_end = forms.BooleanField(
        label=_("I have read the whole text above, to the end."),
        error_messages={"required": _("Read the whole text, then tick this box.")},
    )
    cervical_consent = forms.ChoiceField(
        label=_("Do you agree to procedures on your neck (cervical procedures)?"),
        choices=(("yes", _("Yes, I agree to neck procedures")), ("no", _("No, do not treat my neck"))),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether you agree to neck procedures.")},
    )
    signer_name = forms.CharField(label=_("Type your full name to sign"), max_length=200)
    signer_role = forms.ChoiceField(
        label=_("You are signing as the patient's"),
        choices=[c for c in ConsentSignature.SignerRole.choices if c[0] != "patient"],
        required=False,
    )
    guardian_relationship = forms.CharField(
        label=_("Your relationship to the patient (for example mother, father, legal guardian)"),
        max_length=80,
        required=False,
    )
    text_sha256 = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, version: ConsentVersion, minor: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        self.minor = minor
        self.initial.setdefault("text_sha256", version.sha256)
        risk_fields = {}
        for risk in version.risks:
            risk_fields[f"risk_{risk['code']}"] = forms.BooleanField(
                label=risk["label"],
                error_messages={"required": _("Tick to confirm you have read and understood this risk.")},
            )
        head = {"read_to_end": self.fields.pop("read_to_end")}
        self.fields = {**head, **risk_fields, **self.fields}
        if minor:
            self.fields["signer_name"].label = _("Parent or guardian: type your full name to sign")
            self.fields["signer_role"].required = True
            self.fields["guardian_relationship"].required = True
        else:
            del self.fields["signer_role"]
            del self.fields["guardian_relationship"]

    def risk_field_names(self) -> list[str]:
        return [f"risk_{r['code']}" for r in self.version.risks]

    def acknowledged(self) -> list[str]:
        return [r["code"] for r in self.version.risks if self.cleaned_data.get(f"risk_{r['code']}")]


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Send the link to this e-mail address"))


class RedFlagReviewForm(forms.Form):
    review_note = _optional_text(
        _("Review note (what you decided, for example referral or no contraindication found)"), max_length=2000
    )


class UrgentAlertHandleForm(forms.Form):
    note = forms.CharField(
        label=_("What was done (for example: called, advised to go to the emergency department today)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 1000}),
    )
