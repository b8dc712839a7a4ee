"""The clinic app's own routes (clinic/urls.py is the project's root URLconf)."""

from django.urls import path

from clinic import views

app_name = "clinic"

urlpatterns = [
    path("", views.index, name="index"),
    path("home/", views.home_for_role, name="home_for_role"),
    path("healthz", views.healthz, name="healthz"),
    path("practitioner/", views.practitioner_home, name="practitioner_home"),
    path("patients/", views.patient_search, name="patient_search"),
    path("patients/new/", views.patient_create, name="patient_create"),
    path("patients/<int:pk>/", views.patient_detail, name="patient_detail"),
    path("patients/<int:pk>/edit/", views.patient_edit, name="patient_edit"),
    path("patients/<int:pk>/access-log/", views.patient_access_log, name="patient_access_log"),
    path("accounts/logout-everywhere/", views.logout_everywhere, name="logout_everywhere"),
]
