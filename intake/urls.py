from django.urls import path, re_path

from intake import views

app_name = "intake"

urlpatterns = [
    # The patient (signed in, or through an invitation link).
    path("", views.intake_home, name="intake_home"),
    path("start/", views.intake_start, name="intake_start"),
    path("step/<slug:step>/", views.intake_step, name="intake_step"),
    path("submit/", views.intake_submit, name="intake_submit"),
    path("consent/", views.consent_sign, name="consent_sign"),
    path("consent/<int:pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("consent/<int:pk>/print/", views.consent_print, name="consent_print"),
    # Anything after invitation/ reaches the view, so a mangled link gets the clear "not valid" page.
    re_path(r"^invitation/(?P<token>[^/]+(?:/.+?)?)/?$", views.invitation_accept, name="invitation_accept"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission_detail"),
    # Staff.
    path("patients/", views.intake_status_list, name="intake_status_list"),
    path("patients/<int:pk>/", views.patient_intake_status, name="patient_intake_status"),
    path("patients/<int:pk>/invite/", views.invitation_send, name="invitation_send"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("patients/<int:pk>/summary/", views.intake_summary, name="intake_summary"),
    path("red-flags/<int:pk>/review/", views.red_flags_review, name="red_flags_review"),
    path("consent/<int:pk>/discussed/", views.consent_discussed, name="consent_discussed"),
    path("urgent/<int:pk>/handled/", views.urgent_alert_handle, name="urgent_alert_handle"),
]
