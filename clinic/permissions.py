"""Who may do what: the one place every view asks.

Roles are Django groups (created by a data migration, see `clinic/roles.py`); a patient is a user
linked to a `Patient` row. Views use `role_required` (function views) or `RoleRequiredMixin`
(class views) for the coarse check, and the `get_*_for_user` helpers for object-level scoping:
a row the user may not see answers 404, so its existence is not leaked either.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

from django.contrib.auth.mixins import AccessMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from clinic.models import Patient, User
from clinic.roles import CLINIC_ADMIN, FRONT_DESK, PATIENT, PRACTITIONER, STAFF_ROLES

__all__ = [
    "CLINIC_ADMIN",
    "FRONT_DESK",
    "PATIENT",
    "PRACTITIONER",
    "STAFF_ROLES",
    "RoleRequiredMixin",
    "can",
    "deny_object",
    "get_patient_for_user",
    "has_role",
    "patient_of",
    "role_required",
    "roles_of",
]


def roles_of(user) -> frozenset[str]:
    """The roles a user holds, computed once per request and cached on the user object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_clinic_roles", None)
    if cached is not None:
        return cached
    # Groups and the linked patient in one query (a LEFT JOIN each; one row per group, or one row of NULLs).
    rows = list(User.objects.filter(pk=user.pk).values_list("groups__name", "patient__pk"))
    roles = {name for name, _ in rows if name in STAFF_ROLES}
    if user.is_superuser:
        roles.add(CLINIC_ADMIN)
    if any(patient_pk is not None for _, patient_pk in rows):
        roles.add(PATIENT)
    elif not User.patient.related.is_cached(user):
        # Known now: no patient row. Cache that as Django does after a miss, so `patient_of` asks no query.
        User.patient.related.set_cached_value(user, None)
    user._clinic_roles = frozenset(roles)
    return user._clinic_roles


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


# What each role may do. Object-level rules for patients are in `can`.
RULES: dict[str, frozenset[str]] = {
    "patient.view": frozenset({FRONT_DESK, PRACTITIONER, CLINIC_ADMIN}),
    "patient.edit": frozenset({FRONT_DESK, CLINIC_ADMIN}),
    "patient.create": frozenset({FRONT_DESK, CLINIC_ADMIN}),
    "clinical.read": frozenset({PRACTITIONER, CLINIC_ADMIN}),
    "clinical.write": frozenset({PRACTITIONER}),
    "schedule.manage": frozenset({FRONT_DESK, CLINIC_ADMIN, PRACTITIONER}),
    "audit.read": frozenset({CLINIC_ADMIN}),
}


def can(user, action: str, obj: object | None = None) -> bool:
    """May `user` do `action` (a key of RULES) to `obj`?

    Staff roles are granted by RULES; a patient may view and edit only their own Patient row.
    """
    roles = roles_of(user)
    if roles & RULES.get(action, frozenset()):
        return True
    if PATIENT in roles and isinstance(obj, Patient) and action in {"patient.view", "patient.edit"}:
        return obj.pk == patient_of(user).pk
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
    from allauth.core import context

    from clinic.services import audit_record

    audit_record(
        actor=user,
        action="denied",
        obj=obj,
        request=context.request,  # set for every request by allauth's AccountMiddleware
        detail=f"{action} refused",
    )
    raise Http404("Not found.")


def _deny(request: HttpRequest, roles: Iterable[str]):
    from clinic.services import audit_record

    audit_record(
        actor=request.user,
        action="denied",
        detail=f"{request.method} {request.path[:200]} needs {', '.join(sorted(roles))}",
        request=request,
    )
    raise PermissionDenied("Your account does not have access to this page.")


def role_required(*roles: str) -> Callable:
    """Function-view decorator: anonymous users go to login, users without any of `roles` get 403."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                _deny(request, roles)
            return view(request, *args, **kwargs)

        wrapped.required_roles = frozenset(roles)
        return wrapped

    return decorator


class RoleRequiredMixin(AccessMixin):
    """Class-view equivalent of `role_required`: set `required_roles`."""

    required_roles: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not has_role(request.user, *self.required_roles):
            _deny(request, self.required_roles)
        return super().dispatch(request, *args, **kwargs)
