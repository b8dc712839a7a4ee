"""Journey 3, the practitioner: My day, a checked-in new patient, her intake and red flags, an SOT note with two
block placements and two CMRT levels (refused once while the red flags are not marked reviewed), signed and
locked, an addendum, and the pain trend on the chart."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from clinic.models import BlockLandmark, VisitNote
from intake import selectors as intake_selectors
from tests.clinic.factories import LocationFactory, RoomFactory
from tests.e2e.harness import at, click_through, login, shoot, visit
from tests.intake import factories as intake
from tests.scheduling.factories import AppointmentFactory, AppointmentTypeFactory

MONDAY = dt.date(2030, 6, 3)


@pytest.fixture
def morning(clinic_clock, practitioner_a, patient_a, patient_b):
    """Alice filled her intake online on Friday evening (neck pain 4 of 10; night pain and dizziness answered
    yes) and signed the consent, neck procedures included. Monday 10:10: she is checked in for her 10:00
    new-patient exam with Dr. Adams; Bruno comes at 11:30."""
    clinic_clock(at(MONDAY - dt.timedelta(days=3), 19))
    intake.load_questionnaires()
    version = intake.consent_version()
    intake.submitted(patient_a, flags=("night_pain", "dizziness"))
    intake.sign(patient_a, version)
    # The landmarks come with a data migration, which live-server tests flush away between tests.
    for position, name in enumerate(("Acetabulum", "Greater trochanter", "Iliac crest"), start=1):
        BlockLandmark.objects.get_or_create(name=name, defaults={"position": position})

    clinic_clock(at(MONDAY, 10, 10))
    room = RoomFactory(location=LocationFactory(name="Harbour Street"), name="Room 1")
    exam = AppointmentTypeFactory(name="SOT new-patient exam", slug="np-exam", duration=dt.timedelta(minutes=60))
    follow_up = AppointmentTypeFactory(name="SOT adjustment", slug="sot-adjustment")
    alice = AppointmentFactory(
        patient=patient_a,
        practitioner=practitioner_a,
        room=room,
        appointment_type=exam,
        start=at(MONDAY, 10),
        status="checked_in",
    )
    AppointmentFactory(
        patient=patient_b, practitioner=practitioner_a, room=room, appointment_type=follow_up, start=at(MONDAY, 11, 30)
    )
    return alice


def fill_row(page, legend: str, **choices) -> None:
    """Fill one repeatable row (a fieldset named `legend`): selects by option label, other fields by typing."""
    row = page.get_by_role("group", name=legend, exact=True)
    for label, value in choices.items():
        field = row.get_by_label(label, exact=True)
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)


def test_practitioner_writes_signs_and_amends_a_visit_note(page, morning, practitioner_a, patient_a):
    login(page, practitioner_a.user)

    # My day: both appointments in order; Alice is checked in.
    expect(page.get_by_role("heading", level=1)).to_have_text("My day")
    expect(page.get_by_text("Monday 3 June 2030")).to_be_visible()
    rows = page.locator(".day-row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("10:00\u201311:00")
    expect(rows.first).to_contain_text("Checked in")
    expect(rows.nth(1)).to_contain_text("Bruno Berg")
    shoot(page, "practitioner-journey-1-my-day")

    # Her chart, then her intake: the red flags come first.
    click_through(page, rows.first.get_by_role("link", name="Alice Arnold"))
    alerts = page.get_by_role("region", name="Alerts")
    expect(alerts).to_contain_text("Red flags not reviewed")
    expect(alerts).to_contain_text("Night pain; Dizziness")
    click_through(page, page.get_by_role("link", name="Intake summary"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Alice Arnold: intake summary")
    flags = page.get_by_role("alert").filter(has_text="Red flags answered yes")
    expect(flags.get_by_role("listitem")).to_have_text(["Night pain", "Dizziness"])
    expect(page.get_by_role("main")).to_contain_text("Stiff neck")
    expect(page.get_by_role("main")).to_contain_text("4 / 10")
    shoot(page, "practitioner-journey-2-intake")

    # Back to My day; start the note.
    visit(page, "/practitioner/")
    click_through(page, page.get_by_role("button", name="Start note for Alice Arnold at 10:00"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Visit note")
    expect(page.get_by_role("alert")).to_contain_text(
        "Red flags in the intake, not yet reviewed: Night pain; Dizziness"
    )

    # S, O, A.
    page.get_by_label("Chief complaint").fill("Stiff neck, worse at the computer")
    page.get_by_label("Pain today (0-10)").fill("3")
    page.get_by_label("Since last visit", exact=True).select_option(label="First visit")
    page.get_by_label("SOT category").select_option(label="Category II")
    page.get_by_label("Short leg", exact=True).select_option(label="Right short")
    page.get_by_label("Assessment", exact=True).fill("Category II pattern; neck findings as in the intake.")
    # P: two block placements and two CMRT levels.
    fill_row(
        page,
        "Block placement 1",
        Block="Block 1",
        Side="Right",
        Landmark="Acetabulum",
        **{"Patient position": "Prone"},
        Minutes="10",
    )
    fill_row(
        page,
        "Block placement 2",
        Block="Block 2",
        Side="Left",
        Landmark="Greater trochanter",
        **{"Patient position": "Prone"},
        Minutes="10",
    )
    fill_row(page, "CMRT 1", **{"CMRT level": "T6", "What was done": "Reflex contact, left"})
    fill_row(page, "CMRT 2", **{"CMRT level": "L2"})
    page.get_by_label("Plan", exact=True).fill("Re-check in one week.")
    shoot(page, "practitioner-journey-3-note")

    # Signing before marking the red flags reviewed is refused, on that box, and nothing typed is lost.
    click_through(page, page.get_by_role("button", name="Sign and lock"))
    reviewed = page.get_by_label("Red flags reviewed", exact=True)
    expect(reviewed).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Chief complaint")).to_have_value("Stiff neck, worse at the computer")
    expect(page.get_by_role("group", name="CMRT 2", exact=True).get_by_label("CMRT level")).to_have_value("L2")
    note = VisitNote.objects.get(appointment=morning)
    assert note.status == VisitNote.Status.DRAFT
    shoot(page, "practitioner-journey-4-red-flags-not-reviewed")

    reviewed.check()
    click_through(page, page.get_by_role("button", name="Sign and lock"))
    expect(page.get_by_role("status")).to_contain_text("The note is signed and locked.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Signed")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Block 1, right, Acetabulum, prone, 10 min")
    expect(main).to_contain_text("Block 2, left, Greater trochanter, prone, 10 min")
    expect(main).to_contain_text("T6: Reflex contact, left; L2")
    expect(page.get_by_role("link", name="Edit draft")).to_have_count(0)
    note.refresh_from_db()
    assert note.status == VisitNote.Status.SIGNED and note.hash_matches()
    assert [b["block"] for b in note.block_placements] == [1, 2]
    assert [c["level"] for c in note.cmrt_levels] == ["T6", "L2"]
    assert not intake_selectors.red_flags_open(patient_a).exists()
    shoot(page, "practitioner-journey-5-signed")

    # An addendum: shown under the note with her name; the signed content is unchanged.
    page.get_by_role("textbox", name=re.compile(r"^Addendum\b")).fill("Patient called: neck easier the next morning.")
    click_through(page, page.get_by_role("button", name="Add addendum"))
    expect(page.get_by_role("status")).to_contain_text("Addendum added.")
    addendum = page.locator(".addendum")
    expect(addendum).to_contain_text("Patient called: neck easier the next morning.")
    expect(addendum).to_contain_text("Addendum by")
    note.refresh_from_db()
    assert note.hash_matches() and note.addenda.count() == 1
    shoot(page, "practitioner-journey-6-addendum")

    # The chart: the pain trend has Friday's intake (4) and today's note (3); the alert is gone.
    click_through(page, page.get_by_role("main").get_by_role("link", name="Alice Arnold").first)
    expect(page.get_by_role("region", name="Alerts")).not_to_contain_text("Red flags not reviewed")
    pain = page.get_by_role("img", name=re.compile("^Pain over time"))
    expect(pain).to_be_visible()
    expect(pain).to_have_attribute("data-points", "2")
    marks = {t.strip() for t in pain.locator("g > title").all_text_contents()}
    assert {"Visit notes: 3 on 2030-06-03", "Intake: 4 on 2030-05-31"} <= marks, marks
    expect(page.get_by_role("img", name=re.compile("^NDI and ODI over time"))).to_be_visible()
    expect(page.get_by_role("region", name="Visit notes")).to_contain_text("Patient called: neck easier")
    shoot(page, "practitioner-journey-7-chart")
