"""A practitioner's draft autosaves in a real browser, at phone width, and the page does not scroll sideways."""

import re
import shutil

import pytest
from django.utils import timezone

from clinic.models import VisitNote
from tests.clinic import note_factories as nf
from tests.clinic.factories import PASSWORD, totp_code

CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f"needs Chromium at {CHROMIUM}"),
]


@pytest.fixture
def notes_browser(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.mark.django_db(transaction=True)
def test_draft_autosaves_while_typing_and_my_day_links_to_it(
    live_server, notes_browser, settings, practitioner_a, patient_a
):
    from playwright.sync_api import expect

    settings.CLINIC_NOTE_AUTOSAVE_SECONDS = 1
    start = timezone.now().replace(microsecond=0)
    note = nf.draft(patient_a, practitioner_a, start=start)
    page = notes_browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", practitioner_a.user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.fill("input[name=code]", totp_code())
    page.click("button[type=submit]")
    page.wait_for_url("**/practitioner/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("link", name="Open draft").click()
    page.wait_for_url(f"**/notes/{note.pk}/edit/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_label("Assessment", exact=True).fill("Typed in the browser")
    # Waits (up to 10 s) for the script's message; the page posts by itself, no button is pressed.
    expect(page.locator("#autosave-status")).to_have_text(re.compile(r"^Draft saved at"), timeout=10_000)
    page.close()
    assert VisitNote.objects.get(pk=note.pk).assessment == "Typed in the browser"
