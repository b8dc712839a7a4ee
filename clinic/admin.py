from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import ReadOnlyPasswordHashWidget
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clinic import services
from clinic.admin_base import ClinicModelAdmin, ClinicTabularInline, PatientDataAdmin, ReadOnlyAdmin
from clinic.models import (
    AuditEvent,
    BlockLandmark,
    Location,
    NoteAddendum,
    NoteTemplate,
    PainScale,
    Patient,
    Practitioner,
    Room,
    User,
    VisitNote,
)
from clinic.single_line import SingleLineFormMixin


class _PasswordSummary(ReadOnlyPasswordHashWidget):
    """Django's password summary is a <div> that inherits the read-only field's `disabled` (not valid on a div)
    and an aria-describedby naming a help text the admin does not show for it."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].pop("disabled", None)
        context["widget"]["attrs"].pop("aria-describedby", None)
        return context


@admin.register(User)
class UserAdmin(PatientDataAdmin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_active", "groups"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Name", {"fields": ("first_name", "last_name")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    actions = ["deactivate_users"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "password" in form.base_fields:
            form.base_fields["password"].widget = _PasswordSummary()
        return form

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            # Unticking "active" ends every open session of that user at once.
            services.user_deactivate(user=obj, actor=request.user, request=request)

    @admin.action(description=_("Deactivate selected users and end their sessions"))
    def deactivate_users(self, request, queryset):
        for user in queryset:
            services.user_deactivate(user=user, actor=request.user, request=request)
        count = queryset.count()
        self.message_user(
            request,
            # The English keeps "user(s)" in both forms; a translation gets its plural forms.
            ngettext(
                "%(count)s user(s) deactivated; their sessions have ended.",
                "%(count)s user(s) deactivated; their sessions have ended.",
                count,
            )
            % {"count": count},
        )


class RoomInline(ClinicTabularInline):
    model = Room
    extra = 0


@admin.register(Location)
class LocationAdmin(ClinicModelAdmin):
    list_display = ["name", "city", "phone", "time_zone", "active"]
    list_filter = ["active", "time_zone"]
    search_fields = ["name", "city", "address_line1"]
    inlines = [RoomInline]


@admin.register(Room)
class RoomAdmin(ClinicModelAdmin):
    list_display = ["name", "location", "active"]
    list_filter = ["location", "active"]
    search_fields = ["name", "location__name"]


@admin.register(Practitioner)
class PractitionerAdmin(ClinicModelAdmin):
    list_display = ["display_name", "credentials", "user", "colour", "active"]
    list_filter = ["active"]
    search_fields = ["display_name", "user__email"]
    autocomplete_fields = ["user"]


class PatientAdminForm(SingleLineFormMixin, forms.ModelForm):
    """The same cleaning as the front desk's patient form (no control characters in one-line fields)."""


@admin.register(Patient)
class PatientAdmin(PatientDataAdmin):
    form = PatientAdminForm
    list_display = ["last_name", "first_name", "date_of_birth", "phone", "email", "user"]
    list_filter = ["sex"]
    search_fields = ["last_name", "first_name", "email", "phone"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["user"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the audit trail is append-only, for everyone."""

    list_display = ["at", "actor_label", "action", "object_type", "object_id", "patient", "ip_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_id", "patient__last_name", "detail"]
    date_hierarchy = "at"
    list_select_related = ["patient"]


# --- Visit notes ----------------------------------------------------------------------------------------------


@admin.register(BlockLandmark)
class BlockLandmarkAdmin(ClinicModelAdmin):
    """The landmarks practitioners pick for block placements (they vary by SOT school)."""

    list_display = ["name", "position", "active"]
    list_editable = ["position", "active"]
    search_fields = ["name"]


@admin.register(PainScale)
class PainScaleAdmin(ClinicModelAdmin):
    """The meaningful change on the 0-10 pain rating (trend charts, outcomes report): one row, edited, never
    added twice or deleted."""

    list_display = ["__str__", "source_note", "updated_at"]
    fields = ["meaningful_change", "source_note"]

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not PainScale.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(NoteTemplate)
class NoteTemplateAdmin(ClinicModelAdmin):
    list_display = ["name", "sot_category", "active"]
    list_filter = ["active", "sot_category"]
    search_fields = ["name", "description"]


class NoteAddendumInline(ClinicTabularInline):
    model = NoteAddendum
    extra = 0
    fields = ["created_at", "author", "text"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(VisitNote)
class VisitNoteAdmin(ReadOnlyAdmin):
    """Read-only for everyone: notes are written by practitioners on the note page, and once signed nothing
    may change or delete them (the database refuses too, on PostgreSQL). Opening one is audited."""

    list_display = ["pk", "patient", "practitioner", "status", "created_at", "signed_at"]
    list_filter = ["status", "practitioner"]
    search_fields = ["patient__last_name", "patient__first_name"]
    list_select_related = ["patient", "practitioner"]
    inlines = [NoteAddendumInline]


# The care plans' admin (the recall e-mail template) registers itself.
from clinic.careplans import admin as careplans_admin  # noqa: E402, F401
