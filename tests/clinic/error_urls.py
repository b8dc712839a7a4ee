"""A URLconf for the error-page tests: the real routes plus views that fail on purpose."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from clinic.urls import handler400, handler403, handler404, handler500
from clinic.urls import urlpatterns as real_urlpatterns

SECRET = "Alice Arnold, born 1985-06-15, anticoagulants"


def boom(request):
    raise RuntimeError(f"database exploded while reading {SECRET}")


def suspicious(request):
    raise SuspiciousOperation(f"odd request about {SECRET}")


def forbidden(request):
    raise PermissionDenied(f"no access to {SECRET}")


urlpatterns = [
    path("test-errors/500/", boom),
    path("test-errors/400/", suspicious),
    path("test-errors/403/", forbidden),
    *real_urlpatterns,
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
