"""The visit note's autosave while the server answers 503 (database down): it says the last change was not
saved, keeps it, and sends it again once the server answers."""

import re

from django.utils import timezone
from playwright.sync_api import expect

from clinic.models import VisitNote
from tests.clinic import note_factories as nf
from tests.e2e.conftest import _watched_page
from tests.e2e.harness import check_a11y, click_through, login

UNAVAILABLE = "<!doctype html><title>Temporarily unavailable</title><h1>Temporarily unavailable</h1>"


def test_autosave_says_the_change_was_not_saved_and_tries_again(context, settings, practitioner_a, patient_a):
    settings.CLINIC_NOTE_AUTOSAVE_SECONDS = 2
    note = nf.draft(patient_a, practitioner_a, start=timezone.now().replace(microsecond=0))
    page, errors = _watched_page(context)
    login(page, practitioner_a.user)
    click_through(page, page.get_by_role("link", name="Open draft"))
    posts = []

    def database_down(route):
        posts.append(route.request.post_data)
        if len(posts) == 1:
            route.fulfill(status=503, headers={"Retry-After": "1", "Content-Type": "text/html"}, body=UNAVAILABLE)
        else:
            route.continue_()

    page.route(re.compile(rf"/notes/{note.pk}/autosave/$"), database_down)
    page.get_by_label("Assessment", exact=True).fill("Typed while the database was down")
    status = page.locator("#autosave-status")
    expect(status).to_have_text(re.compile(r"^Your last change was not saved"), timeout=10_000)
    assert "temporarily unavailable" in status.inner_text() and "Trying again in 1 second;" in status.inner_text()
    # About a second later the script sends the same change again, and this time it is saved.
    expect(status).to_have_text(re.compile(r"^Draft saved at"), timeout=10_000)
    assert len(posts) == 2 and all("Typed while the database was down" in post for post in posts)
    assert VisitNote.objects.get(pk=note.pk).assessment == "Typed while the database was down"
    check_a11y(page)
    # The only errors the browser saw were the two answers the test made up.
    assert [e for e in errors if "503 for POST" not in e] == []
