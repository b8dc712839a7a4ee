"""The recall e-mail template in the clinic settings (Django's admin); `clinic/admin.py` imports this module."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from clinic.admin_base import ClinicModelAdmin
from clinic.models import RecallTemplate


@admin.register(RecallTemplate)
class RecallTemplateAdmin(ClinicModelAdmin):
    """The front desk's one-click recall e-mail: the active row with the lowest id is sent."""

    list_display = ["name", "subject", "active", "updated_at"]
    list_editable = ["active"]
    fieldsets = [
        (
            None,
            {
                "fields": ["name", "subject", "body", "active"],
                "description": _(
                    "This text goes to patients who read English, the clinic's language. Patients who read "
                    "another language receive the built-in recall e-mail translated into theirs, so edits here do "
                    "not reach them."
                ),
            },
        )
    ]
