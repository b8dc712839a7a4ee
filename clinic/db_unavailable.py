"""While the database is down, every page answers 503 "temporarily unavailable" instead of the 500 page.

Two places see a lost database: `DatabaseUnavailableMiddleware.process_exception` for an error inside a view
(whatever DEBUG says), and `server_error` (settings' handler500) for one raised by a middleware before the
view (loading the session of a logged-in user). Neither touches the database: the page is rendered without a
request, so no context processor runs, and nothing is audited (there is nowhere to write it).
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader

from clinic import errors

logger = logging.getLogger(__name__)

DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 60


def unavailable_response(request, exc: Exception) -> HttpResponse:
    logger.error(
        "Database unavailable: %s %s answered 503 (%s: %s)", request.method, request.path, type(exc).__name__, exc
    )
    response = HttpResponse(loader.get_template("errors/503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_DOWN):
            return unavailable_response(request, exception)
        return None


def server_error(request):
    """handler500: a lost database answers 503; anything else is the ordinary 500 page."""
    exc = sys.exc_info()[1]
    if isinstance(exc, DATABASE_DOWN):
        return unavailable_response(request, exc)
    return errors.server_error(request)
