import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command

from clinic.models import NoteAddendum, NoteTemplate, VisitNote


@pytest.mark.django_db
def test_seed_demo_makes_signed_notes_with_an_addendum_and_a_draft_for_today_once(settings):
    settings.TIME_ZONE = "America/New_York"
    # A Wednesday at noon in the clinic: past visits this week, and appointments later today.
    with time_machine.travel(dt.datetime(2026, 6, 3, 12, 0, tzinfo=zoneinfo.ZoneInfo("America/New_York")), tick=False):
        call_command("seed_demo")
        counts = [m.objects.count() for m in (NoteTemplate, VisitNote, NoteAddendum)]
        call_command("seed_demo")
        assert [m.objects.count() for m in (NoteTemplate, VisitNote, NoteAddendum)] == counts
    signed = VisitNote.objects.filter(status="signed")
    assert signed.count() >= 2 and all(n.hash_matches() for n in signed)
    assert NoteAddendum.objects.filter(note__in=signed).count() == 1
    draft = VisitNote.objects.get(status="draft")
    assert draft.appointment.start.astimezone(zoneinfo.ZoneInfo("America/New_York")).date() == dt.date(2026, 6, 3)
    assert counts[0] == 2
