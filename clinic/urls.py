"""The project's root URLconf: each app's routes under its namespace."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

# The admin has no login form of its own: it sends people to allauth's, which asks for the TOTP code
# and counts failures towards the lockout. Django's plain admin login would skip both.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", include("clinic.routes")),
    path("", include("scheduling.urls")),
    path("intake/", include("intake.urls")),
    path("reports/", include("reports.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "clinic.errors.bad_request"
handler403 = "clinic.errors.permission_denied"
handler404 = "clinic.errors.page_not_found"
handler500 = "clinic.db_unavailable.server_error"
