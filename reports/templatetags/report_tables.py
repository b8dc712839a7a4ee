"""The frame every report table shares: a region of its own that scrolls sideways on a phone (focusable, so a
keyboard can scroll it, and named for screen readers), and the table's caption for screen readers."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_block_tag
def figures_table(content: str, region: str, caption: str = "") -> str:
    """`{% figures_table region caption %}<thead>...</thead><tbody>...</tbody>{% endfigures_table %}`."""
    named = format_html('<caption class="visually-hidden">{}</caption>', caption) if caption else ""
    return format_html(
        '<div class="table-responsive" tabindex="0" role="region" aria-label="{}">\n'
        '<table class="table table-sm">\n{}{}</table>\n</div>',
        region,
        named,
        content,
    )
