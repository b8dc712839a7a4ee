from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_index, name="index"),
    path("utilisation/", views.utilisation, name="utilisation"),
    path("utilisation/gaps/", views.utilisation_gaps, name="utilisation_gaps"),
    path("attendance/", views.attendance, name="attendance"),
    path("attendance/patients/", views.attendance_patients, name="attendance_patients"),
    path("new-patients/", views.new_patients, name="new_patients"),
    path("retention/", views.retention, name="retention"),
    path("retention/patients/", views.retention_patients, name="retention_patients"),
    path("care-plans/", views.careplans, name="careplans"),
    path("outcomes/", views.outcomes, name="outcomes"),
]

# Every report page's URL name ("reports:utilisation", ...), in the menu's order, each list page after its report.
PAGES = tuple(f"{app_name}:{p.name}" for p in urlpatterns if p.name != "index")
