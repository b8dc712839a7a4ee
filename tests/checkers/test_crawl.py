"""Issue 25, part 1: every screen every demo role can reach answers, and offers only links the role may follow.

For each demo role the crawl (tests/checkers/crawl.py) starts at the role's home and follows every same-site link
and GET form, up to 400 pages: each answers 200 or a deliberate redirect, never 403, 404 or 500, and nobody signed in
is asked to log in. A link a role cannot follow is hidden for that role with the `can` template filter
(clinic/templatetags/clinic_perms.py), which asks the same RULES as the view.
"""

import re
from pathlib import Path

import pytest

from tests.checkers.crawl import DEMO_ROLES, crawl_every_role

_CACHE: dict = {}


def crawled():
    if "results" not in _CACHE:
        _CACHE["results"] = crawl_every_role()
    return _CACHE["results"]


@pytest.mark.django_db
def test_every_role_reaches_only_pages_it_may_open():
    results = crawled()
    problems = [f"{role}: {p}" for role, r in results.items() for p in r.problems]
    counts = {role: len(r.pages) for role, r in results.items()}
    print("pages crawled per role:", counts)
    assert not problems, "\n".join(problems)
    assert set(results) == set(DEMO_ROLES)
    for role, r in results.items():
        assert len(r.pages) >= 5, f"{role} reached only {sorted(r.pages)}"


TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
ROLE_NAMES = re.compile(
    r"user_roles|\.role\s*==|[\"'](Front desk|Clinic admin|Practitioner|Patient|frontdesk)[\"']\s+(not\s+)?in\b"
)


def test_templates_compare_no_role_names():
    """Issue 19: templates ask `user|can:"action"`, never which role someone holds."""
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{n}: {line.strip()[:100]}"
        for path in TEMPLATES.rglob("*.html")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if ROLE_NAMES.search(line)
    ]
    assert not offenders, "\n".join(offenders)
