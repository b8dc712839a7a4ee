"""The calendar's many small parts, written in Python: `{% cal_rows col %}` (a column's 15-minute rows) and
`{% cal_blocks col %}` (its appointments). Used by templates/scheduling/_calendar.html.

Why not a template include per block: a busy day has about 400 appointments and 400 rows, and an include per
block cost about 870 bytes and most of the page's 180 ms (issue 15 item 6). Here each block is one line of
markup: its place as CSS custom properties (minutes; static/css/scheduling.css turns them into pixels), no
per-block move URL (static/js/calendar-drag.js builds it from the grid's `data-move-url-template`), and its
flags said once to screen readers. Every value from the database is escaped.
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime

from scheduling.selectors import Flags

register = template.Library()

PK = "{pk}"  # the placeholder in the grid's URL templates (read by static/js/calendar-drag.js)


def url_template(name: str) -> str:
    """`reverse(name)` for an appointment, with `{pk}` where its id goes."""
    sentinel = 987654321
    url = reverse(name, args=[sentinel])
    assert url.count(str(sentinel)) == 1, url
    return url.replace(str(sentinel), PK)


@register.simple_tag
def cal_url_template(name: str) -> str:
    return url_template(name)


@register.simple_tag
def cal_rows(col) -> str:
    """One element per 15-minute row, in order (no positions: they stack). A free time is a link that books
    it, named for screen readers with the practitioner and the day; runs of rows that are not (outside hours,
    gone by, or under an appointment) are one element, `--n` rows high."""
    about = escape(f" book with {col.practitioner.display_name} on {date_format(col.day, 'D j M')}")
    out: list[str] = []
    run_kind, run = "", 0

    def close() -> None:
        if run:
            n = f' style="--n:{run}"' if run > 1 else ""
            out.append(f'<div class="cal-{run_kind}"{n}></div>')

    for r in col.rows:
        if r.bookable:
            close()
            run_kind, run = "", 0
            out.append(
                f'<a class="cal-slot" href="{escape(r.book_url)}">+ {r.label}'
                f'<span class="visually-hidden">{about}</span></a>'
            )
            continue
        kind = "off" if not r.working else "taken" if r.taken else "past"
        if kind != run_kind:
            close()
            run_kind, run = kind, 0
        run += 1
    close()
    return mark_safe("".join(out))  # every value above is escaped, or ours


FLAG_CLASSES = ("new", "intake", "consent", "red")  # their badges' words are in the CSS


def flags_html(flags: Flags | None) -> str:
    """The flags: a badge each (empty elements; static/css/scheduling.css writes "New", "Intake", "Consent",
    "Red flag" in them, hidden from screen readers), then all of them once in words, for screen readers (and
    shown when the block is opened up by hover or focus)."""
    if not flags:
        return ""
    shown = (flags.new_patient, flags.intake_missing, flags.consent_missing, flags.red_flag)
    if not any(shown):
        return ""
    words = [
        "new patient" if flags.new_patient else "",
        flags.intake_label.lower() if flags.intake_missing else "",
        flags.consent_label.lower() if flags.consent_missing else "",
        "red flag in intake" if flags.red_flag else "",
    ]
    said = ", ".join(w for w in words if w)
    badges = "".join(f'<i class="{c}"></i>' for c, on in zip(FLAG_CLASSES, shown, strict=True) if on)
    return f" {badges}<small>{said[0].upper()}{said[1:]}.</small>"


@register.simple_tag
def cal_blocks(col, labels=None) -> str:
    """The column's appointments, each a link to its page: where (`--t` minutes from the top, `--d` minutes
    long) and the type's colour (`--c`); inside, the time and patient (`strong`), the type and the room (two
    `span`s; after the room, in an `em`, the text `labels` gives the appointment: the care plan's "visit 7 of
    12", from clinic's `careplan_block_labels` in the template, since scheduling imports no care-plan code),
    the status (`b`, a badge) and the flags (`flags_html`). static/css/scheduling.css styles them by these
    elements, to keep ~400 blocks small."""
    labels = labels or {}
    detail = url_template("scheduling:appointment_detail").split(PK)
    statuses: dict[str, str] = {}
    out = []
    for b in col.blocks:
        a = b.appointment
        kind = a.appointment_type
        status = statuses.get(a.status)
        if status is None:
            status = statuses[a.status] = escape(a.get_status_display())
        room = escape(a.room.name) if a.room_id else ""
        label = labels.get(a.pk)
        if label:  # on the room's line: a 30-minute block shows three lines
            room += f"<em>{' · ' if room else ''}{escape(label)}</em>"
        out.append(
            f'<a class="cal-block status-{escape(a.status)}" style="--t:{b.offset};--d:{b.minutes};'
            f'--c:{escape(kind.colour)}" href="{detail[0]}{a.pk}{detail[1]}">'
            f"<strong>{localtime(a.start):%H:%M} {escape(a.patient.full_name)}</strong>"
            f"<span>{escape(kind.name)}</span><span>{room}</span><b>{status}</b>{flags_html(b.flags)}</a>"
        )
    return mark_safe("".join(out))  # every value above is escaped, or ours
