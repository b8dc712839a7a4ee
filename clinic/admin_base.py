"""What every admin page of patient data shares: reads audited like any other page, writes audited, and the
read-only admin for records that are never edited by hand (signatures, submissions, scores, notes, audit).

Used by every app's admin.py; a test fails for an admin page that shows a patient's data without exactly one
audit row per request.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect
from django.db import models

from clinic.audit import audit_read
from clinic.models import AuditEvent
from clinic.services import audit_record


class _BoundedChangeList(ChangeList):
    """A list whose filters come from the URL: a value no column can hold (a year past 9999, an id past 64 bits)
    is a wrong filter, answered as Django answers other wrong filters (the list again, "?e=1"), not a 500."""

    def get_queryset(self, request, exclude_parameters=None):
        try:
            return super().get_queryset(request, exclude_parameters)
        except (OverflowError, ValueError) as exc:
            raise IncorrectLookupParameters(exc) from exc


class ValidAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete box renders, when optional, an empty option with no text, and, when required, no
    empty option at all: both invalid HTML (the Nu checker; a screen reader announces a blank choice). Here the
    first option is always the empty one, in words."""

    def optgroups(self, name, value, attr=None):
        groups = super().optgroups(name, value, attr)
        options = groups[0][1]
        if options and options[0]["value"] == "":
            options[0]["label"] = "(none)"
        elif not self.allow_multiple_selected:
            options.insert(0, self.create_option(name, "", "Choose…", False, 0))
        return groups


class ClinicModelAdmin(admin.ModelAdmin):
    """Every admin of ours: list filters typed into the URL never reach a 500 (see _BoundedChangeList), and the
    pages are valid HTML where Django's defaults are not (issue 25 part 5): autocomplete boxes with a worded
    empty choice, no hidden "initial" copy of a JSON field carrying the visible field's aria-describedby, and no
    help-text reference from a list's editable cells to a help text the list does not show."""

    def get_changelist(self, request, **kwargs):
        return _BoundedChangeList

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = ValidAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(db_field, models.JSONField):
            # A callable default (list, dict) makes Django add a hidden copy of the initial value, which
            # inherits the field's aria-describedby (not allowed on a hidden input). The change is still
            # detected against the initial value without it.
            formfield.show_hidden_initial = False
        if formfield is not None and isinstance(db_field, models.DateTimeField):
            # The admin's date and time boxes share one label that names neither box (axe: label).
            widgets = getattr(formfield.widget, "widgets", ())
            for widget, part in zip(widgets, ("date", "time"), strict=False):
                widget.attrs.setdefault("aria-label", f"{formfield.label}: {part}")
        return formfield

    def get_changelist_form(self, request, **kwargs):
        form = super().get_changelist_form(request, **kwargs)

        class WithoutHelp(form):
            def __init__(self, *args, **kw):
                super().__init__(*args, **kw)
                for field in self.fields.values():
                    field.help_text = ""  # the list shows no help texts, so cells must not point to one

        return WithoutHelp


class PatientDataAdmin(ClinicModelAdmin):
    """An admin of rows that hold patient data: the list, a row, its history and its delete page are reads;
    a change, an addition and a deletion are written to the audit trail with the changed field names."""

    def changelist_view(self, request, extra_context=None):
        audit_read(request, None, f"admin list: {self.opts.verbose_name_plural}"[:300])
        return super().changelist_view(request, extra_context)

    def _audit_object(self, request, object_id, what: str) -> None:
        obj = self.get_object(request, unquote(object_id))
        if obj is not None:
            audit_read(request, obj, f"admin {what}: {self.opts.verbose_name}"[:300])

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._audit_object(request, object_id, "change page" if self.has_change_permission(request) else "view")
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._audit_object(request, object_id, "history")
        return super().history_view(request, object_id, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._audit_object(request, object_id, "delete page")
        return super().delete_view(request, object_id, extra_context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changed = ", ".join(form.changed_data) if change else ""
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.UPDATE if change else AuditEvent.Action.CREATE,
            obj=obj,
            request=request,
            detail=(f"admin: changed {changed}" if changed else "admin: saved")[:300],
        )

    def delete_model(self, request, obj):
        audit_record(actor=request.user, action=AuditEvent.Action.DELETE, obj=obj, request=request, detail="admin")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit_record(actor=request.user, action=AuditEvent.Action.DELETE, obj=obj, request=request, detail="admin")
        super().delete_queryset(request, queryset)


class ReadOnlyAdmin(PatientDataAdmin):
    """Records nobody edits by hand, superusers included: shown, never added, changed or deleted here."""

    actions = None

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ClinicTabularInline(admin.TabularInline):
    """A tabular inline whose boxes are named for screen readers: Django labels the columns only by their header
    cells, so each box gets its column's name (axe: label)."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class Labelled(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                for field in form.fields.values():
                    if not field.widget.is_hidden:  # no aria-* on a hidden input (the row's id, its parent)
                        field.widget.attrs.setdefault("aria-label", str(field.label or ""))

        return Labelled
