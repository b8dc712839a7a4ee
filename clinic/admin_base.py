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


class ClinicModelAdmin(admin.ModelAdmin):
    """Every admin of ours: list filters typed into the URL never reach a 500 (see _BoundedChangeList)."""

    def get_changelist(self, request, **kwargs):
        return _BoundedChangeList


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
