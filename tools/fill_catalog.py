"""Fill msgstr of the Spanish catalog from a Python file holding ES = {msgid: msgstr} (and PLURALS); never
overwrites a translation already there. Usage: python tools/fill_catalog.py FILE [FILE ...]"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import polib

CATALOG = Path(__file__).resolve().parent.parent / "locale" / "es" / "LC_MESSAGES" / "django.po"


def main() -> int:
    po = polib.pofile(str(CATALOG))
    filled = 0
    for path in sys.argv[1:]:
        data = runpy.run_path(path)
        singular, plurals = data.get("ES", {}), data.get("PLURALS", {})
        for entry in po:
            if entry.msgid_plural and entry.msgid in plurals and not all(entry.msgstr_plural.values()):
                entry.msgstr_plural = dict(plurals[entry.msgid])
                filled += 1
            elif not entry.msgid_plural and entry.msgid in singular and not entry.msgstr:
                entry.msgstr = singular[entry.msgid]
                filled += 1
            if entry.msgid in singular or entry.msgid in plurals:
                entry.flags = [f for f in entry.flags if f != "fuzzy"]
    po.save(str(CATALOG))
    print(f"{filled} entries filled")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
