"""Reads of patient data are audited by one mechanism that a new view cannot forget.

- Every view of our apps declares what it shows: `@reads_patient_data` (one patient's data, or a list of
  patients such as a calendar) or `@no_patient_data`. A test walks every URL and fails on a view that
  declares neither, and `AuditReadsMiddleware` audits an undeclared view of our apps as a read (fail closed).
- A view that reads names what it showed with `audit_read(request, obj, detail)`: the patient (or a row of
  theirs), or `None` for a page listing many patients. The middleware writes exactly one "view" row per
  request, after the response, when the page was shown (2xx, or a form shown again with its errors); a
  redirect, a refusal or an error page writes none (refusals write their own "denied" row).
- A page about one row (a patient, their note, plan, intake or appointment) declares all of that in one header,
  `@reads_object(rule, load, detail, methods=...)`: the rule (written once), the HTTP methods, the lookup that
  answers 404 for a row the user may not see, and what the read is called; the view gets the row. A view that
  only acts on one row and redirects says the same with `@acts_on_object(rule, load)` (no patient data).
- A reading view that forgot to name its object still gets a row (with the path), so nothing goes unaudited.
- Admin pages of patient data use `PatientDataAdmin` (clinic/admin_base.py), which calls `audit_read` too.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable, Sequence

from django.views.decorators.http import require_http_methods

from clinic.models import AuditEvent
from clinic.permissions import rule_required
from clinic.services import audit_record

logger = logging.getLogger(__name__)

READS = "reads"
NONE = "none"
# URL namespaces whose views must declare a policy (allauth's, the admin's and Django's own are not ours;
# the admin audits through PatientDataAdmin).
OUR_NAMESPACES = ("clinic", "intake", "scheduling", "reports")
_PENDING = "_clinic_audit_read"


def reads_patient_data(view: Callable) -> Callable:
    """The view shows patient data: it calls `audit_read`, and the request is audited once."""
    view.audit_policy = READS
    return view


def no_patient_data(view: Callable) -> Callable:
    """The view shows no patient data (public pages, JSON of free times, actions that only redirect)."""
    view.audit_policy = NONE
    return view


# The HTTP methods of `reads_object` and `acts_on_object`: what `require_safe`, `require_http_methods([...])` and
# `require_POST` said.
SAFE = ("GET", "HEAD")
SAFE_OR_POST = ("GET", "HEAD", "POST")
POST = ("POST",)


def reads_page(action: str, *, methods: Sequence[str] = SAFE) -> Callable:
    """The header of a reading view that is not about one row (a day, a list, a search, the record a patient
    account is using), in place of `@reads_patient_data`, `@rule_required(action)` and the method decorator, in
    that order (as `reads_object` puts them): login and the rule first (403, audited), then `methods` (GET and
    HEAD unless told: 405). The view names what it showed with `audit_read` or `audit_reads`."""

    def decorator(view: Callable) -> Callable:
        return reads_patient_data(rule_required(action)(require_http_methods(list(methods))(view)))

    return decorator


def reads_object(
    action: str, load: Callable, detail: str | Callable[..., str] = "", *, methods: Sequence[str]
) -> Callable:
    """The header of a view about one row of patient data, in place of `@reads_patient_data`,
    `@rule_required(action)`, the method decorator, the lookup and `audit_read`. In this order, as those did:

    1. `rule_required(action)`: anonymous users go to login, a role the rule does not admit gets 403 (audited);
    2. `methods` (SAFE, SAFE_OR_POST, POST): any other method answers 405, before any lookup;
    3. `load(request.user, pk)`: the row, or 404 for one this user may not see (audited by `deny_object`); a
       loader with an `action` parameter (`get_patient_for_user`, `get_careplan_for_user`) is given the rule, so
       a patient reaches only their own record and a guardian only their children's;
    4. `audit_read(request, row, detail)`: `detail` is a text, or a function of the row (and of the URL's other
       arguments) that makes one; a later `audit_read` in the view still wins (a download naming itself);
    5. the view, called with the row in place of `pk`.
    """

    def read(request, obj, *args, **kwargs) -> None:
        audit_read(request, obj, detail(obj, *args, **kwargs) if callable(detail) else detail)

    return _one_row(reads_patient_data, action, load, methods, read)


def acts_on_object(action: str, load: Callable, *, methods: Sequence[str] = POST) -> Callable:
    """The same header for a view that acts on one row and shows no patient data (it answers with a redirect):
    `@no_patient_data`, then steps 1, 2, 3 and 5 of `reads_object` (no read to audit)."""
    return _one_row(no_patient_data, action, load, methods, None)


def _one_row(declare: Callable, action: str, load: Callable, methods: Sequence[str], read: Callable | None):
    """Both headers: `declare` (the audit policy) over the rule over the methods over the lookup (and `read`)."""
    takes_action = "action" in inspect.signature(load).parameters

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def loaded(request, pk, *args, **kwargs):
            obj = load(request.user, pk, action=action) if takes_action else load(request.user, pk)
            if read is not None:
                read(request, obj, *args, **kwargs)
            return view(request, obj, *args, **kwargs)

        return declare(rule_required(action)(require_http_methods(list(methods))(loaded)))

    return decorator


def audit_read(request, obj=None, detail: str = "") -> None:
    """Record that this response shows `obj` (a patient or a row of theirs; None for a list of patients; a list
    of patients for a guardian's page about their family: one row for each, so that each child's access log
    shows the read).

    Called more than once in a request, the last call wins: one request, one row (per patient of a list).
    """
    setattr(request, _PENDING, (obj, detail))


def audit_reads(request, shown: Sequence[tuple[object, str]]) -> None:
    """Record that this response shows several rows, each with what it was shown as (a merge form's patient and
    its possible duplicates): one row each. Like `audit_read`, the last call of a request wins."""
    setattr(request, _PENDING, list(shown))


def _shown(response) -> bool:
    """Did the response show the page? 2xx, or a form shown again with its errors (400, 409)."""
    return 200 <= response.status_code < 300 or response.status_code in (400, 409)


class AuditReadsMiddleware:
    """Writes the one "view" row of a request that read patient data (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in ("GET", "HEAD", "POST") or not _shown(response):
            return response
        pending = getattr(request, _PENDING, None)
        policy = getattr(request, "_clinic_audit_policy", NONE)
        if pending is not None:
            if isinstance(pending, list):  # audit_reads: (row, detail) pairs
                shown = pending
            else:
                obj, detail = pending
                shown = [(one, detail) for one in (obj if isinstance(obj, list | tuple) else [obj])]
            for one, detail in shown:
                audit_record(actor=request.user, action=AuditEvent.Action.VIEW, obj=one, request=request, detail=detail)
        elif policy != NONE and (request.method != "POST" or response.status_code in (400, 409)):
            # A reading view's page (or its form shown again with the errors, which shows the data too).
            logger.warning("%s %s read patient data without naming it (audit_read)", request.method, request.path)
            audit_record(actor=request.user, action=AuditEvent.Action.VIEW, request=request, detail=request.path[:300])
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        ours = match is not None and match.namespace in OUR_NAMESPACES
        request._clinic_audit_policy = getattr(view_func, "audit_policy", READS if ours else NONE)
        return None
