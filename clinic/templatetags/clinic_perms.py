"""The permission helper for templates: the same `clinic.permissions.can` the views use, so a link is shown only
to those whose request for it the view admits.

    {% load clinic_perms %}
    {% if user|can:"patient.edit" %}...{% endif %}           (the action at all: `may_enter`)
    {% can_do "patient.edit" patient as may_edit %}           (the action on this object: `can`)
"""

from django import template

from clinic.permissions import can as can_rule
from clinic.permissions import may_enter

register = template.Library()


@register.filter(name="can")
def can_filter(user, action: str) -> bool:
    """`user|can:"action"`: may this user open the pages of `action` (a key of RULES)?"""
    return may_enter(user, action)


@register.simple_tag(name="can_do")
def can_do(user, action: str, obj=None) -> bool:
    """`{% can_do user "action" obj as name %}`: may this user do `action` to `obj`?"""
    return can_rule(user, action, obj)
