"""Templates ask the same table as views: `{% load clinic_perms %}` then `{% if user|can:"clinical.read" %}`.

The filter is `clinic.permissions.can` without an object: what a role may do (a patient's own-record actions
need the object, so a template offering a patient their own page asks for `account.use`). A link is shown
exactly when its view would let the person in, so the two cannot disagree.
"""

from django import template

from clinic.permissions import can as _can

register = template.Library()


@register.filter
def can(user, action: str) -> bool:
    return _can(user, action)
