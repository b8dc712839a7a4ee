"""The project's root URLconf: each app's routes under its namespace."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("clinic.routes")),
    path("", include("scheduling.urls")),
    path("intake/", include("intake.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "clinic.errors.bad_request"
handler403 = "clinic.errors.permission_denied"
handler404 = "clinic.errors.page_not_found"
handler500 = "clinic.errors.server_error"
