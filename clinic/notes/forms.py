"""The visit-note form: the note's own fields plus three sets of repeatable rows (stored as JSON lists).

Each row set shows the rows already recorded and two empty ones, so more rows can be added without
JavaScript (save, and two new empty rows appear). A row left entirely empty is ignored; a half-filled row
gets a field error.
"""

from __future__ import annotations

from django import forms
from django.forms.models import fields_for_model
from django.utils.text import format_lazy
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from clinic.models import BlockLandmark, NoteTemplate, VisitNote
from clinic.models.notes import VERTEBRAL_LEVELS, Position, Side
from clinic.notes.rendering import NoteBoundField
from clinic.notes.selectors import note_templates_active

BLANK = [("", "—")]
LEVEL_CHOICES = BLANK + [(level, level) for level in VERTEBRAL_LEVELS]
SIDE_CHOICES = BLANK + Side.choices
POSITION_CHOICES = BLANK + Position.choices

# The note's own fields, in the order of the page (S, O, A, P).
SECTIONS = {
    "subjective": ["chief_complaint", "pain_today", "progress", "adverse_event", "adverse_event_detail"],
    "objective": [*VisitNote.SOT_INDICATOR_FIELDS, "cranial_findings", "sacral_base"],
    "assessment": ["assessment", "red_flags_reviewed"],
    "plan": list(VisitNote.PLAN_FIELDS),
}
NOTE_FIELDS = [name for names in SECTIONS.values() for name in names]
TEXTAREA_ROWS = {
    "adverse_event_detail": 2,
    "cranial_findings": 2,
    "assessment": 3,
    "cranial_work": 2,
    "extremity_work": 2,
    "other_procedures": 2,
    "indicators_after": 2,
    "plan": 3,
}


class VisitNoteForm(forms.Form):
    """The single-value fields of a note, taken from the model (labels, choices, limits)."""

    bound_field_class = NoteBoundField  # `{{ field.html }}`: the page's fields drawn without the template engine

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, rows in TEXTAREA_ROWS.items():
            self.fields[name].widget.attrs["rows"] = rows
        self.fields["pain_today"] = forms.IntegerField(
            label=_("Pain today (0-10)"),
            min_value=0,
            max_value=10,
            required=False,
            help_text=_("0 none, 10 worst imaginable"),
        )


VisitNoteForm.base_fields = fields_for_model(VisitNote, fields=NOTE_FIELDS)


class _RowForm(forms.Form):
    """A repeatable row: every field optional; an empty row is skipped, a partial row must be completed."""

    required_fields: tuple[str, ...] = ()
    bound_field_class = NoteBoundField

    def clean(self):
        data = super().clean()
        filled = [name for name in self.required_fields if data.get(name) not in (None, "")]
        if filled and len(filled) < len(self.required_fields):
            for name in self.required_fields:
                if data.get(name) in (None, ""):
                    self.add_error(name, _("Complete this row or clear it."))
        return data

    def row(self) -> dict | None:
        data = self.cleaned_data
        if not data or all(data.get(name) in (None, "") for name in self.required_fields):
            return None
        return self.as_row(data)


class FiberForm(_RowForm):
    required_fields = ("line", "area", "level", "side")
    line = forms.TypedChoiceField(
        choices=BLANK + [(n, format_lazy(pgettext_lazy("SOT category", "Line {n}"), n=n)) for n in (1, 2, 3)],
        coerce=int,
        required=False,
    )
    area = forms.TypedChoiceField(
        choices=BLANK + [(n, format_lazy(pgettext_lazy("SOT category", "Area {n}"), n=n)) for n in range(1, 8)],
        coerce=int,
        required=False,
    )
    level = forms.ChoiceField(label=_("Vertebral level"), choices=LEVEL_CHOICES, required=False)
    side = forms.ChoiceField(choices=SIDE_CHOICES, required=False)

    @staticmethod
    def as_row(data):
        return {"line": data["line"], "area": data["area"], "level": data["level"], "side": data["side"]}


class BlockForm(_RowForm):
    required_fields = ("block", "side", "landmark", "position", "minutes")
    block = forms.TypedChoiceField(
        choices=[*BLANK, (1, pgettext_lazy("SOT blocks", "Block 1")), (2, pgettext_lazy("SOT blocks", "Block 2"))],
        coerce=int,
        required=False,
    )
    side = forms.ChoiceField(choices=SIDE_CHOICES, required=False)
    landmark = forms.ChoiceField(choices=BLANK, required=False)
    position = forms.ChoiceField(label=_("Patient position"), choices=POSITION_CHOICES, required=False)
    minutes = forms.IntegerField(min_value=1, max_value=60, required=False)

    def __init__(self, *args, landmarks: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        names = list(landmarks)
        current = (self.initial or {}).get("landmark")
        if current and current not in names:  # a landmark since retired stays readable on older rows
            names.append(current)
        self.fields["landmark"].choices = BLANK + [(n, n) for n in names]
        self.fields["minutes"].widget.attrs["inputmode"] = "numeric"

    @staticmethod
    def as_row(data):
        return {k: data[k] for k in ("block", "side", "landmark", "position", "minutes")}


class CmrtForm(_RowForm):
    required_fields = ("level",)
    level = forms.ChoiceField(label=_("CMRT level"), choices=LEVEL_CHOICES, required=False)
    note = forms.CharField(label=_("What was done"), max_length=200, required=False)

    @staticmethod
    def as_row(data):
        return {"level": data["level"], "note": data.get("note", "")}


def _formset(form, prefix):
    return forms.formset_factory(form, extra=2, max_num=20, absolute_max=30, validate_max=True), prefix


ROW_SETS = {
    "occipital_fibers": _formset(FiberForm, "fibers"),
    "block_placements": _formset(BlockForm, "blocks"),
    "cmrt_levels": _formset(CmrtForm, "cmrt"),
}


class NoteForms:
    """The note form and its row sets, bound together: `is_valid()`, then `changes()` for the service."""

    def __init__(self, note: VisitNote, data=None):
        self.note = note
        self.form = VisitNoteForm(data, initial=_initial(note), prefix="note")
        landmarks = list(BlockLandmark.objects.filter(active=True).values_list("name", flat=True))
        # A landmark retired since this draft stored it stays a choice of this note, so the draft can still be
        # saved (and signed) as it stands; new notes offer the active ones only.
        for row in getattr(note, "block_placements", None) or []:
            if row.get("landmark") and row["landmark"] not in landmarks:
                landmarks.append(row["landmark"])
        self.row_sets = {}
        for name, (formset_class, prefix) in ROW_SETS.items():
            kwargs = {"form_kwargs": {"landmarks": landmarks}} if name == "block_placements" else {}
            # A posted page is the whole truth about its rows. Given the stored rows as `initial` too, a row
            # equal to what an autosave (or a refused Sign) already stored counts as an "unchanged extra
            # form" when the page was drawn before it was stored, and Django skips it: the row would vanish.
            initial = (getattr(note, name) or []) if data is None else None
            self.row_sets[name] = formset_class(data, initial=initial, prefix=prefix, **kwargs)

    def is_valid(self) -> bool:
        results = [self.form.is_valid()] + [fs.is_valid() for fs in self.row_sets.values()]
        return all(results)

    def changes(self) -> dict:
        data = dict(self.form.cleaned_data)
        for name, formset in self.row_sets.items():
            data[name] = [row for row in (f.row() for f in formset.forms) if row is not None]
        return data

    @property
    def fields(self):
        return self.form.fields

    def add_error(self, field: str | None, message) -> None:
        if field in self.form.fields:
            self.form.add_error(field, message)
        else:
            self.form.add_error(None, message)

    def section(self, name: str):
        return [self.form[field] for field in SECTIONS[name]]

    def warn_cervical(self, problem: str | None) -> None:
        """Say on the cervical select itself, before anyone chooses, that the patient's consent does not cover
        neck procedures (the page's notice alone sits above a select one may reach by keyboard or scroll)."""
        if not problem:
            return
        field = self.form.fields["cervical_adjustment"]
        field.help_text = problem
        field.choices = [("", gettext("None: consent does not cover neck procedures"))] + [
            c for c in field.choices if c[0]
        ]

    def error_summary(self) -> list[tuple[str, str, str]]:
        """Every refusal on the page as (field id, label, message), in page order, for the summary at the top:
        the note's own fields, then each row set's rows (a refused Save can otherwise sit 2,500 px down)."""
        summary = [("note-form", "", str(e)) for e in self.form.non_field_errors()]
        for bound in self.form:
            summary += [(bound.id_for_label, str(bound.label), str(e)) for e in bound.errors]
        for name, formset in self.row_sets.items():
            title = name.replace("_", " ").capitalize()
            summary += [(f"id_{formset.prefix}-TOTAL_FORMS", title, str(e)) for e in formset.non_form_errors()]
            for number, row in enumerate(formset.forms, start=1):
                for bound in row:
                    summary += [
                        (bound.id_for_label, f"{title}, row {number}: {bound.label}", str(e)) for e in bound.errors
                    ]
        return summary


def _initial(note: VisitNote) -> dict:
    initial = {name: getattr(note, name) for name in NOTE_FIELDS}
    return initial


class TemplateChoiceForm(forms.Form):
    # An optional shortcut, not a field of the note: no "required" asterisk. Applying with none chosen is still
    # refused, with a message saying so.
    template = forms.ModelChoiceField(
        label=_("Clinic template"),
        queryset=NoteTemplate.objects.none(),
        empty_label=_("Choose a template"),
        required=False,
    )

    def clean_template(self):
        template = self.cleaned_data.get("template")
        if template is None:
            raise forms.ValidationError(_("Choose a template to apply."))
        return template

    bound_field_class = NoteBoundField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["template"]
        field.queryset = note_templates_active()
        if not self.is_bound:
            # The page asks whether there are any and draws their choices: one query for both (a posted form
            # looks its choice up through the queryset as before).
            templates = list(field.queryset)
            self.has_templates = bool(templates)
            field.choices = [("", field.empty_label), *((t.pk, field.label_from_instance(t)) for t in templates)]


class AddendumForm(forms.Form):
    text = forms.CharField(label=_("Addendum"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
