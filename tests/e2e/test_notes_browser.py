"""A practitioner's draft autosaves in a real browser, at phone width, and the page does not scroll sideways."""

import re

from django.utils import timezone
from playwright.sync_api import expect

from clinic.models import VisitNote
from tests.clinic import note_factories as nf
from tests.e2e.harness import PHONE, click_through, login


def test_draft_autosaves_while_typing_and_my_day_links_to_it(page, settings, practitioner_a, patient_a):
    settings.CLINIC_NOTE_AUTOSAVE_SECONDS = 1
    start = timezone.now().replace(microsecond=0)
    note = nf.draft(patient_a, practitioner_a, start=start)
    page.set_viewport_size(PHONE)
    login(page, practitioner_a.user)
    assert "/practitioner/" in page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    click_through(page, page.get_by_role("link", name="Open draft"))
    assert f"/notes/{note.pk}/edit/" in page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_label("Assessment", exact=True).fill("Typed in the browser")
    # Waits (up to 10 s) for the script's message; the page posts by itself, no button is pressed.
    expect(page.locator("#autosave-status")).to_have_text(re.compile(r"^Draft saved at"), timeout=10_000)
    assert VisitNote.objects.get(pk=note.pk).assessment == "Typed in the browser"
