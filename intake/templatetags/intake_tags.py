"""Template tags of the intake app: the body diagram, and the paperwork flags a chart or calendar shows."""

from __future__ import annotations

from django import template
from django.utils import translation
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from intake import content
from intake.selectors import patient_readiness

register = template.Library()


def _shapes(view: str, marked: set[str]) -> list[dict]:
    shapes = []
    for region in content.REGIONS:
        if region.view != view:
            continue
        drawn = content.region_svg(region)
        shapes.append({"region": region, "tag": drawn["tag"], "attrs": drawn["attrs"], "marked": region.code in marked})
    return shapes


@register.inclusion_tag("intake/_body_diagram.html")
def body_diagram(field=None, marked=None):
    """The front and back figure. With a form field, its checkboxes are the real controls (JS lets a click on
    the figure tick them); without one, a drawing with the `marked` regions filled."""
    marked = set(marked or ())
    options = {}
    if field is not None:
        for widget in field.subwidgets:
            options[widget.data["value"]] = widget
            if widget.data.get("selected"):
                marked.add(widget.data["value"])
        marked |= set(field.value() or ())
    views = []
    names = (
        ("front", pgettext_lazy("side of the body", "Front"), _("Front view"), _("Front of the body")),
        ("back", pgettext_lazy("side of the body", "Back"), _("Back view"), _("Back of the body")),
    )
    for view, title, figure_title, list_title in names:
        views.append(
            {
                "view": view,
                "title": title,
                "figure_title": figure_title,
                "list_title": list_title,
                "shapes": _shapes(view, marked),
                "checkboxes": [(options[r.code], r) for r in content.REGIONS if r.view == view and r.code in options],
            }
        )
    return {"views": views, "field": field, "interactive": field is not None, "marked": marked}


@register.inclusion_tag("intake/_readiness.html")
def intake_readiness(readiness, compact=False):
    """Badges for a patient's paperwork: intake, consent and an unreviewed red-flag alert."""
    return {"r": readiness, "compact": compact}


@register.inclusion_tag("intake/_chart_alert.html", takes_context=True)
def intake_chart_alert(context, patient):
    """The intake/consent box on the patient's chart, with the red-flag alert until it is reviewed."""
    return {"patient": patient, "r": patient_readiness(patient), "user": context.get("user")}


@register.filter
def svg_attrs(attrs: dict) -> str:
    return format_html_join(" ", '{}="{}"', attrs.items())


@register.filter
def red_flag_advice(field):
    """The advice (intake.content.ADVICE) a yes to this red-flag question calls for, or None."""
    return content.ADVICE_BY_CODE.get(field.name)


# Languages whose own grammar writes other languages' names in lower case inside a sentence ("en inglés").
LOWER_CASE_LANGUAGE_NAMES = frozenset({"es"})


@register.filter
def language_in_sentence(code: str) -> str:
    """The name of the language `code` in the active language, as written inside a sentence ("in English",
    "en inglés")."""
    try:
        name = translation.gettext(translation.get_language_info(code)["name"])
    except KeyError:
        return code
    return name.lower() if (translation.get_language() or "").split("-")[0] in LOWER_CASE_LANGUAGE_NAMES else name
