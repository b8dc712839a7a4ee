"""The intake pages' JavaScript in a real headless Chromium: body diagram clicks, consent scroll gate."""

from pathlib import Path

import pytest
from django.db import connections

from tests.intake import factories

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium for browser tests"),
]


@pytest.fixture
def e2e_server(transactional_db):
    """A live server for this test only: stopping it closes its database connection, so PostgreSQL can drop the
    test database at the end (pytest-django's session-wide server keeps one open until after that)."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    thread = LiveServerThread("localhost", StaticFilesHandler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    thread.url = f"http://localhost:{thread.port}"
    yield thread
    thread.terminate()


@pytest.fixture
def browser_page(e2e_server, monkeypatch):
    # Playwright's sync API runs an event loop in this thread; only for this test, never globally.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(viewport={"width": 390, "height": 800})
        yield context.new_page()
        browser.close()
        # While Playwright's loop runs, Django's connections are context-local: the test body used its own
        # connection, which must be closed here or PostgreSQL cannot drop the test database afterwards.
        connections.close_all()


def _login(page, e2e_server, client, user):
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": e2e_server.url}])


@pytest.mark.django_db(transaction=True)
def test_clicking_the_figure_ticks_the_real_checkbox(browser_page, e2e_server, client, patient_a):
    factories.draft(patient_a)
    _login(browser_page, e2e_server, client, patient_a.user)
    page = browser_page
    page.goto(f"{e2e_server.url}/intake/step/visit/")
    page.click('svg [data-region="low_back"]')
    assert page.locator('input[name="pain_regions"][value="low_back"]').is_checked()
    assert "marked" in page.locator('svg [data-region="low_back"]').get_attribute("class")
    # Keyboard: the checkbox itself, reached by focus and Space, fills the figure too.
    box = page.locator('input[name="pain_regions"][value="neck_back"]')
    box.focus()
    page.keyboard.press("Space")
    assert box.is_checked()
    assert "marked" in page.locator('svg [data-region="neck_back"]').get_attribute("class")


@pytest.mark.django_db(transaction=True)
def test_the_sign_button_waits_for_the_end_of_the_text(browser_page, e2e_server, client, patient_a):
    factories.consent_version()
    _login(browser_page, e2e_server, client, patient_a.user)
    page = browser_page
    page.goto(f"{e2e_server.url}/intake/consent/")
    button = page.locator("[data-consent-submit]")
    assert button.is_disabled()
    # Keyboard path: focus the text box and press End.
    page.locator("[data-consent-text]").focus()
    page.keyboard.press("End")
    from playwright.sync_api import expect

    expect(page.locator("[data-consent-submit]")).to_be_enabled()
    assert page.locator('input[name="read_to_end"]').is_checked()


@pytest.mark.django_db(transaction=True)
def test_ticking_read_to_end_is_the_other_keyboard_path(browser_page, e2e_server, client, patient_a):
    factories.consent_version()
    _login(browser_page, e2e_server, client, patient_a.user)
    page = browser_page
    page.goto(f"{e2e_server.url}/intake/consent/")
    page.locator('input[name="read_to_end"]').focus()
    page.keyboard.press("Space")
    assert not page.locator("[data-consent-submit]").is_disabled()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/intake/step/visit/", "/intake/step/redflags/", "/intake/consent/"])
def test_intake_pages_pass_axe_outside_the_shared_navbar(browser_page, e2e_server, client, patient_a, path):
    from axe_playwright_python.sync_playwright import Axe

    factories.draft(patient_a)
    factories.consent_version()
    _login(browser_page, e2e_server, client, patient_a.user)
    browser_page.goto(f"{e2e_server.url}{path}")
    # The navbar belongs to base.html (reported separately); this checks the intake page itself.
    result = Axe().run(browser_page, context={"exclude": [["nav.navbar"]]})
    serious = [v["id"] for v in result.response["violations"] if v["impact"] in {"serious", "critical"}]
    assert serious == []
