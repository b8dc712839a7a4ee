"""The form field of one questionnaire item, shared by the intake's outcome step and a care plan's repeat.

Every item needs an answer or a deliberate "skip" (`SKIP`): a question passed over by mistake is asked for
next to it; the instrument's missing-item rule then decides whether the form can be scored.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

SKIP = "skip"


def _item_value(value: str) -> int | str:
    return value if value == SKIP else int(value)


def item_field(item) -> forms.TypedChoiceField:
    """A radio group of `item`'s options (its own texts in the page's language) plus "Skip this question"."""
    return forms.TypedChoiceField(
        label=f"{item.position}. {item.local_text}",
        choices=[(str(o.score), o.local_text) for o in item.options.all()] + [(SKIP, _("Skip this question"))],
        coerce=_item_value,
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the answer closest to how you are, or “Skip this question”.")},
    )
