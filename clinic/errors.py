"""Error pages that show no stack trace and no patient data, whatever DEBUG says about the rest."""

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader


def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    # No context processors that touch the database: the database may be why we are here.
    return HttpResponseServerError(loader.get_template("errors/500.html").render())


def csrf_failure(request, reason=""):
    """A POST without a valid CSRF token: say what to do, never why in detail (settings.CSRF_FAILURE_VIEW)."""
    return render(request, "errors/403_csrf.html", status=403)
