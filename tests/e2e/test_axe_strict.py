"""Issue 25 item 2: axe-core on every page every demo role reaches, at 1280 px and 390 px, with the WCAG 2.2 A/AA
and best-practice rules, zero violations of any impact (target-size included).

The pages are the role-aware crawl's (tests/checkers/crawl.py, through Django's test client on the demo data),
one per shape (a calendar's days, a list's rows are one shape), then opened in the shared Chromium as that role
(the test client's session cookie handed to the browser). Django's admin is its own item (item 5) and is left
out; the practitioners' pages are walked as one practitioner (the three see the same screens).
"""

from __future__ import annotations

from collections import Counter

import pytest
from django.test import Client

from tests.checkers.crawl import DEMO_ROLES, crawl_every_role, shape
from tests.e2e.harness import DESKTOP, PHONE, _axe, a11y_state

STRICT = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
ROLES = [r for r in DEMO_ROLES if r not in ("practitioner_hartley", "practitioner_li")]
SKIP_PREFIXES = ("/admin/",)


def strict_violations(page) -> list[dict]:
    return _axe().run(page, options=STRICT).response["violations"]


def pages_to_check(crawl) -> list[str]:
    seen, urls = set(), []
    for url, p in crawl.pages.items():
        if p.status != 200 or "text/html" not in p.content_type or url.startswith(SKIP_PREFIXES):
            continue
        if not p.html.lstrip().lower().startswith("<!doctype html"):
            continue  # htmx fragments: checked inside the page that hosts them
        key = shape(url)
        if key not in seen:
            seen.add(key)
            urls.append(url)
    return urls


@pytest.mark.django_db(transaction=True)
def test_every_crawled_page_passes_strict_axe_at_both_widths(browser, live_server):
    from clinic.models import User

    crawls = crawl_every_role()
    found: list[str] = []
    by_rule: Counter = Counter()
    checked = 0
    for role in ROLES:
        context = browser.new_context(
            base_url=live_server.url, viewport=DESKTOP, bypass_csp=True, reduced_motion="reduce"
        )
        if DEMO_ROLES[role]:
            client = Client()
            client.force_login(
                User.objects.get(email=DEMO_ROLES[role]), backend="django.contrib.auth.backends.ModelBackend"
            )
            context.add_cookies(
                [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
            )
        page = context.new_page()
        for url in pages_to_check(crawls[role]):
            page.set_viewport_size(DESKTOP)
            page.goto(url)
            for label, size in (("1280", DESKTOP), ("390", PHONE)):
                page.set_viewport_size(size)
                checked += 1
                for v in strict_violations(page):
                    by_rule[(v["id"], v["impact"])] += 1
                    targets = "; ".join(", ".join(map(str, n["target"])) for n in v["nodes"][:3])
                    found.append(f"{role} {url} @{label}: {v['id']} ({v['impact']}): {v['help']} at {targets}")
        a11y_state(page)["pending"] = None
        context.close()
    print(f"strict axe: {checked} runs; violations by rule: {dict(by_rule)}")
    assert not found, f"{len(found)} violation(s):\n" + "\n".join(found[:200])
