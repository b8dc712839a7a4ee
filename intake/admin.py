"""Clinic configuration of intake and consent: consent versions and questionnaires.

A signed consent version is read-only here as in the service and the model's validation; a new wording is
a new version. Signatures, submissions and scores are records, shown read-only.
"""

from django.conf import settings
from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinic.admin_base import ClinicModelAdmin, ClinicTabularInline, ReadOnlyAdmin
from intake import selectors, services
from intake.models import (
    ConsentSignature,
    ConsentVersion,
    IntakeInvitation,
    IntakeSubmission,
    OutcomeScore,
    Questionnaire,
    QuestionnaireItem,
    QuestionnaireOption,
    RedFlagReview,
)


@admin.register(ConsentVersion)
class ConsentVersionAdmin(ClinicModelAdmin):
    """Each language's text is its own version; the list says which languages have an active version (patients of a
    language without one read the default language's, with a notice that they may ask for an interpreter)."""

    list_display = ["version", "language", "title", "effective_date", "active", "translation_note", "sha256"]
    list_filter = ["active", "language"]
    readonly_fields = ["sha256", "active", "created_at"]
    actions = ["activate"]
    change_list_template = "admin/intake/consentversion/change_list.html"

    def changelist_view(self, request, extra_context=None):
        active = selectors.active_consent_versions()
        extra_context = {
            **(extra_context or {}),
            "languages_active": [
                (name, active.get(code), code == settings.LANGUAGE_CODE) for code, name in settings.LANGUAGES
            ],
        }
        return super().changelist_view(request, extra_context)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.has_signatures():
            fields += [name for name in ConsentVersion.FROZEN_FIELDS if name not in fields]
        return fields

    def has_delete_permission(self, request, obj=None):
        return (obj is None or not obj.has_signatures()) and super().has_delete_permission(request, obj)

    @admin.action(
        description=gettext_lazy(
            "Make the selected version the one patients of its language sign (earlier signatures in that language "
            "become out of date)"
        )
    )
    def activate(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one version to activate."), level=messages.ERROR)
            return
        version = services.consent_version_activate(version=queryset.get(), actor=request.user, request=request)
        self.message_user(
            request,
            _("Version %(version)s is now the one patients who read %(language)s sign.")
            % {"version": version.version, "language": version.get_language_display()},
        )


class _TranslationsInline(ClinicTabularInline):
    """An inline of rows with a `translations` JSON box ({"es": {"text": "..."}}): without its hidden copy of the
    initial value (it would carry the box's aria-describedby, invalid on a hidden input), as the model admins do,
    and without a help text, which a tabular row does not show (a reference to it would point at nothing)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and db_field.name == "translations":
            formfield.show_hidden_initial = False
            formfield.help_text = ""
        return formfield


class QuestionnaireOptionInline(_TranslationsInline):
    model = QuestionnaireOption
    extra = 0


@admin.register(QuestionnaireItem)
class QuestionnaireItemAdmin(ClinicModelAdmin):
    list_display = ["questionnaire", "position", "code", "text"]
    list_filter = ["questionnaire"]
    inlines = [QuestionnaireOptionInline]


class QuestionnaireItemInline(_TranslationsInline):
    model = QuestionnaireItem
    extra = 0
    show_change_link = True


@admin.register(Questionnaire)
class QuestionnaireAdmin(ClinicModelAdmin):
    list_display = ["title", "code", "region", "active"]
    inlines = [QuestionnaireItemInline]


@admin.register(ConsentSignature)
class ConsentSignatureAdmin(ReadOnlyAdmin):
    list_display = [
        "patient",
        "version",
        "language",
        "reader_language",
        "signer_name",
        "signer_role",
        "signed_at",
        "cervical_consent",
        "withdrawn_at",
    ]
    list_filter = ["version", "language", "signer_role", "cervical_consent"]
    search_fields = ["patient__last_name", "signer_name"]
    list_select_related = ["patient", "version"]


@admin.register(IntakeSubmission)
class IntakeSubmissionAdmin(ReadOnlyAdmin):
    list_display = ["patient", "status", "current_step", "created_at", "submitted_at"]
    list_filter = ["status"]
    search_fields = ["patient__last_name"]
    list_select_related = ["patient"]


@admin.register(OutcomeScore)
class OutcomeScoreAdmin(ReadOnlyAdmin):
    list_display = ["patient", "questionnaire", "percent", "band", "items_answered", "scored_at"]
    list_select_related = ["patient", "questionnaire"]


@admin.register(RedFlagReview)
class RedFlagReviewAdmin(ReadOnlyAdmin):
    list_display = ["patient", "raised_at", "reviewed_by", "reviewed_at"]
    list_select_related = ["patient", "reviewed_by"]


@admin.register(IntakeInvitation)
class IntakeInvitationAdmin(ReadOnlyAdmin):
    list_display = ["patient", "email", "sent_at", "expires_at", "last_used_at", "revoked_at"]
    list_select_related = ["patient"]
