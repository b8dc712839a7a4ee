"""A practitioner's first day, the screens issue 13 found wanting: a refused Save shows a summary at the top
linking to the field (item 20), the cervical select says before choosing that the consent does not cover neck
procedures (20), the template box is not marked required (21), and the trend chart labels enough dates and
marks the meaningful change (22)."""

import datetime as dt
import itertools
import re

from django.utils import timezone
from playwright.sync_api import expect

from clinic.models import NoteTemplate
from tests.clinic import note_factories as nf
from tests.e2e.harness import DESKTOP, PHONE, SCREENSHOTS, click_through, login, shoot, visit
from tests.intake import factories as intake


def test_refused_save_summary_at_the_top_and_the_cervical_warning_before_choosing(page, practitioner_a, patient_a):
    intake.sign(patient_a, intake.consent_version(), cervical=False)
    NoteTemplate.objects.create(name="Cat I", sot_category="I", plan="Template plan")
    note = nf.draft(patient_a, practitioner_a, start=timezone.now().replace(microsecond=0))
    login(page, practitioner_a.user)
    visit(page, f"/notes/{note.pk}/edit/")
    # The optional template box carries no "required" asterisk.
    expect(page.get_by_label("Clinic template", exact=True)).to_be_visible()
    expect(page.locator("label[for=id_template] .asteriskField")).to_have_count(0)
    cervical = page.locator("#id_note-cervical_adjustment")
    expect(cervical).to_have_accessible_description(re.compile("does not include neck \\(cervical\\) procedures"))
    expect(cervical.locator("option:checked")).to_have_text("None: consent does not cover neck procedures")
    cervical.select_option("thrust")
    click_through(page, page.get_by_role("button", name="Save draft"))
    summary = page.locator("#form-errors")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("One thing to fix: nothing was saved.")
    assert summary.bounding_box()["y"] < 900, "the summary is at the top of the page"
    shoot(page, "practitioner-first-day-refused-save")
    page.screenshot(path=str(SCREENSHOTS / "practitioner-first-day-refused-save-top.desktop.png"))
    summary.get_by_role("link").click()
    expect(page).to_have_url(re.compile("#id_note-cervical_adjustment$"))
    assert page.evaluate("document.activeElement.id") == "id_note-cervical_adjustment" or cervical.is_visible()


def test_trend_chart_labels_dates_and_marks_meaningful_change(page, practitioner_a, patient_a):
    base = timezone.now().replace(microsecond=0) - dt.timedelta(days=40)
    for days, pain in ((0, 8), (5, 7), (12, 6), (19, 5), (26, 4), (33, 3)):
        nf.signed(patient_a, practitioner_a, start=base + dt.timedelta(days=days), pain_today=pain)
    login(page, practitioner_a.user)
    visit(page, f"/patients/{patient_a.pk}/chart/")
    chart = page.get_by_role("img", name="Pain over time")
    expect(chart.locator(".date-label")).to_have_count(4)
    expect(chart.locator(".threshold")).to_contain_text("Pain: 2 points better than first")
    # No two date labels overlap on the screen.
    boxes = sorted(
        (b["x"], b["x"] + b["width"]) for b in (e.bounding_box() for e in chart.locator(".date-label").all())
    )
    for (_, right), (left, _) in itertools.pairwise(boxes):
        assert right <= left, boxes
    shoot(page, "practitioner-first-day-chart")
    for width, name in ((PHONE, "phone"), (DESKTOP, "desktop")):  # the chart alone, to look at its labels
        page.set_viewport_size(width)
        chart.screenshot(path=str(SCREENSHOTS / f"practitioner-first-day-chart-only.{name}.png"))
