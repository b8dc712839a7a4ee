"""The note page's fields as HTML, built in Python: the markup of crispy-forms' bootstrap5 `field.html` around
Django's own widget markup, without going through the template engine.

The note page draws ~46 fields (the note's own and three row sets); through `|as_crispy_field` and Django's
widget templates (a `select_option.html` and an `attrs.html` per option) that was ~60% of the page's time (the
issue-14 profile in benchmarks/README.md). Here the attributes, values and choices still come from Django
(`BoundField.build_widget_attrs`, `Widget.get_context`), so required, aria-describedby, aria-invalid, the
selected option and the values are Django's; only the serialisation is ours. The markup equals crispy's up to
the whitespace between tags (tests/clinic/test_notes_rendering.py compares the two for every field, empty,
filled and refused). A widget kind this module does not draw, or a form with a crispy helper, goes through
crispy as before.
"""

from __future__ import annotations

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django.conf import settings
from django.forms import boundfield
from django.template.defaultfilters import stringformat
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
TEXTAREA = "django/forms/widgets/textarea.html"
# Templates that are `{% include "django/forms/widgets/input.html" %}` and nothing else.
INPUTS = {
    "django/forms/widgets/text.html",
    "django/forms/widgets/number.html",
    "django/forms/widgets/email.html",
    "django/forms/widgets/checkbox.html",
}


def _text(value) -> str:
    """`{{ value }}` in an autoescaping template."""
    return conditional_escape(localize(template_localtime(value)))


def _string(value) -> str:
    """`{{ value|stringformat:'s' }}`."""
    return conditional_escape(stringformat(value, "s"))


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {_text(name)}" if value is True else f' {_text(name)}="{_string(value)}"')
    return "".join(out)


def _widget(context: dict) -> str | None:
    """Django's markup of one widget from its `get_context()["widget"]`; None for a kind drawn by templates."""
    template = context["template_name"]
    attrs = _attrs(context["attrs"])
    name = _text(context["name"])
    if template in INPUTS:
        value = context["value"]
        shown = "" if value is None else f' value="{_string(value)}"'
        return f'<input type="{_text(context["type"])}" name="{name}"{shown}{attrs}>'
    if template == TEXTAREA:
        value = context["value"]
        return f'<textarea name="{name}"{attrs}>\n{_text(value) if value else ""}</textarea>'
    if template == SELECT:
        parts = [f'<select name="{name}"{attrs}>']
        for group_name, options, _index in context["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{_text(group_name)}">')
            for option in options:
                if option["template_name"] != OPTION:
                    return None
                parts.append(
                    f'\n  <option value="{_string(option["value"])}"{_attrs(option["attrs"])}>'
                    f"{_text(option['label'])}</option>\n"
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return "".join(parts)
    return None


def _css_class(widget, extra: str) -> str:
    """The class crispy's `{% crispy_field field 'class' extra %}` gives the widget: its own class, its type's
    name in lower case, then `extra`."""
    class_name = widget.__class__.__name__.lower()
    class_name = getattr(settings, "CRISPY_CLASS_CONVERTERS", {}).get(class_name, class_name)
    css = widget.attrs.get("class", "")
    if css:
        if css.find(class_name) == -1:
            css += f" {class_name}"
    else:
        css = class_name
    for token in extra.split():
        if token not in css.split():
            css += f" {token}"
    return css


def _help_and_errors(bound) -> str:
    """bootstrap5/layout/help_text_and_errors.html (errors as a block, then the help text)."""
    parts = []
    errors = bound.errors
    if errors:
        parts.append(f'<div id="{_text(getattr(errors, "field_id", None))}_error" class="invalid-feedback">')
        parts += [
            f'<p id="error_{number}_{_text(bound.auto_id)}"><strong>{_text(error)}</strong></p>'
            for number, error in enumerate(errors, start=1)
        ]
        parts.append("</div>")
    if bound.help_text:
        helptext_id = f'id="{_text(bound.auto_id)}_helptext" ' if bound.auto_id else ""
        parts.append(f'<div {helptext_id}class="form-text">{bound.help_text}</div>')
    return "".join(parts)


def field_html(bound) -> SafeString:
    """`{{ bound|as_crispy_field }}` (bootstrap5), for the widget kinds of the note page; crispy itself for others."""
    field, widget = bound.field, bound.field.widget
    checkbox = widget.template_name == "django/forms/widgets/checkbox.html"
    kind = "form-check-input" if checkbox else "form-select" if widget.template_name == SELECT else "form-control"
    errors = bound.errors
    drawn = None
    if not bound.is_hidden and getattr(bound.form, "helper", None) is None and not hasattr(widget, "widgets"):
        attrs = {"class": _css_class(widget, f"{kind} is-invalid" if errors else kind)}
        attrs = bound.build_widget_attrs(attrs, widget)
        if bound.auto_id and "id" not in widget.attrs:
            attrs.setdefault("id", bound.auto_id)
        drawn = _widget(widget.get_context(bound.html_name, bound.value(), attrs)["widget"])
    if drawn is None:
        return as_crispy_field(bound)
    css = bound.css_classes()
    css = f" {css}" if css else ""
    required = field.required
    asterisk = '<span class="asteriskField">*</span>' if required else ""
    required_class = " requiredField" if required else ""
    label = _text(bound.label) if bound.label is not None else ""
    if checkbox:
        return mark_safe(
            f'<div class="mb-3"><div id="div_{_text(bound.auto_id)}" class="form-check{css}">{drawn}'
            f'<label for="{_text(bound.id_for_label)}" class="form-check-label{required_class}">{label}{asterisk}'
            f"</label>{_help_and_errors(bound)}</div></div>"
        )
    parts = [f'<div id="div_{_text(bound.auto_id)}" class="mb-3{css}">']
    if bound.label:
        label_for = f'for="{_text(bound.id_for_label)}" ' if bound.id_for_label else ""
        parts.append(f'<label {label_for}class="form-label{required_class}">{label}{asterisk}</label>')
    parts += [drawn, _help_and_errors(bound), "</div>"]
    return mark_safe("".join(parts))


class NoteBoundField(boundfield.BoundField):
    """A field of the note page: `{{ field.html }}` draws it as `{{ field|as_crispy_field }}` did, faster."""

    @property
    def html(self) -> SafeString:
        return field_html(self)
