from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clinic import selectors as clinic_selectors
from clinic.input_limits import FIRST_DAY, LAST_DAY, MAX_ID, BoundedFormMixin
from clinic.models import Location, Patient, Practitioner, Room, phone_validator
from clinic.single_line import SingleLineFormMixin
from clinic.widgets import DateInput, DateTimeLocalInput, TimeInput
from scheduling.models import FRONTDESK_NOTES_MAX, AvailabilityException, Weekday
from scheduling.selectors import appointment_types_active


def _practitioner_field(required=True, **kwargs):
    return forms.ModelChoiceField(queryset=clinic_selectors.practitioners_active(), required=required, **kwargs)


def _type_field(**kwargs):
    return forms.ModelChoiceField(queryset=appointment_types_active(), label=_("Appointment type"), **kwargs)


PATIENT_ERRORS = {"invalid_choice": _("No such patient. Search again, or fill in the new patient's details.")}


class PatientChoiceMixin(BoundedFormMixin, SingleLineFormMixin, forms.Form):
    """A patient picked from a search (radio buttons rendered by the picker), or a new patient's details."""

    patient = forms.ModelChoiceField(
        queryset=Patient.objects.all(), required=False, widget=forms.HiddenInput, error_messages=PATIENT_ERRORS
    )
    new_first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    new_last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    new_date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput)
    new_phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    new_email = forms.EmailField(label=_("E-mail"), required=False)
    # The desk's answer to a duplicate warning for the new patient: "a different person, register anyway".
    new_not_a_duplicate = forms.BooleanField(required=False, widget=forms.HiddenInput)

    allow_new_patient = True

    def clean(self):
        data = super().clean()
        if self.errors.get("patient"):
            return data
        if data.get("patient"):
            return data
        new = [data.get("new_first_name"), data.get("new_last_name"), data.get("new_date_of_birth")]
        if not self.allow_new_patient or not any(new):
            self.add_error("patient", _("Choose a patient from the search results."))
        elif not all(new):
            self.add_error("patient", _("For a new patient give first name, last name and date of birth."))
        elif data["new_date_of_birth"] > timezone.localdate():
            self.add_error("new_date_of_birth", _("The date of birth cannot be in the future."))
        return data

    def new_patient_fields(self) -> dict:
        d = self.cleaned_data
        return {
            "first_name": d["new_first_name"],
            "last_name": d["new_last_name"],
            "date_of_birth": d["new_date_of_birth"],
            "phone": d.get("new_phone", ""),
            "email": d.get("new_email", ""),
        }


class AppointmentBookForm(PatientChoiceMixin):
    appointment_type = _type_field()
    practitioner = _practitioner_field()
    start = forms.DateTimeField(label=_("Starts at"), widget=DateTimeLocalInput)
    room = forms.ModelChoiceField(
        queryset=Room.objects.none(), required=False, empty_label=_("Any free room"), label=_("Room")
    )
    frontdesk_notes = forms.CharField(
        label=_("Notes for the front desk"),
        required=False,
        max_length=FRONTDESK_NOTES_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "data-char-counter": ""}),
    )
    # Heard on the phone: the language of the patient's e-mails (the confirmation and every reminder) and pages.
    language = forms.ChoiceField(
        label=_("Patient's language"),
        choices=[("", _("As on their record (a new patient: English)")), *settings.LANGUAGES],
        required=False,
        help_text=_("Their confirmation, reminders and pages online are in this language; it is kept on the record."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = clinic_selectors.rooms_active()

    def new_patient_fields(self) -> dict:
        return {**super().new_patient_fields(), "language": self.cleaned_data.get("language") or settings.LANGUAGE_CODE}

    def language_change(self) -> str:
        """The language to store on the chosen (existing) patient's record before booking; "" for none."""
        patient, language = self.cleaned_data.get("patient"), self.cleaned_data.get("language")
        return language if patient is not None and language and language != patient.language else ""

    def clean_start(self):
        start = self.cleaned_data["start"]
        if start < timezone.now():
            raise ValidationError(_("That time is in the past. Choose a time from now on."))
        return start


class AppointmentMoveForm(BoundedFormMixin, forms.Form):
    start = forms.DateTimeField(label=_("New start"), widget=DateTimeLocalInput)
    practitioner = _practitioner_field(required=False, empty_label=_("Same practitioner"))

    def clean_start(self):
        start = self.cleaned_data["start"]
        if start < timezone.now():
            raise ValidationError(_("That time is in the past. Choose a time from now on."))
        return start


class AppointmentRoomForm(forms.Form):
    room = forms.ModelChoiceField(queryset=Room.objects.none(), label=_("Room"))

    def __init__(self, *args, location_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        rooms = clinic_selectors.rooms_active()
        self.fields["room"].queryset = rooms.filter(location_id=location_id) if location_id else rooms


class AppointmentCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "data-char-counter": ""}),
    )


class CheckInForm(forms.Form):
    override_reason = forms.CharField(
        label=_("Reason to check in with paperwork missing"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"data-char-counter": ""}),
    )


class SlotFindForm(BoundedFormMixin, forms.Form):
    appointment_type = _type_field()
    practitioner = _practitioner_field(required=False, empty_label=_("Any practitioner"))
    earliest = forms.DateField(label=_("Earliest date"), widget=DateInput)

    def clean_earliest(self):
        day = self.cleaned_data["earliest"]
        if day < timezone.localdate():
            raise ValidationError(_("Choose today or a later date."))
        return day


class SeriesForm(PatientChoiceMixin):
    allow_new_patient = False
    appointment_type = _type_field()
    practitioner = _practitioner_field()
    first_date = forms.DateField(label=_("First date"), widget=DateInput)
    weekdays = forms.TypedMultipleChoiceField(
        choices=Weekday.choices[:6], coerce=int, widget=forms.CheckboxSelectMultiple, label=_("On these days")
    )
    time_of_day = forms.TimeField(label=pgettext_lazy("time of day", "At"), widget=TimeInput)
    weeks = forms.IntegerField(
        label=_("For how many weeks"),
        min_value=1,
        max_value=26,
        initial=6,
        required=False,
        help_text=_("Weeks x days a week, counted from the first date."),
    )
    visits = forms.IntegerField(
        label=_("Or: number of visits"),
        min_value=1,
        max_value=78,
        required=False,
        help_text=_("When given, this many visits are planned and the weeks are not used."),
    )
    notes = forms.CharField(label=_("Plan notes"), max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if not data.get("weeks") and not data.get("visits") and "weeks" not in self.errors:
            self.add_error("weeks", _("Give the number of weeks or the number of visits."))
        return data

    def clean_first_date(self):
        day = self.cleaned_data["first_date"]
        if day < timezone.localdate():
            raise ValidationError(_("Choose today or a later date."))
        return day


class WaitlistForm(PatientChoiceMixin):
    allow_new_patient = False
    appointment_type = _type_field()
    practitioners = forms.ModelMultipleChoiceField(
        queryset=Practitioner.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Practitioners acceptable"),
        help_text=_("None ticked means any practitioner."),
    )
    earliest_date = forms.DateField(label=_("From date"), widget=DateInput)
    latest_date = forms.DateField(label=_("To date"), widget=DateInput)
    time_from = forms.TimeField(label=_("From time of day"), widget=TimeInput, initial=dt.time(8))
    time_to = forms.TimeField(label=_("To time of day"), widget=TimeInput, initial=dt.time(18))
    notes = forms.CharField(max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practitioners"].queryset = clinic_selectors.practitioners_active()

    def clean(self):
        data = super().clean()
        if data.get("earliest_date") and data.get("latest_date") and data["earliest_date"] > data["latest_date"]:
            self.add_error("latest_date", _("The last date must be on or after the first date."))
        if data.get("time_from") and data.get("time_to") and data["time_from"] >= data["time_to"]:
            self.add_error("time_to", _("The end of the window must be after its start."))
        return data


# --- Online booking and the patient's account -------------------------------------------------


def slot_value(start: dt.datetime, practitioner_id: int) -> str:
    """A free time as one form value: the instant (ISO, with offset) and the practitioner."""
    return f"{start.isoformat()}|{practitioner_id}"


def parse_slot_value(value: str) -> tuple[dt.datetime, int]:
    """The inverse of slot_value; raises ValidationError for anything else (forged or stale input)."""
    try:
        raw_start, raw_practitioner = (value or "").split("|", 1)
        start = dt.datetime.fromisoformat(raw_start)
        practitioner_id = int(raw_practitioner)
    except ValueError:
        raise ValidationError(_("Choose one of the free times shown."), code="invalid_slot") from None
    if timezone.is_naive(start) or not FIRST_DAY <= start.date() <= LAST_DAY or abs(practitioner_id) > MAX_ID:
        raise ValidationError(_("Choose one of the free times shown."), code="invalid_slot")
    return start, practitioner_id


class SlotField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        return parse_slot_value(value) if value else None


class AboutYouForm(BoundedFormMixin, SingleLineFormMixin, forms.Form):
    """The few details a new online account needs to become a patient; the rest comes with the intake form."""

    first_name = forms.CharField(
        label=_("First name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=DateInput(attrs={"autocomplete": "bday"}))
    phone = forms.CharField(
        label=_("Phone"), max_length=30, widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})
    )

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        if born > timezone.localdate():
            raise ValidationError(_("The date of birth cannot be in the future."))
        if born.year < 1900:
            raise ValidationError(_("Check the year of birth."))
        return born

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        phone_validator(phone)
        return phone


class BookConfirmForm(forms.Form):
    slot = SlotField(label=_("Time"), required=True, error_messages={"required": _("Choose a time.")})


class VisitForForm(forms.Form):
    """Who an online booking is for, when the account also acts for children (clinic.family)."""

    ME = "me"
    patient = forms.ChoiceField(
        label=_("Who is this visit for?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who the visit is for.")},
    )

    def __init__(self, *args, members, own, offer_me: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(p.pk): p for p in members}
        choices = [
            (
                str(p.pk),
                _("%(name)s (me)") % {"name": p.full_name} if own is not None and p.pk == own.pk else p.full_name,
            )
            for p in members
        ]
        if own is None and offer_me:
            choices.insert(0, (self.ME, _("Me (my own first visit)")))
        self.fields["patient"].choices = choices

    def chosen(self):
        """The record chosen, or None for the account holder's own first visit (a record is made for them)."""
        value = self.cleaned_data["patient"]
        return None if value == self.ME else self.members[value]


class OnlineCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"), required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class OnlineMoveForm(forms.Form):
    slot = SlotField(label=_("New time"), error_messages={"required": _("Choose a new time.")})


# --- Blocking time (time off, meetings, extra hours) ------------------------------------------


class TimeBlockForm(forms.Form):
    """Time off, a meeting or extra hours for one practitioner: part of a day or the whole day, weekly for N
    weeks. `practitioners` is who the user may block time for (the desk: anyone; a practitioner: themselves)."""

    MAX_WEEKS = 52

    practitioner = forms.ModelChoiceField(queryset=Practitioner.objects.none())
    kind = forms.ChoiceField(label=pgettext_lazy("time block", "What"), choices=AvailabilityException.Kind.choices)
    date = forms.DateField(label=_("Date (the first, when it repeats)"), widget=DateInput)
    whole_day = forms.BooleanField(label=_("The whole day"), required=False)
    start_time = forms.TimeField(label=pgettext_lazy("time of day", "From"), widget=TimeInput, required=False)
    end_time = forms.TimeField(label=pgettext_lazy("time of day", "To"), widget=TimeInput, required=False)
    location = forms.ModelChoiceField(
        queryset=Location.objects.none(), required=False, help_text=_("For extra hours: where they are worked.")
    )
    reason = forms.CharField(max_length=200, required=False, help_text=_("Shown on the calendar, e.g. “Team meeting”."))
    weeks = forms.IntegerField(
        label=_("Weeks"),
        min_value=1,
        max_value=MAX_WEEKS,
        initial=1,
        help_text=_("1 for this date only; 4 repeats it on the same weekday for four weeks."),
        error_messages={"max_value": format_lazy(_("At most {count} weeks at a time."), count=MAX_WEEKS)},
    )

    def __init__(self, *args, practitioners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].queryset = practitioners
        self.fields["location"].queryset = clinic_selectors.locations_active()

    def clean(self):
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if data.get("whole_day"):
            if data.get("kind") == AvailabilityException.Kind.EXTRA_HOURS:
                self.add_error("whole_day", _("Extra hours need a start and an end time, not the whole day."))
            data["start_time"] = data["end_time"] = None
        else:
            if start is None and "start_time" not in self.errors:
                self.add_error("start_time", _("Give a start time, or tick “The whole day”."))
            if end is None and "end_time" not in self.errors:
                self.add_error("end_time", _("Give an end time, or tick “The whole day”."))
            if start and end and start >= end:
                self.add_error("end_time", _("The end time must be after the start time."))
        if data.get("kind") == AvailabilityException.Kind.EXTRA_HOURS and not data.get("location"):
            self.add_error("location", _("Say where the extra hours are worked."))
        return data
