"""Care plans in the browser: the practitioner proposes a plan from the chart, the patient accepts it online,
the front desk books phase 1 as a series from the plan."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from playwright.sync_api import expect

from clinic.models import CarePlan
from tests.e2e.harness import book_phase_one, click_through, fill_care_plan_proposal, login, shoot, visit


def test_practitioner_proposes_patient_accepts_desk_books_phase_one(
    page, another_browser, clinic_clock, clinic_open, patient_a, practitioner_a, front_desk
):
    clinic_clock(dt.datetime(2030, 6, 3, 8, 0, tzinfo=ZoneInfo(settings.TIME_ZONE)))
    login(page, practitioner_a.user)
    visit(page, f"/patients/{patient_a.pk}/chart/")
    fill_care_plan_proposal(
        page,
        {
            "Phase 1: visits per week": "3",
            "Phase 1: weeks": "4",
            "Phase 2: visits per week": "2",
            "Phase 2: weeks": "4",
            "Goal 1": "pain_at_most",
            "Goal 1: target": "2",
            "Re-examination at visit": "12",
            "Questionnaire to repeat": "ndi",
            "Every N visits": "6",
        },
    )
    shoot(page, "careplan-propose")
    click_through(page, page.get_by_role("button", name="Propose the plan"))
    expect(page.get_by_text("20 visits over 8 weeks")).to_be_visible()
    expect(page.get_by_text("Not accepted yet.")).to_be_visible()
    shoot(page, "careplan-proposed")
    plan = CarePlan.objects.get(patient=patient_a)

    patient_page = another_browser()
    login(patient_page, patient_a.user)
    visit(patient_page, plan.get_absolute_url())
    expect(patient_page.get_by_role("button", name="Change the plan")).to_have_count(0)
    patient_page.get_by_label("I have read this care plan and I agree to it.").check()
    click_through(patient_page, patient_page.get_by_role("button", name="Accept the care plan"))
    expect(patient_page.get_by_text("Thank you: you have accepted your care plan.")).to_be_visible()
    expect(patient_page.get_by_text("Accepted online by the patient on")).to_be_visible()
    shoot(patient_page, "careplan-accepted-by-patient")
    plan.refresh_from_db()
    assert plan.status == "accepted" and plan.accepted_how == "online"

    desk = another_browser()
    login(desk, front_desk)
    visit(desk, f"/patients/{patient_a.pk}/")
    click_through(desk, desk.get_by_role("link", name="Care plans"))
    click_through(desk, desk.get_by_role("link", name="Version 1"))
    book_phase_one(desk, plan, per_week=3, weeks=4, weekdays=("Monday", "Friday"), first_date="2030-06-10", booked=12)
    expect(desk.get_by_role("link", name="Book phase 1")).to_have_count(0)
    shoot(desk, "careplan-desk-booked-phase-1")
