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
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

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


def trend_svg(
    series: Sequence[Series], *, y_max: float, y_label: str, title: str, y_step: float, empty_text: str
) -> SafeString:
    """An SVG line chart of the series over time, y from 0 to `y_max`, dates on the x axis."""
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
    # Date labels: first and last day (and the middle one when there are three or more days).
    labelled = [first, last] if span else [first]
    if len(days) >= 3:
        middle = days[len(days) // 2]
        x_middle = x_of(dt.datetime.combine(middle, dt.time(12), tzinfo=timezone.get_current_timezone()))
        if LEFT + 130 < x_middle < WIDTH - RIGHT - 130:  # only where it cannot overlap the end labels
            labelled.insert(1, middle)
    for day in [d for d in labelled if d is not None]:
        moment = dt.datetime.combine(day, dt.time(12), tzinfo=timezone.get_current_timezone())
        x = x_of(moment) if span else LEFT + plot_w / 2
        anchor = "middle"
        if span and day == first:
            anchor, x = "start", LEFT
        elif span and day == last:
            anchor, x = "end", WIDTH - RIGHT
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="13" text-anchor="{}" fill="#333">{}</text>',
                x,
                HEIGHT - BOTTOM + 20,
                anchor,
                day.strftime("%-d %b %Y"),
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
            label = f"{s.label}: {_fmt(p.value)} on {timezone.localtime(p.at):%Y-%m-%d}"
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
        f"{title}: no values yet."
        if not total
        else f"{title}: "
        + "; ".join(
            f"{s.label} " + ", ".join(f"{_fmt(p.value)} on {timezone.localtime(p.at):%Y-%m-%d}" for p in s.points)
            for s in series
            if s.points
        )
    )
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
