"""A crawl as each demo role (issue 25): start at the role's home, follow every same-site link and every GET
form the pages offer, up to a bound; every page answers 200 or a deliberate redirect, never 403, 404 or 500,
and a signed-in person is never sent to the login page. A link a role may not follow is hidden for that role
(templates ask `user|can:"action"`, the rule the view checks), so the crawl needs no list of exceptions."""

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from clinic.models import User

BOUND = 250  # pages per role: every kind of page of the demo is reached well before
SKIP_PREFIXES = ("/static/", "/accounts/logout/", "/media/")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.get_forms: list[tuple[str, dict]] = []
        self._form = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            method = (a.get("method") or "get").lower()
            self._form = (a.get("action") or "", {}) if method == "get" else None
            if self._form is not None:
                self.get_forms.append(self._form)
        elif self._form is not None and tag in {"input", "select", "textarea"} and a.get("name"):
            if a.get("type") in {"submit", "button"}:
                return
            if a.get("type") in {"radio", "checkbox"} and "checked" not in a:
                return
            self._form[1].setdefault(a["name"], a.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def same_site(href: str, base: str) -> str | None:
    url = urljoin(base, href)
    parts = urlsplit(url)
    if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if not parts.path.startswith("/") or parts.path.startswith(SKIP_PREFIXES):
        return None
    return path


def crawl(client: Client, start: str, *, signed_in: bool, admin: bool) -> tuple[set[str], list[str]]:
    seen: set[str] = set()
    queue = [start]
    problems: list[str] = []
    while queue and len(seen) < BOUND:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        if url.startswith("/admin/") and not admin:
            problems.append(f"{url}: the admin linked for someone who is not a clinic admin")
            continue
        response = client.get(url)
        status = response.status_code
        if status in (301, 302, 303, 307, 308):
            target = response["Location"]
            if signed_in and "/accounts/login/" in target:
                problems.append(f"{url}: a signed-in person is sent to log in ({target})")
            next_url = same_site(target, url)
            if next_url and next_url not in seen:
                queue.append(next_url)
            continue
        if status != 200:
            problems.append(f"{url}: {status}")
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        parser = _Links()
        parser.feed(response.content.decode())
        for href in parser.links:
            found = same_site(href, url)
            if found and found not in seen:
                queue.append(found)
        for action, fields in parser.get_forms:
            target = same_site(action or url, url)
            if target:
                query = "&".join(f"{k}={v}" for k, v in fields.items() if k and "\x00" not in v)
                full = f"{target.split('?')[0]}?{query}" if query else target
                if full not in seen:
                    queue.append(full)
    return seen, problems


ROLES = {
    "visitor": None,
    "patient": "patient01@example.com",
    "parent": "morgan.harris@example.com",
    "front desk": "frontdesk@example.com",
    "practitioner amara": "amara.okafor@example.com",
    "practitioner ben": "ben.hartley@example.com",
    "practitioner chen": "chen.li@example.com",
    "clinic admin": "admin@example.com",
}


@pytest.mark.django_db
def test_every_page_each_role_can_reach_opens_for_that_role():
    """One demo for all the roles (seeding is the slow part); each role crawls it from its home."""
    call_command("seed_demo", verbosity=0)
    report = []
    for role, email in ROLES.items():
        client = Client(raise_request_exception=False)
        if email:
            client.force_login(User.objects.get(email=email))
        seen, problems = crawl(client, "/home/" if email else "/", signed_in=bool(email), admin=role == "clinic admin")
        assert len(seen) >= (8 if email else 4), f"{role}: the crawl reached only {sorted(seen)}"
        report += [f"{role}: {problem}" for problem in problems]
    assert not report, "\n".join(report)
