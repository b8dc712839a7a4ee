from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from clinic.admin_base import ClinicModelAdmin, PatientDataAdmin
from scheduling.models import (
    Appointment,
    AppointmentType,
    AvailabilityException,
    CarePlanSeries,
    WaitlistEntry,
    WorkingHours,
)


@admin.register(AppointmentType)
class AppointmentTypeAdmin(ClinicModelAdmin):
    list_display = [
        "name",
        "spanish_name",
        "slug",
        "duration",
        "buffer_after",
        "bookable_online",
        "new_patient_only",
        "active",
    ]
    prepopulated_fields = {"slug": ["name"]}

    @admin.display(description=_("Spanish name"))
    def spanish_name(self, obj):
        return ((obj.translations or {}).get("es") or {}).get("name") or "—"


@admin.register(WorkingHours)
class WorkingHoursAdmin(ClinicModelAdmin):
    list_display = ["practitioner", "location", "weekday", "start_time", "end_time"]
    list_filter = ["practitioner", "weekday"]


@admin.register(AvailabilityException)
class AvailabilityExceptionAdmin(ClinicModelAdmin):
    list_display = ["practitioner", "kind", "date", "start_time", "end_time", "reason"]
    list_filter = ["kind", "practitioner"]
    date_hierarchy = "date"


@admin.register(Appointment)
class AppointmentAdmin(PatientDataAdmin):
    # Bookings go through the front desk (services check conflicts); the admin only reads them.
    list_display = ["start", "patient", "practitioner", "room", "appointment_type", "status"]
    list_filter = ["status", "practitioner", "source"]
    date_hierarchy = "start"
    list_select_related = ["patient", "practitioner", "room__location", "appointment_type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(CarePlanSeries, PatientDataAdmin)
admin.site.register(WaitlistEntry, PatientDataAdmin)
