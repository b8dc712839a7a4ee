"""Issue 25 part 5: Django's admin screens staff use daily pass axe-core's WCAG 2.2 A/AA and best-practice rules
(any impact) where our templates and settings reach them (templates/admin/, static/css/admin.css,
clinic/admin_base.py). One page of each kind: the index, an app, a list with filters, an add form with date and
time boxes, a form with a tabular inline."""

import pytest
from django.core.management import call_command
from django.test import Client

from tests.e2e.harness import DESKTOP, a11y_state
from tests.e2e.test_axe_states import check_both_widths

PAGES = [
    "/admin/",
    "/admin/scheduling/",
    "/admin/scheduling/appointment/",
    "/admin/scheduling/waitlistentry/add/",
    "/admin/intake/questionnaire/add/",
    "/admin/clinic/patient/",
    "/admin/clinic/location/1/change/",
    "/admin/scheduling/workinghours/",
    "/admin/intake/consentversion/",
    "/admin/clinic/visitnote/",
    "/admin/clinic/user/",
    "/admin/scheduling/availabilityexception/add/",
]


@pytest.mark.django_db(transaction=True)
def test_the_admin_screens_pass_strict_axe(browser, live_server):
    from clinic.models import User

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    client = Client()
    client.force_login(User.objects.get(email="admin@example.com"), backend="django.contrib.auth.backends.ModelBackend")
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, bypass_csp=True)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
    found: list[str] = []
    for url in PAGES:
        response = page.goto(url)
        assert response.status == 200, url
        check_both_widths(page, url, found)
    a11y_state(page)["pending"] = None
    context.close()
    assert not found, "\n".join(found)
    assert not errors, "the browser's console reported errors:\n" + "\n".join(errors)
