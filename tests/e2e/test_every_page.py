"""Every page of the URL matrix, once, as a role that may open it: axe-core at desktop and phone width.

A safety net under the journeys: a page added to MATRIX (tests/walks/test_url_matrix.py) is checked
here as soon as it exists, with the objects of that file's `cast` fixture, before a journey visits it.
Each page is opened by the first role (in ROLES order) that gets a 200 for it; the navigation bar of
every role is covered because every role that opens anything new has its own test here.
"""

import pytest
from django.urls import reverse

from tests.e2e.harness import check_a11y, login, not_a_page, shoot, visit
from tests.walks.test_url_matrix import MATRIX, ROLES, cast, kwargs_for  # noqa: F401 (cast is a fixture)

# allauth's pages (not in MATRIX: not our namespaces), by URL name; they render inside base.html.
ACCOUNT_PAGES = {
    "anonymous": ["account_login", "account_signup", "account_reset_password"],
    "signed_in": ["account_change_password", "account_email", "mfa_index"],
}


def plan() -> dict[str, list[str]]:
    """role -> the pages it opens that no earlier role has opened."""
    seen: set[str] = set()
    result: dict[str, list[str]] = {}
    for role in ROLES:
        account = ACCOUNT_PAGES["anonymous" if role == "anonymous" else "signed_in"]
        pages = [name for name in sorted(MATRIX) if MATRIX[name][role] == 200 and name not in DOWNLOADS] + account
        new = [name for name in pages if name not in seen]
        seen.update(new)
        if new:
            result[role] = new
    return result


# Files, not pages: the browser downloads them instead of showing them (their content has its own tests).
DOWNLOADS = {
    "scheduling:account_calendar",
    "clinic:account_record_pdf",
    "clinic:account_request_download",
    "clinic:record_request_produce",
}

PLAN = plan()


@pytest.mark.parametrize("role", sorted(PLAN, key=ROLES.index))
def test_every_page_passes_axe_at_both_widths(page, cast, role):  # noqa: F811
    user = cast[role]
    if user is not None:
        login(page, user)
    for name in PLAN[role]:
        path = reverse(name, kwargs=kwargs_for(name, cast) if name in MATRIX else {})
        response = visit(page, path, a11y=False)
        if not response.text().lstrip().lower().startswith("<!doctype html"):
            # JSON, or an htmx fragment: journeys check fragments inside the page that hosts them.
            not_a_page(page, f"{name} answers {response.headers.get('content-type')} without a document")
            continue
        check_a11y(page)  # at desktop width
        shoot(page, f"page-{role}-{name.replace(':', '-')}")  # and at phone width
