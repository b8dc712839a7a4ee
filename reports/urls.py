from django.urls import path

from reports import views

app_name = "reports"

# The report pages in the menu's order, each list page after its report; a page's URL name is its view's name.
REPORTS = [
    ("utilisation/", views.utilisation),
    ("utilisation/gaps/", views.utilisation_gaps),
    ("attendance/", views.attendance),
    ("attendance/patients/", views.attendance_patients),
    ("new-patients/", views.new_patients),
    ("retention/", views.retention),
    ("retention/patients/", views.retention_patients),
    ("care-plans/", views.careplans),
    ("outcomes/", views.outcomes),
]

urlpatterns = [
    path("", views.report_index, name="index"),
    *(path(route, view, name=view.__name__) for route, view in REPORTS),
]

# Every report page's URL name: "reports:utilisation", ...
PAGES = tuple(f"{app_name}:{view.__name__}" for _route, view in REPORTS)
