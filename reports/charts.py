"""Server-side SVG bar charts for the reports (no JavaScript; prints as it shows)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

ROW = 26
LABEL_W = 150
BAR_W = 360


def bars_svg(
    rows: Sequence[tuple[str, Sequence[float]]], *, series: Sequence[str], title: str, unit: str = ""
) -> SafeString:
    """Horizontal grouped bars: one group per row label, one bar per series (`series` names them)."""
    colours = ("#2a6f97", "#c2410c", "#15803d", "#7c3aed")
    top = max((v for _, values in rows for v in values), default=0) or 1
    per = len(series)
    group_h = ROW * per + 8
    height = 30 + group_h * max(len(rows), 1)
    parts = []
    for i, (label, values) in enumerate(rows):
        y0 = 30 + i * group_h
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" class="lbl">{}</text>', LABEL_W - 8, y0 + group_h / 2, label
            )
        )
        for j, value in enumerate(values):
            width = BAR_W * value / top
            y = y0 + j * ROW
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}{}</title></rect>'
                    '<text x="{}" y="{}" class="val">{}{}</text>',
                    LABEL_W,
                    y,
                    f"{width:.1f}",
                    ROW - 6,
                    colours[j % len(colours)],
                    series[j],
                    _fmt(value),
                    unit,
                    f"{LABEL_W + width + 4:.1f}",
                    y + ROW - 10,
                    _fmt(value),
                    unit,
                )
            )
    legend = format_html_join(
        "",
        '<rect x="{}" y="6" width="12" height="12" fill="{}"></rect><text x="{}" y="16" class="lbl">{}</text>',
        ((LABEL_W + k * 160, colours[k % len(colours)], LABEL_W + k * 160 + 16, name) for k, name in enumerate(series)),
    )
    return format_html(
        '<svg class="report-chart" role="img" aria-label="{}" viewBox="0 0 {} {}" width="100%" '
        'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        "<style>.lbl{{font:12px sans-serif;fill:#222}}.val{{font:11px sans-serif;fill:#222}}</style>{}{}</svg>",
        title,
        LABEL_W + BAR_W + 60,
        height,
        legend,
        SafeString("".join(parts)),
    )


def _fmt(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
