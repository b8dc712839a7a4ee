"""The role-aware crawl: start at a role's home, follow every same-site link and GET form its pages offer.

Used by test_crawl.py (statuses, links a role may follow, no login prompt to a signed-in person), by
test_html_valid.py (the saved pages go to the Nu HTML Checker in one batch) and by the browser checks.
The demo data (`seed_demo`) gives the ids. A page is one path and query; pages that differ only in the numbers of
their path or the values of their query (days of a calendar, rows of a list) count as one shape, of which a few
are visited, so the bound is reached by variety, not by paging through weeks.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from django.test import Client

BOUND = 400  # pages per role
HEAD_CHECKED = 15  # pages per role also asked with HEAD (uptime monitors use it): the same status
PER_SHAPE = 3  # visits of one shape (same path but its numbers, same query keys)
PASSWORD_ASKING = ("/accounts/login/",)

# Never followed: they end the session or leave the site; the crawl signs nobody out.
SKIP_PATHS = ("/accounts/logout/", "/static/", "/media/")

DEMO_ROLES = {
    "visitor": None,
    "patient": "patient01@example.com",
    "guardian": "morgan.harris@example.com",
    "front_desk": "frontdesk@example.com",
    "practitioner_okafor": "amara.okafor@example.com",
    "practitioner_hartley": "ben.hartley@example.com",
    "practitioner_li": "chen.li@example.com",
    "clinic_admin": "admin@example.com",
}


class _Links(HTMLParser):
    """The hrefs of <a> and the GET forms (action and the values a person submitting it untouched would send)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._form: tuple[str, list[tuple[str, str]]] | None = None
        self._select: str | None = None
        self._select_value: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
        elif tag == "form":
            if (a.get("method") or "get").lower() == "get":
                self._form = (a.get("action") or "", [])
        elif self._form is not None and tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._form[1].append((a["name"], a.get("value") or ""))
        elif self._form is not None and tag == "select" and a.get("name"):
            self._select, self._select_value = a["name"], None
        elif self._select is not None and tag == "option" and (self._select_value is None or "selected" in a):
            self._select_value = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "select" and self._form is not None and self._select is not None:
            self._form[1].append((self._select, self._select_value or ""))
            self._select = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def shape(url: str) -> str:
    parts = urlsplit(url)
    keys = ",".join(sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)}))
    return re.sub(r"\d+", "N", parts.path) + "?" + keys


@dataclass
class Page:
    url: str
    status: int
    source: str  # the page that offered the link
    location: str = ""
    html: str = ""
    content_type: str = ""


@dataclass
class Crawl:
    role: str
    pages: dict[str, Page] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _same_site(href: str, base: str) -> str | None:
    if href.startswith(("mailto:", "tel:", "javascript:", "#", "data:")):
        return None
    url = urljoin(base, href)
    parts = urlsplit(url)
    if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
        return None
    if parts.path.startswith(SKIP_PATHS):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(client: Client, role: str, start: str, *, signed_in: bool, bound: int = BOUND) -> Crawl:
    result = Crawl(role)
    queue: deque[tuple[str, str]] = deque([(start, "(home)")])
    seen: set[str] = {start}
    shapes: dict[str, int] = {}
    while queue and len(result.pages) < bound:
        url, source = queue.popleft()
        response = client.get(url)
        page = Page(url, response.status_code, source, content_type=response.get("Content-Type", ""))
        result.pages[url] = page
        if len(result.pages) <= HEAD_CHECKED and (head := client.head(url).status_code) != response.status_code:
            result.problems.append(f"HEAD {url} answers {head}, GET {response.status_code}")
        if response.status_code in (301, 302, 303, 307, 308):
            page.location = response["Location"]
            target = _same_site(page.location, url)
            if signed_in and target and target.startswith(PASSWORD_ASKING):
                result.problems.append(f"{url} (linked from {source}) asks a signed-in person to log in")
            elif target and target not in seen:
                seen.add(target)
                queue.append((target, url))
            continue
        if response.status_code != 200:
            result.problems.append(f"{url} (linked from {source}) answers {response.status_code}")
            continue
        if "text/html" not in page.content_type:
            continue
        page.html = response.content.decode()
        parser = _Links()
        parser.feed(page.html)
        targets = [_same_site(h, url) for h in parser.hrefs]
        for action, values in parser.forms:
            base = _same_site(action or url, url)
            if base:
                targets.append(urlsplit(base).path + "?" + urlencode(values))
        for target in targets:
            if not target or target in seen:
                continue
            if signed_in and target.startswith(PASSWORD_ASKING):
                result.problems.append(f"{url} offers a signed-in person a link to log in ({target})")
                seen.add(target)
                continue
            key = shape(target)
            if shapes.get(key, 0) >= PER_SHAPE:
                continue
            shapes[key] = shapes.get(key, 0) + 1
            seen.add(target)
            queue.append((target, url))
    return result


def crawl_every_role() -> dict[str, Crawl]:
    """Seed the demo clinic and crawl it as every demo role (call inside a test with database access)."""
    from django.core.management import call_command
    from django.urls import reverse

    from clinic.models import User
    from clinic.permissions import landing_url_name

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 (its progress is not the test's)
    results = {}
    for role, email in DEMO_ROLES.items():
        client = Client()
        start = "/"
        if email is not None:
            user = User.objects.get(email=email)
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            start = reverse(landing_url_name(user))
        results[role] = crawl(client, role, start, signed_in=email is not None)
    return results
