"""The recall e-mail template in the clinic settings (Django's admin); `clinic/admin.py` imports this module."""

from django.contrib import admin

from clinic.admin_base import ClinicModelAdmin
from clinic.models import RecallTemplate


@admin.register(RecallTemplate)
class RecallTemplateAdmin(ClinicModelAdmin):
    """The front desk's one-click recall e-mail: the active row with the lowest id is sent."""

    list_display = ["name", "subject", "active", "updated_at"]
    list_editable = ["active"]
    fields = ["name", "subject", "body", "active"]
