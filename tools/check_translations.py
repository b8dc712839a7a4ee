"""`make lint`'s translation check (issue 24): patient-facing text is marked, and Spanish has it.

1. A template shows no text outside {% translate %} and {% blocktranslate %}: visible text between tags and the
   attributes people read (aria-label, title, alt, placeholder, a meta description's content) count; variables,
   tags and comments do not. This holds for every template under templates/: the patient-facing ones
   (PATIENT_TEMPLATES) and the staff ones (all the others), except those listed in NOT_YET_MARKED.
2. Every entry of the Spanish catalog used by a patient-facing file (by its `#:` references) is translated and
   not fuzzy. Staff pages are marked but may stay English for now: their entries may be empty.
3. The compiled catalog (.mo, committed so `make run` needs no gettext) says what the .po says.

Exit status 1 with one line per problem; `python tools/check_translations.py --list` also prints what it checked.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOG.with_suffix(".mo")

# Where patients (and visitors) read: whole folders end in "/".
PATIENT_TEMPLATES = (
    "templates/base.html",
    "templates/clinic/index.html",
    "templates/clinic/no_role.html",
    "templates/clinic/family/home.html",
    "templates/clinic/family/_members.html",
    "templates/clinic/family/_acting_for.html",
    "templates/records/account_records.html",
    "templates/components/form_errors.html",
    "templates/errors/",
    "templates/account/email/",
    "templates/allauth/layouts/",
    "templates/scheduling/online/",
    "templates/scheduling/email/",
    "templates/intake/",
    "templates/clinic/careplans/questionnaire_answer.html",
    "templates/clinic/careplans/questionnaire_done.html",
    "templates/clinic/careplans/questionnaire_invalid.html",
    "templates/clinic/careplans/recall_opt_out.html",
    "templates/records/record.html",  # the record PDF a patient receives (and downloads from the account page)
    # The care plan's page, where a patient reads and accepts their plan (shared with staff: its staff-only
    # buttons are in Spanish too, a small price for one page that is whole in the patient's language).
    "templates/clinic/careplans/detail.html",
    "templates/clinic/careplans/_summary.html",
    "templates/clinic/careplans/_outcomes.html",
    "templates/clinic/careplans/_trend.html",
)
# Python files whose strings patients read (their catalog entries must be translated).
PATIENT_PYTHON = (
    "clinic/family.py",
    "clinic/family_forms.py",
    "clinic/views_family.py",
    "clinic/records/services.py",
    "clinic/records/pdf.py",  # the record PDF a patient receives
    "clinic/input_limits.py",
    "scheduling/views/patient.py",
    "scheduling/services/online.py",
    "scheduling/services/booking.py",
    "scheduling/services/status.py",
    "scheduling/dates.py",
    "clinic/careplans/outcomes.py",
    "clinic/careplans/views_outcomes.py",
    "clinic/careplans/views.py",  # the patient reads its accept-online messages
    "clinic/careplans/services.py",  # and the acceptance refusals
    "clinic/careplans/recalls.py",  # the recall e-mail (stock text, reasons, opt-out line) and the link's refusals
    "scheduling/notices.py",
    "intake/",
)
# Staff-only templates inside the patient folders (they are marked too, but may stay English for now).
STAFF_ONLY = re.compile(r"templates/intake/(staff_|patient_intake_status|intake_status|intake_summary|_urgent_alerts)")
# Python a patient never reads inside the patient folders: the management commands (help and errors for whoever
# runs them on the server; marked, may stay English for now).
STAFF_ONLY_PYTHON = re.compile(r"(^|/)management/commands/")
# Templates outside PATIENT_TEMPLATES are staff pages: check 1 covers them too (check 2 does not), except these,
# not marked yet because other work is changing them (issue 24 finishes them). Whole folders end in "/".
NOT_YET_MARKED: tuple[str, ...] = ()  # none left: every template is marked
TEMPLATE_SUFFIXES = {".html", ".txt"}

MARKED_BLOCK = re.compile(r"{%\s*blocktranslate\b.*?{%\s*endblocktranslate\s*%}", re.S)
COMMENT_BLOCK = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.S)
# Blocks that hold class names, not words.
CLASS_BLOCK = re.compile(r"{%\s*block\s+\w*class\s*%}.*?{%\s*endblock\b[^%]*%}", re.S)
TAG = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.S)
SCRIPT_STYLE = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
READ_ATTRIBUTE = re.compile(r"""\b(aria-label|title|alt|placeholder|content)\s*=\s*("[^"]*"|'[^']*')""", re.I)
ELEMENT = re.compile(r"<[^>]*>", re.S)
WORDS = re.compile(r"[A-Za-z][a-z]+(?:[ '\u2019-][A-Za-z]+)*")
# Not words for a reader: entities, units, the clinic's own names drawn from settings are variables anyway.
IGNORED = {
    "nbsp",
    "amp",
    "middot",
    "times",
    "larr",
    "rarr",
    "hellip",
    "ndash",
    "mdash",
    "SOT",
    "PDF",
    "TOTP",
    "NDI",
    "ODI",
    "px",
}


def _listed(relative: str, entries: tuple[str, ...]) -> bool:
    return any(relative == e or (e.endswith("/") and relative.startswith(e)) for e in entries)


def _patient_templates() -> list[Path]:
    found: list[Path] = []
    for entry in PATIENT_TEMPLATES:
        path = ROOT / entry
        if entry.endswith("/"):
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in TEMPLATE_SUFFIXES))
        elif path.exists():
            found.append(path)
    return [p for p in found if not STAFF_ONLY.search(p.relative_to(ROOT).as_posix())]


def _staff_templates() -> list[Path]:
    """Every other template under templates/, less NOT_YET_MARKED: a new template is checked unless listed."""
    patient = set(_patient_templates())
    return [
        p
        for p in sorted((ROOT / "templates").rglob("*"))
        if p.suffix in TEMPLATE_SUFFIXES
        and p not in patient
        and not _listed(p.relative_to(ROOT).as_posix(), NOT_YET_MARKED)
    ]


def unmarked_text(source: str) -> list[str]:
    """The pieces of `source` a person would read that are not inside a translation tag."""
    text = MARKED_BLOCK.sub(" ", source)
    text = COMMENT_BLOCK.sub(" ", text)
    text = CLASS_BLOCK.sub(" ", text)
    text = re.sub(r"{%\s*(translate|trans)\s+(\"[^\"]*\"|'[^']*').*?%}", " ", text)
    found: list[str] = []
    attribute_text = SCRIPT_STYLE.sub(" ", HTML_COMMENT.sub(" ", text))
    for _name, value in READ_ATTRIBUTE.findall(attribute_text):
        inner = TAG.sub("", value[1:-1])
        if _name.lower() == "content" and ("width=" in inner or inner.lstrip().startswith("{")):
            continue  # the viewport's and htmx's settings, not words
        found.extend(w for w in WORDS.findall(inner) if w not in IGNORED)
    body = ELEMENT.sub(" ", TAG.sub(" ", SCRIPT_STYLE.sub(" ", HTML_COMMENT.sub(" ", text))))
    found.extend(w for w in WORDS.findall(body) if w not in IGNORED)
    return found


def _is_patient_reference(reference: str) -> bool:
    if STAFF_ONLY.search(reference) or STAFF_ONLY_PYTHON.search(reference):
        return False
    return _listed(reference, PATIENT_TEMPLATES) or _listed(reference, PATIENT_PYTHON)


def problems() -> list[str]:
    found: list[str] = []
    for template in [*_patient_templates(), *_staff_templates()]:
        words = unmarked_text(template.read_text(encoding="utf-8"))
        if words:
            shown = ", ".join(dict.fromkeys(words[:6]))
            found.append(f"{template.relative_to(ROOT)}: text not marked for translation: {shown}")
    if not CATALOG.exists():
        return [*found, f"{CATALOG.relative_to(ROOT)} is missing: run `make messages`"]
    catalog = polib.pofile(str(CATALOG))
    # Spanish has three plural forms in Django's catalog (one, millions, other): an entry needs every one.
    plurals = int(re.search(r"nplurals\s*=\s*(\d+)", catalog.metadata.get("Plural-Forms", "nplurals=2")).group(1))
    for entry in catalog:
        if entry.obsolete:
            continue
        references = [path for path, _line in entry.occurrences]
        if not any(_is_patient_reference(r) for r in references):
            continue
        forms = [entry.msgstr_plural.get(n, "") for n in range(plurals)]
        untranslated = not entry.translated() if not entry.msgid_plural else not all(forms)
        if untranslated or "fuzzy" in entry.flags:
            state = "fuzzy" if "fuzzy" in entry.flags else "not translated"
            found.append(f"{CATALOG.relative_to(ROOT)}: {state} for patients ({references[0]}): {entry.msgid[:70]!r}")
    if not COMPILED.exists():
        found.append(f"{COMPILED.relative_to(ROOT)} is missing: run `make messages`")
    else:
        compiled = {
            (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
            for e in polib.mofile(str(COMPILED))
        }
        for entry in catalog.translated_entries():
            if "fuzzy" in entry.flags:
                continue
            key = (entry.msgctxt, entry.msgid)
            if compiled.get(key) != (entry.msgstr, tuple(sorted(entry.msgstr_plural.items()))):
                found.append(f"{COMPILED.relative_to(ROOT)} is older than the .po: run make messages")
                break
    return found


def main() -> int:
    found = problems()
    if "--list" in sys.argv:
        for template in _patient_templates():
            print("checked (patient: marked and in Spanish)", template.relative_to(ROOT))
        for template in _staff_templates():
            print("checked (staff: marked)", template.relative_to(ROOT))
        for entry in NOT_YET_MARKED:
            print("not checked yet", entry)
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
