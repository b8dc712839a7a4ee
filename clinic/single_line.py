"""Single-line text (names, phone numbers, addresses) never keeps a control character.

A browser cannot put a line break in an `<input type="text">`, but a hand-made request can: a name stored with
CR/LF breaks the CSV export, e-mail headers and the one-line lists of the front desk. `SingleLineFormMixin`
is the one place that cleans them: every text field of the form that is not a `<textarea>` has each run of
control characters (CR, LF, tab, the C0 and C1 ranges, DEL) replaced by one space before its validators run.
"""

from __future__ import annotations

import re

from django import forms

# Unicode category Cc is exactly these two ranges; U+2028/U+2029 are line and paragraph separators.
_CONTROL_RUN = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def single_line(value: str) -> str:
    """The text with control characters (and Unicode line separators) turned into single spaces."""
    return _CONTROL_RUN.sub(" ", value).strip()


def _cleaning(to_python):
    def wrapped(value):
        value = to_python(value)
        return single_line(value) if isinstance(value, str) else value

    return wrapped


class SingleLineFormMixin:
    """Put first in a form's bases: its one-line text fields are cleaned of control characters."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # the form's own copies: base_fields stay untouched
            if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.Textarea):
                field.to_python = _cleaning(field.to_python)
