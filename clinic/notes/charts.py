"""Trend charts drawn on the server as SVG: no JavaScript, no chart library, no CDN; they print as they show.

Every mark carries a shape as well as a colour (circles, squares) and every line a dash pattern, so series
stay apart in black-and-white print; each point has a <title> with its date and value, and the chart has a
text alternative. 0 points draw the empty axes with a sentence, 1 point a single mark, more a line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

WIDTH, HEIGHT = 480, 230
LEFT, RIGHT, TOP, BOTTOM = 50, 14, 14, 46
STYLES = [
    # stroke colour (dark enough for print), dash pattern, marker
    ("#1f4e79", "", "circle"),
    ("#8a3b12", "6 4", "square"),
    ("#2b6a30", "2 3", "diamond"),
]


@dataclass(frozen=True)
class Series:
    label: str
    points: Sequence  # objects with `.at` (aware datetime) and `.value` (float)


@dataclass(frozen=True)
class Threshold:
    """A horizontal line on the chart: `value` on the y scale, a short `label`, a longer `description`."""

    value: float
    label: str
    description: str


def meaningful_change_line(points: Sequence, *, change: float, unit: str, name: str) -> Threshold | None:
    """The line a meaningful improvement must reach: `change` below the first value (lower is better for pain,
    NDI and ODI). None without points, or when the first value is already within `change` of 0."""
    if not points or change <= 0:
        return None
    first = min(points, key=lambda p: p.at)
    value = float(first.value) - change
    if value < 0:
        return None
    return Threshold(
        value=value,
        label=gettext("%(name)s: %(change)s %(unit)s better than first")
        % {"name": name, "change": _fmt(change), "unit": unit},
        description=gettext(
            "Meaningful change for %(name)s: %(change)s %(unit)s below the first value (%(first)s on %(date)s), "
            "at %(value)s"
        )
        % {
            "name": name,
            "change": _fmt(change),
            "unit": unit,
            "first": _fmt(float(first.value)),
            "date": f"{timezone.localtime(first.at):%Y-%m-%d}",
            "value": _fmt(value),
        },
    )


END_LABEL_WIDTH = 78  # px a "27 Nov 2026" label takes at font-size 13, with a small gap
LABEL_WIDTH = 48  # px a middle "27 Nov" label takes, with a small gap


def _date_labels(days: Sequence[dt.date], x_of) -> list[tuple[dt.date, float, str]]:
    """Which days get a label and where: the first and the last always (with the year), and every day between
    whose label fits without touching its neighbours (so close visits share one label, spread ones get theirs)."""
    if not days:
        return []
    if len(days) == 1:
        return [(days[0], LEFT + (WIDTH - LEFT - RIGHT) / 2, "middle")]
    first_x, last_x = LEFT, WIDTH - RIGHT
    chosen = [(days[0], first_x, "start")]
    edge = first_x + END_LABEL_WIDTH  # where the next label may begin
    for day in days[1:-1]:
        x = x_of(day)
        if x - LABEL_WIDTH / 2 >= edge and x + LABEL_WIDTH / 2 <= last_x - END_LABEL_WIDTH:
            chosen.append((day, x, "middle"))
            edge = x + LABEL_WIDTH / 2
    chosen.append((days[-1], last_x, "end"))
    return chosen


def _marker(kind: str, x: float, y: float, colour: str, title: str) -> SafeString:
    if kind == "square":
        shape = format_html(
            '<rect x="{}" y="{}" width="8" height="8" fill="{}" stroke="#fff" stroke-width="1"/>', x - 4, y - 4, colour
        )
    elif kind == "diamond":
        shape = format_html(
            '<path d="M{} {} l5 5 l-5 5 l-5 -5 z" fill="{}" stroke="#fff" stroke-width="1"/>', x, y - 5, colour
        )
    else:
        shape = format_html('<circle cx="{}" cy="{}" r="4.5" fill="{}" stroke="#fff" stroke-width="1"/>', x, y, colour)
    return format_html("<g><title>{}</title>{}</g>", title, shape)


def _fmt(value: float) -> str:
    return f"{value:g}"


def _value_on(point) -> str:
    """'4 on 2026-11-27': a point's value and its day (ISO dates, as in the rest of the charts' text)."""
    return gettext("%(value)s on %(date)s") % {
        "value": _fmt(point.value),
        "date": f"{timezone.localtime(point.at):%Y-%m-%d}",
    }


def trend_svg(
    series: Sequence[Series],
    *,
    y_max: float,
    y_label: str,
    title: str,
    y_step: float,
    empty_text: str,
    thresholds: Sequence[Threshold] = (),
) -> SafeString:
    """An SVG line chart of the series over time, y from 0 to `y_max`, dates on the x axis; `thresholds` draw
    the meaningful-change lines."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    days = sorted({timezone.localtime(p.at).date() for s in series for p in s.points})
    first, last = (days[0], days[-1]) if days else (None, None)
    span = (last - first).days if days else 0

    def x_of(moment: dt.datetime) -> float:
        if not span:
            return LEFT + plot_w / 2
        seconds = (moment - dt.datetime.combine(first, dt.time(), tzinfo=moment.tzinfo)).total_seconds()
        offset = seconds / (span * 86400 + 86400)
        return round(LEFT + offset * plot_w, 1)

    def y_of(value: float) -> float:
        return round(TOP + plot_h - (min(max(value, 0), y_max) / y_max) * plot_h, 1)

    parts: list[SafeString] = []
    # Grid and y axis labels.
    tick = 0.0
    while tick <= y_max:
        y = y_of(tick)
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#c8c8c8" stroke-width="1"/>'
                '<text x="{}" y="{}" font-size="13" text-anchor="end" fill="#333">{}</text>',
                LEFT,
                y,
                WIDTH - RIGHT,
                y,
                LEFT - 6,
                y + 4,
                _fmt(tick),
            )
        )
        tick += y_step
    parts.append(
        format_html(
            '<text x="14" y="{}" font-size="13" fill="#333" transform="rotate(-90 14 {})" '
            'text-anchor="middle">{}</text>',
            TOP + plot_h / 2,
            TOP + plot_h / 2,
            y_label,
        )
    )
    # Date labels: enough days to read the trend (every day when they fit), never overlapping one another.
    zone = timezone.get_current_timezone()
    for day, x, anchor in _date_labels(days, lambda d: x_of(dt.datetime.combine(d, dt.time(12), tzinfo=zone))):
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="13" text-anchor="{}" fill="#333" class="date-label">{}</text>',
                x,
                HEIGHT - BOTTOM + 20,
                anchor,
                date_format(day, "j M Y") if day in (days[0], days[-1]) else date_format(day, "j M"),
            )
        )
    # Meaningful-change lines: a dashed grey line with its label, e.g. "2 points better than the first".
    for threshold in thresholds:
        if not 0 <= threshold.value <= y_max:
            continue
        y = y_of(threshold.value)
        parts.append(
            format_html(
                '<g class="threshold"><title>{}</title><line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#555" '
                'stroke-width="1.5" stroke-dasharray="8 3 2 3"/><text x="{}" y="{}" font-size="12" '
                'text-anchor="end" fill="#333">{}</text></g>',
                threshold.description,
                LEFT,
                y,
                WIDTH - RIGHT,
                y,
                WIDTH - RIGHT - 2,
                y - 4,
                threshold.label,
            )
        )
    if not days:
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="14" text-anchor="middle" fill="#333">{}</text>',
                LEFT + plot_w / 2,
                TOP + plot_h / 2,
                empty_text,
            )
        )
    # The series.
    legend = []
    for index, s in enumerate(series):
        colour, dash, marker = STYLES[index % len(STYLES)]
        coords = [(x_of(p.at), y_of(p.value), p) for p in sorted(s.points, key=lambda p: p.at)]
        if len(coords) > 1:
            parts.append(
                format_html(
                    '<polyline points="{}" fill="none" stroke="{}" stroke-width="2" stroke-dasharray="{}"/>',
                    " ".join(f"{x},{y}" for x, y, _ in coords),
                    colour,
                    dash or "none",
                )
            )
        for x, y, p in coords:
            label = f"{s.label}: {_value_on(p)}"
            parts.append(_marker(marker, x, y, colour, label))
        if s.points:
            legend.append((colour, marker, s.label))
    # Legend along the bottom edge.
    for index, (colour, marker, label) in enumerate(legend):
        x = LEFT + index * 130
        parts.append(_marker(marker, x + 5, HEIGHT - 8, colour, label))
        parts.append(format_html('<text x="{}" y="{}" font-size="13" fill="#333">{}</text>', x + 14, HEIGHT - 4, label))
    total = sum(len(s.points) for s in series)
    description = (
        gettext("%(title)s: no values yet.") % {"title": title}
        if not total
        else f"{title}: "
        + "; ".join(f"{s.label} " + ", ".join(_value_on(p) for p in s.points) for s in series if s.points)
    )
    if total:
        description += "".join(f". {t.description}" for t in thresholds)
    axis = format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#333" stroke-width="1"/>',
        LEFT,
        TOP + plot_h,
        WIDTH - RIGHT,
        TOP + plot_h,
    )
    body = format_html_join("", "{}", ((p,) for p in [*parts, axis]))
    return format_html(
        '<svg class="trend-chart" viewBox="0 0 {} {}" width="100%" role="img" aria-labelledby="{}-t {}-d" '
        'xmlns="http://www.w3.org/2000/svg" data-points="{}"><title id="{}-t">{}</title><desc id="{}-d">{}</desc>'
        '<rect x="0" y="0" width="{}" height="{}" fill="#fff"/>{}</svg>',
        WIDTH,
        HEIGHT,
        _slug(title),
        _slug(title),
        total,
        _slug(title),
        title,
        _slug(title),
        description,
        WIDTH,
        HEIGHT,
        body,
    )


def _slug(text: str) -> str:
    return "chart-" + "".join(ch.lower() if ch.isalnum() else "-" for ch in text)[:40]
