"""The calendar's many small parts, written in Python: `{% cal_rows col %}` (a column's 15-minute rows) and
`{% cal_blocks col %}` (its appointments). Used by templates/scheduling/_calendar.html.

Why not a template include per block: a busy day has about 400 appointments and 400 rows, and an include per
block cost about 870 bytes and most of the page's 180 ms (issue 15 item 6). Here each block is one line of
markup: its place as CSS custom properties (minutes; static/css/scheduling.css turns them into pixels; the length
and the colour left out when they are the CSS's defaults), no
per-block move URL (static/js/calendar-drag.js builds it from the grid's `data-move-url-template`), and its
flags said once to screen readers. Every value from the database is escaped.
"""

from __future__ import annotations

import posixpath
from html import escape  # as Django's, without its lazy-string wrapper (2,000 calls a busy page)

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from scheduling.calendar import ROW_MINUTES
from scheduling.models import Appointment, AppointmentType
from scheduling.selectors import Flags

register = template.Library()

BOOKED = Appointment.Status.BOOKED
DEFAULT_COLOUR = AppointmentType._meta.get_field("colour").default.lower()  # static/css/scheduling.css's --c
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


def _links(context) -> tuple[str, str, str, str]:
    """The booking URL and its form relative to the page, and the appointment page's URL relative to the page
    split at its id: reversed once a calendar (the template's render context), not once a column."""
    links = context.render_context.get("cal_links")
    if links is None:
        request = context.get("request")
        base = reverse("scheduling:appointment_book")
        detail = url_template("scheduling:appointment_detail")
        if request is not None:
            relative, detail = relative_prefix(request.path, base), relative_prefix(request.path, detail)
        else:
            relative = base
        before, after = detail.split(PK)
        links = context.render_context["cal_links"] = (base, relative, before, after)
    return links


@register.simple_tag(takes_context=True)
def cal_rows(context, col) -> str:
    """One element per 15-minute row, in order (no positions: they stack). A free time is a link that books
    it, named for screen readers with the practitioner and the day; runs of rows that are not (outside hours,
    gone by, or under an appointment) are one element, `--n` rows high. Links are relative to the page."""
    base, relative, _before, _after = _links(context)
    # Looked up once a column, not once a row.
    about = " " + escape(
        gettext("book with %(practitioner)s on %(day)s")
        % {"practitioner": col.practitioner.display_name, "day": date_format(col.day, "D j M")}
    )
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
                f'<a class="cal-slot" href="{escape(relative + r.book_url[len(base) :])}">+ {r.label}'
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


def spoken_html(language: str) -> str:
    """The patient's language when it is not the clinic's default (issue 24 item 3), after their name on the
    block's first line: a badge with its code ("ES", drawn by the CSS from `data-l`, hidden from screen readers)
    over its words ("Speaks Spanish.", not shown, read by screen readers). "" for the default language."""
    if not language or language == settings.LANGUAGE_CODE:
        return ""
    try:
        name = translation.get_language_info(language)["name_translated"]
    except KeyError:
        name = language
    words = gettext("Speaks %(language)s.") % {"language": name}
    return f'<i data-l="{escape(language.upper())}"> {escape(words)}</i>'


def flags_html(flags: Flags | None, status: str) -> str:
    """The last line: the status badge (`b`), then the flags in words, once (`New patient, intake not started,
    consent not signed.`), for screen readers and shown when the block is opened up by hover or focus. The
    small's classes let static/css/scheduling.css draw the flags as badges ("New", "Intake", "Consent", "Red
    flag", hidden from screen readers) in place of the words: `n` new patient, `i` intake, `c` consent, `r` red
    flag. (One element holds both so that the badges wrap, under a first line that does not.)"""
    shown = (flags.new_patient, flags.intake_missing, flags.consent_missing, flags.red_flag) if flags else ()
    if not any(shown):
        return f"<small><b>{status}</b></small>"
    words = [
        gettext("new patient") if flags.new_patient else "",
        flags.intake_label.lower() if flags.intake_missing else "",
        flags.consent_label.lower() if flags.consent_missing else "",
        gettext("red flag in intake") if flags.red_flag else "",
    ]
    said = ", ".join(w for w in words if w)
    classes = " ".join(c for c, on in zip("nicr", shown, strict=True) if on)
    return f'<small class="{classes}"><b>{status}</b>{said[0].upper()}{said[1:]}.</small>'


def length(minutes: int) -> str:
    """`;--d:N`, or nothing for a block of one row (15 minutes or less: the CSS's default, the same height)."""
    return "" if minutes <= ROW_MINUTES else f";--d:{minutes}"


def local_time(moment) -> str:
    return f"{moment.astimezone(timezone.get_current_timezone()):%H:%M}"


def relative_prefix(path: str, url: str) -> str:
    """`url` (an absolute path) as a link relative to the page at `path`: `/frontdesk/appointments/` from
    `/frontdesk/` is `appointments/` (11 bytes less on each of a busy day's 400 blocks)."""
    base = path.rsplit("/", 1)[0] + "/"
    if not url.startswith("/") or not base.startswith("/"):
        return url
    relative = posixpath.relpath(url, base)
    return relative + "/" if url.endswith("/") and not relative.endswith("/") else relative


@register.simple_tag(takes_context=True)
def cal_blocks(context, col, labels=None) -> str:
    """The column's appointments (`selectors.CalendarAppointment` rows), each a link to its page (relative to
    the page's own URL): where (`--t` minutes from the top, `--d` minutes long) and the type's colour (`--c`);
    its class says its status when it is not booked (`status-checked_in`...; booked, the usual, is said by no
    class). Inside: the time and patient (the first line, bold by CSS), the type and the room (two `span`s;
    after the room, in an `em`, the text `labels` gives the appointment: the care plan's "visit 7 of 12", from
    clinic's `careplan_block_labels` in the template, since scheduling imports no care-plan code), the status
    and the flags (`flags_html`; the status a `b` badge, empty when booked;
    after the patient, their language when not the default, `spoken_html`). static/css/scheduling.css styles
    them by these elements, to keep ~400 blocks small."""
    labels = labels or {}
    _base, _relative, before, after = _links(context)
    statuses: dict[str, tuple[str, str]] = {}
    kinds: dict[tuple[str, str], tuple[str, str]] = {}
    # Each distinct (flags, status) and language written once (`selectors.flags_for` shares Flags).
    said: dict[tuple, str] = {}
    languages: dict[str, str] = {}
    out = []
    for b in col.blocks:
        a = b.appointment
        status = statuses.get(a.status)
        if status is None:
            # Booked, the usual: no class, and the badge's word drawn by the CSS (read by screen readers too).
            booked = a.status == BOOKED
            css = "" if booked else f" status-{escape(a.status)}"
            status = statuses[a.status] = (css, "" if booked else escape(a.status_display))
        kind = kinds.get((a.type_colour, a.type_name))
        if kind is None:
            # The default type colour is the CSS's default for `--c`: not written (13 bytes a block).
            colour = "" if a.type_colour.lower() == DEFAULT_COLOUR else f";--c:{escape(a.type_colour)}"
            kind = kinds[(a.type_colour, a.type_name)] = (colour, escape(a.type_name))
        room = escape(a.room_name)
        label = labels.get(a.pk)
        if label:  # on the room's line: a 30-minute block shows three lines
            room += f"<em>{' · ' if room else ''}{escape(label)}</em>"
        flags = said.get((b.flags, status[1]))
        if flags is None:
            flags = said[(b.flags, status[1])] = flags_html(b.flags, status[1])
        spoken = languages.get(a.patient_language)
        if spoken is None:
            spoken = languages[a.patient_language] = spoken_html(a.patient_language)
        out.append(
            f'<a class="cal-block{status[0]}" style="--t:{b.offset}{length(b.minutes)}{kind[0]}" '
            f'href="{before}{a.pk}{after}">{b.time or local_time(a.start)} {escape(a.patient_name)}{spoken}'
            f"<span>{kind[1]}</span><span>{room}</span>{flags}</a>"
        )
    return mark_safe("".join(out))  # every value above is escaped, or ours
