"""The clinic app's own routes (clinic/urls.py is the project's root URLconf)."""

from django.urls import path

from clinic import views, views_family
from clinic.careplans import views as careplan_views
from clinic.careplans import views_outcomes as careplan_outcome_views
from clinic.careplans import views_recalls as recall_views
from clinic.notes import views as notes_views
from clinic.records import views as records_views

app_name = "clinic"

urlpatterns = [
    path("", views.index, name="index"),
    path("language/", views.language_set, name="language_set"),
    path("home/", views.home_for_role, name="home_for_role"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("practitioner/", notes_views.practitioner_home, name="practitioner_home"),
    path("practitioner/appointments/<int:pk>/note/", notes_views.note_start, name="note_start"),
    path("notes/<int:pk>/", notes_views.note_detail, name="note_detail"),
    path("notes/<int:pk>/edit/", notes_views.note_edit, name="note_edit"),
    path("notes/<int:pk>/autosave/", notes_views.note_autosave, name="note_autosave"),
    path("notes/<int:pk>/copy-forward/", notes_views.note_copy_forward, name="note_copy_forward"),
    path("notes/<int:pk>/template/", notes_views.note_apply_template, name="note_apply_template"),
    path("notes/<int:pk>/addenda/", notes_views.note_addendum_add, name="note_addendum_add"),
    path("patients/<int:pk>/chart/", notes_views.patient_chart, name="patient_chart"),
    path("patients/<int:pk>/care-plans/", careplan_views.careplan_list, name="careplan_list"),
    path("patients/<int:pk>/care-plans/new/", careplan_views.careplan_new, name="careplan_new"),
    path("care-plans/<int:pk>/", careplan_views.careplan_detail, name="careplan_detail"),
    path("care-plans/<int:pk>/change/", careplan_views.careplan_revise, name="careplan_revise"),
    path(
        "care-plans/<int:pk>/accepted-in-person/",
        careplan_views.careplan_record_acceptance,
        name="careplan_record_acceptance",
    ),
    path("care-plans/<int:pk>/discharge/", careplan_views.careplan_discharge, name="careplan_discharge"),
    path("care-plans/<int:pk>/accept/", careplan_views.careplan_accept_online, name="careplan_accept_online"),
    path(
        "care-plans/questionnaire/<str:token>/",
        careplan_outcome_views.careplan_questionnaire,
        name="careplan_questionnaire",
    ),
    path("desk/recalls/", recall_views.recall_list, name="recall_list"),
    path("desk/recalls/<int:pk>/nudge/", recall_views.recall_nudge, name="recall_nudge"),
    path("recalls/opt-out/<str:token>/", recall_views.recall_opt_out, name="recall_opt_out"),
    path(
        "care-plans/<int:pk>/<str:status>/",
        careplan_views.careplan_status,
        name="careplan_status",
    ),
    path("patients/", views.patient_search, name="patient_search"),
    path("patients/new/", views.patient_create, name="patient_create"),
    path("patients/<int:pk>/", views.patient_detail, name="patient_detail"),
    path("patients/<int:pk>/edit/", views.patient_edit, name="patient_edit"),
    path("patients/<int:pk>/access-log/", views.patient_access_log, name="patient_access_log"),
    path("patients/<int:pk>/merge/", views.patient_merge, name="patient_merge"),
    path("accounts/logout-everywhere/", views.logout_everywhere, name="logout_everywhere"),
    path("account/family/", views_family.family_home, name="family_home"),
    path("account/family/add/", views_family.family_add, name="family_add"),
    path("account/family/act/", views_family.family_act, name="family_act"),
    path("patients/<int:pk>/guardians/", views_family.guardian_link_add, name="guardian_link_add"),
    path("patients/<int:pk>/guardians/<int:link_pk>/end/", views_family.guardian_link_end, name="guardian_link_end"),
    path("account/records/", records_views.account_records, name="account_records"),
    path("account/records/request/", records_views.account_record_request, name="account_record_request"),
    path(
        "account/records/requests/<int:pk>.pdf",
        records_views.account_request_download,
        name="account_request_download",
    ),
    path("account/records/<str:kind>/<int:pk>.pdf", records_views.account_record_pdf, name="account_record_pdf"),
    path("records/requests/", records_views.record_requests, name="record_requests"),
    path("records/requests/<int:pk>.pdf", records_views.record_request_produce, name="record_request_produce"),
    path("records/requests/<int:pk>/release/", records_views.record_request_release, name="record_request_release"),
    path("patients/<int:pk>/export/", records_views.patient_export, name="patient_export"),
]
