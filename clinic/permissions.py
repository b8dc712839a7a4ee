"""Who may do what: the one place every view asks.

Roles are Django groups (created by a data migration, see `clinic/roles.py`); a patient is a user
linked to a `Patient` row. `RULES` says which roles may do each action; views use `rule_required(action)`
(function views) or `RuleRequiredMixin` (class views) for the page, templates `{% can %}` for the links, and
the `get_*_for_user` helpers for object-level scoping:
a row the user may not see answers 404, so its existence is not leaked either.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from allauth.core import context
from django.contrib.auth.mixins import AccessMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.urls import reverse

from clinic.models import GuardianLink, Patient, Practitioner, User
from clinic.roles import CLINIC_ADMIN, FRONT_DESK, PATIENT, PRACTITIONER, STAFF_ROLES
from clinic.services import audit_record

__all__ = [
    "ACTING_FOR",
    "CLINIC_ADMIN",
    "FRONT_DESK",
    "PATIENT",
    "PRACTITIONER",
    "RULES",
    "STAFF_ROLES",
    "RuleRequiredMixin",
    "account_required",
    "acting_patient",
    "can",
    "deny_object",
    "family_patient_ids",
    "get_patient_for_user",
    "has_role",
    "landing_url_name",
    "may_enter",
    "patient_of",
    "practitioner_of",
    "roles_of",
    "rule_required",
]


_PRACTITIONER_FIELDS = [f.attname for f in Practitioner._meta.concrete_fields]
_PRACTITIONER_COLUMNS = [f"practitioner__{name}" for name in _PRACTITIONER_FIELDS]


def roles_of(user) -> frozenset[str]:
    """The roles a user holds, computed once per request and cached on the user object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_clinic_roles", None)
    if cached is not None:
        return cached
    # Groups, the linked patient, whether they act for a child and the practitioner row, in one query (a LEFT
    # JOIN each and an EXISTS; one row per group, or one row of NULLs).
    guardian = Exists(GuardianLink.objects.filter(guardian_id=OuterRef("pk"), ended_at__isnull=True))
    queryset = User.objects.filter(pk=user.pk).annotate(guardian=guardian)
    rows = list(
        queryset.values_list("groups__name", "patient__pk", "guardian", "patient__language", *_PRACTITIONER_COLUMNS)
    )
    roles = {row[0] for row in rows if row[0] in STAFF_ROLES}
    user._clinic_language = next((row[3] for row in rows if row[3]), None)
    if rows and not User.practitioner.related.is_cached(user):
        # Their Practitioner row (or that they have none), so that `user.practitioner` (their calendar, their
        # notes) asks no query of its own.
        values = rows[0][4:]
        practitioner = None if values[0] is None else Practitioner.from_db(queryset.db, _PRACTITIONER_FIELDS, values)
        User.practitioner.related.set_cached_value(user, practitioner)
    if user.is_superuser:
        roles.add(CLINIC_ADMIN)
    # A patient account: their own record, or a guardian's account holding only their children's.
    if any(row[1] is not None or row[2] for row in rows):
        roles.add(PATIENT)
    elif not User.patient.related.is_cached(user):
        # Known now: no patient row. Cache that as Django does after a miss, so `patient_of` asks no query.
        User.patient.related.set_cached_value(user, None)
    user._clinic_roles = frozenset(roles)
    return user._clinic_roles


def stored_language_of(user) -> str | None:
    """The language stored on the record of the patient who is signed in (None for staff and visitors); read with
    the roles, so it costs no query of its own."""
    roles_of(user)
    return getattr(user, "_clinic_language", None)


def has_role(user, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def is_staff_member(user) -> bool:
    return has_role(user, *STAFF_ROLES)


def patient_of(user) -> Patient | None:
    """The Patient row linked to this login, or None."""
    if user is None or not user.is_authenticated:
        return None
    try:
        return user.patient
    except Patient.DoesNotExist:
        return None


def family_patient_ids(user) -> frozenset[int]:
    """The Patient rows this login may act for as a patient: their own, and their linked children's (cached on
    the user for the request)."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_clinic_family_ids", None)
    if cached is not None:
        return cached
    own = patient_of(user)
    ids = set(
        GuardianLink.objects.filter(guardian_id=user.pk, ended_at__isnull=True).values_list("dependant_id", flat=True)
    )
    if own is not None:
        ids.add(own.pk)
    user._clinic_family_ids = frozenset(ids)
    return user._clinic_family_ids


ACTING_FOR = "clinic.acting_for"


def acting_patient(request: HttpRequest) -> Patient | None:
    """The patient whose pages a patient account is using now: a child the guardian chose to act for (kept in
    the session, checked against the live links on every request), else their own record."""
    user = request.user
    if not user.is_authenticated:
        return None
    chosen = request.session.get(ACTING_FOR)
    if chosen is not None:
        if chosen in family_patient_ids(user):
            cached = getattr(request, "_clinic_acting", None)
            if cached is None or cached.pk != chosen:
                cached = request._clinic_acting = Patient.objects.filter(pk=chosen).first()
            if cached is not None:
                return cached
        request.session.pop(ACTING_FOR, None)  # a link ended since: back to their own record
    return patient_of(user)


def practitioner_of(user) -> Practitioner | None:
    """The Practitioner row of a practitioner's login (their own calendar, their notes), or None."""
    if PRACTITIONER not in roles_of(user):
        return None
    return getattr(user, "practitioner", None)  # the reverse one-to-one; its DoesNotExist is an AttributeError


def landing_url_name(user) -> str | None:
    """Where each role lands after logging in (the first role that has a home wins); None for no role."""
    roles = roles_of(user)
    for role, url_name in LANDING:
        if role in roles:
            return url_name
    return None


LANDING = (
    (FRONT_DESK, "scheduling:frontdesk_home"),
    (PRACTITIONER, "clinic:practitioner_home"),
    (CLINIC_ADMIN, "admin:index"),
    (PATIENT, "scheduling:account_home"),
)


# The one table of who may do what. Every role check in a view, a template or another app's permissions
# module names one of these actions (`rule_required`, `can`, `{% can %}`); none spells out roles itself.
# `own_record`: a patient may also do it, to their own Patient row only, or a guardian to their linked children's
# (checked on the object by `can`).
@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]
    own_record: bool = False


def _rule(*roles: str, own_record: bool = False) -> Rule:
    return Rule(frozenset(roles), own_record)


RULES: dict[str, Rule] = {
    "patient.view": _rule(FRONT_DESK, PRACTITIONER, CLINIC_ADMIN, own_record=True),
    "patient.edit": _rule(FRONT_DESK, CLINIC_ADMIN, own_record=True),
    "patient.create": _rule(FRONT_DESK, CLINIC_ADMIN),
    "patient.merge": _rule(CLINIC_ADMIN),
    "patient.search": _rule(FRONT_DESK, PRACTITIONER, CLINIC_ADMIN),
    "clinical.read": _rule(PRACTITIONER, CLINIC_ADMIN),
    "clinical.write": _rule(PRACTITIONER),
    "intake.status": _rule(FRONT_DESK, PRACTITIONER, CLINIC_ADMIN),
    "intake.read": _rule(PRACTITIONER, CLINIC_ADMIN, own_record=True),
    # Urgent intake answers (a possible stroke or cauda equina): anyone at the clinic sees them on the day view
    # and records that the patient was called.
    "intake.urgent_handle": _rule(FRONT_DESK, PRACTITIONER, CLINIC_ADMIN),
    "schedule.manage": _rule(FRONT_DESK, CLINIC_ADMIN, PRACTITIONER),
    # Time off, meetings and extra hours: the desk for anyone, a practitioner for themselves only
    # (`schedule.block_anyone` is what lets the desk choose another practitioner).
    "schedule.block": _rule(FRONT_DESK, CLINIC_ADMIN, PRACTITIONER),
    "schedule.block_anyone": _rule(FRONT_DESK, CLINIC_ADMIN),
    # A practitioner's own private calendar feed (the secret URL their phone subscribes to).
    "calendar_feed.manage": _rule(PRACTITIONER),
    "audit.read": _rule(CLINIC_ADMIN),
    # A patient's own pages: their appointments, online booking while signed in, their family page.
    "account.use": _rule(PATIENT),
    # Link a child's record to a parent's account, or end the link (clinic.family).
    "family.manage": _rule(FRONT_DESK, CLINIC_ADMIN),
    # Records out: produce and release a patient's records request, download a patient's FHIR bundle or PDF.
    "records.export": _rule(CLINIC_ADMIN),
    # The front desk's pages in the menu (its calendar, patients and intake lists, shown first).
    "desk.use": _rule(FRONT_DESK, CLINIC_ADMIN),
    # The clinic settings (Django's admin site).
    "settings.manage": _rule(CLINIC_ADMIN),
    # Care plans (clinic.careplans): practitioners write them; the desk and the patient read them (the desk books
    # from them); the patient accepts their own plan online.
    "careplan.read": _rule(FRONT_DESK, PRACTITIONER, CLINIC_ADMIN, own_record=True),
    "careplan.write": _rule(PRACTITIONER),
    "careplan.accept": _rule(own_record=True),
    # Practice reports (the reports app): admins see the clinic's figures, practitioners their own only.
    "reports.read": _rule(PRACTITIONER, CLINIC_ADMIN),
    "reports.all": _rule(CLINIC_ADMIN),
}


def rule_for(action: str) -> Rule:
    try:
        return RULES[action]
    except KeyError:
        raise ImproperlyConfigured(
            f"No permission rule named {action!r}; add it to clinic.permissions.RULES."
        ) from None


def may_enter(user, action: str) -> bool:
    """May `user` open a page for `action` at all? A patient passes for their own-record actions; the page then
    looks its object up through `can` (a `get_*_for_user` helper), which refuses another patient's row."""
    rule = rule_for(action)
    roles = roles_of(user)
    return bool(roles & rule.roles) or (rule.own_record and PATIENT in roles)


def can(user, action: str, obj: object | None = None) -> bool:
    """May `user` do `action` (a key of RULES) to `obj`?

    Staff roles are granted by RULES; for an `own_record` action a patient may act only on their own record
    (`obj` is their Patient row, or a row whose `patient_id` is theirs).
    """
    rule = rule_for(action)
    roles = roles_of(user)
    if roles & rule.roles:
        return True
    if rule.own_record and PATIENT in roles and obj is not None:
        patient_id = obj.pk if isinstance(obj, Patient) else getattr(obj, "patient_id", None)
        return patient_id is not None and patient_id in family_patient_ids(user)
    return False


def get_patient_for_user(user, pk: int, action: str = "patient.view") -> Patient:
    """The patient `pk` if `user` may do `action` to it; 404 otherwise (never reveals the row)."""
    try:
        patient = Patient.objects.get(pk=pk)
    except (Patient.DoesNotExist, ValueError, TypeError):
        raise Http404("No such patient.") from None
    if not can(user, action, patient):
        deny_object(user, patient, action)
    return patient


def deny_object(user, obj, action: str):
    """Refuse a row the user may not see: audit the attempt (with the patient it concerns), then answer 404.

    Other apps' `get_<thing>_for_user` helpers call this too, so every object-level refusal is recorded.
    """
    audit_record(
        actor=user,
        action="denied",
        obj=obj,
        request=context.request,  # set for every request by allauth's AccountMiddleware
        detail=f"{action} refused",
    )
    raise Http404("Not found.")


def _deny(request: HttpRequest, action: str):
    audit_record(
        actor=request.user,
        action="denied",
        detail=f"{request.method} {request.path[:200]} needs {action}",
        request=request,
    )
    raise PermissionDenied("Your account does not have access to this page.")


def rule_required(action: str) -> Callable:
    """Function-view decorator: anonymous users go to login; users whom RULES[action] does not admit get 403."""
    rule_for(action)  # an unknown action fails at import, not at the first request

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not may_enter(request.user, action):
                rule = rule_for(action)
                if (rule.own_record or PATIENT in rule.roles) and not roles_of(request.user):
                    return account_start_redirect(request)
                _deny(request, action)
            return view(request, *args, **kwargs)

        wrapped.required_rule = action
        return wrapped

    return decorator


def account_start_redirect(request) -> HttpResponseRedirect:
    """A signed-in account with no patient record and no role yet (signed up without booking) is never met with
    a bare 403 on a patient page: it is sent to where it can book a first visit or make its record."""
    return HttpResponseRedirect(
        reverse("scheduling:account_start") + "?" + urlencode({"next": request.get_full_path()})
    )


def account_required(view: Callable) -> Callable:
    """For the pages of a patient account that need no record yet (a parent's family page): anyone signed in
    who holds no staff role; anonymous users go to login, staff get 403."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if is_staff_member(request.user):
            _deny(request, "a patient account")
        return view(request, *args, **kwargs)

    wrapped.required_rule = "account.use"
    return wrapped


class RuleRequiredMixin(AccessMixin):
    """Class-view equivalent of `rule_required`: set `required_rule` to a key of RULES."""

    required_rule: str = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not may_enter(request.user, self.required_rule):
            _deny(request, self.required_rule)
        return super().dispatch(request, *args, **kwargs)
