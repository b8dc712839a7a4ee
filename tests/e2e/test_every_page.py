"""Every page of the URL matrix, as every role that may open it: axe-core at desktop and phone width.

A safety net under the journeys: a page added to MATRIX (tests/clinic/test_url_matrix.py) is checked
here as soon as it exists, with the objects of that file's `cast` fixture, before a journey visits it.
"""

import pytest
from django.urls import reverse

from tests.clinic.test_url_matrix import MATRIX, ROLES, cast, kwargs_for  # noqa: F401 (cast is a fixture)
from tests.e2e.harness import login, shoot, visit

# allauth's pages (not in MATRIX: not our namespaces), by URL name; they render inside base.html.
ACCOUNT_PAGES = {
    "anonymous": ["account_login", "account_signup", "account_reset_password"],
    "signed_in": ["account_change_password", "account_email", "mfa_index"],
}


@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_may_open_passes_axe(page, cast, role):  # noqa: F811
    user = cast[role]
    if user is not None:
        login(page, user)
    pages = [name for name in sorted(MATRIX) if MATRIX[name][role] == 200]
    assert pages, f"{role} may open no page at all?"
    pages += ACCOUNT_PAGES["anonymous" if user is None else "signed_in"]
    for name in pages:
        path = reverse(name, kwargs=kwargs_for(name, cast) if name in MATRIX else {})
        response = visit(page, path)  # axe-core at desktop width; shoot() runs it again at phone width
        if "text/html" in response.headers.get("content-type", ""):
            shoot(page, f"page-{role}-{name.replace(':', '-')}")
