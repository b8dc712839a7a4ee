"""The care plan's whole story in the browser (issue 16): the practitioner proposes a plan from the chart, the
patient accepts it online on a phone, the front desk books phase 1 as a series from the plan, the plan's
questionnaire arrives before the first visit (the timer queues it, the worker e-mails it) and is answered on the
phone (a question left blank is asked for next to it), and the practitioner sees the trend on the chart with the
baseline, the goal, the meaningful change and every note's pain. Screenshots: the patient at 390 px, staff at
1280 px."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from clinic import outbox
from clinic.models import CarePlan, OutgoingNotice, PlanQuestionnaire
from tests.clinic import note_factories as nf
from tests.e2e.harness import PHONE, book_phase_one, click_through, fill_care_plan_proposal, login, shoot, visit
from tests.intake import factories as intake_factories

ZONE = ZoneInfo(settings.TIME_ZONE)
NOW = dt.datetime(2030, 6, 3, 8, 0, tzinfo=ZONE)  # a Monday
NDI_ITEMS = ["pain", "personal_care", "lifting", "reading", "headaches", "concentration", "work", "driving",
             "sleeping", "recreation"]  # fmt: skip


def test_propose_accept_book_phase_one_answer_the_questionnaire_and_see_the_trend_on_the_chart(
    page, another_browser, clinic_clock, clinic_open, patient_a, practitioner_a, front_desk, settings
):
    settings.CLINIC_SITE_URL = "http://testserver.invalid"
    clinic_clock(NOW)
    intake_factories.load_questionnaires()
    intake = intake_factories.submitted(patient_a)  # the intake's NDI: the baseline
    # This morning's exam, its note signed with her pain today.
    nf.signed(patient_a, practitioner_a, start=NOW - dt.timedelta(hours=1, minutes=30), pain_today=6)

    # The practitioner proposes the plan from the chart.
    login(page, practitioner_a.user)
    visit(page, f"/patients/{patient_a.pk}/chart/")
    expect(page.get_by_text("Outcomes over the plan")).to_have_count(0)
    fill_care_plan_proposal(
        page,
        {
            "Diagnosis": "Mechanical neck pain",
            "Phase 1: visits per week": "2",
            "Phase 1: weeks": "3",
            "Phase 2: visits per week": "1",
            "Phase 2: weeks": "4",
            "Goal 1": "questionnaire_below",
            "Goal 1: target": "20",
            "Goal 2": "pain_at_most",
            "Goal 2: target": "2",
            "Re-examination at visit": "6",
            "Questionnaire to repeat": "ndi",
            "Every N weeks": "1",
        },
    )
    click_through(page, page.get_by_role("button", name="Propose the plan"))
    expect(page.get_by_text("10 visits over 7 weeks")).to_be_visible()
    shoot(page, "story-1-practitioner-proposed", widths=("desktop",))
    plan = CarePlan.objects.get(patient=patient_a)

    # The patient accepts it online, on her phone.
    phone = another_browser(viewport=PHONE)
    login(phone, patient_a.user)
    click_through(phone, phone.get_by_role("link", name="My care plan"))
    expect(phone.get_by_text("Mechanical neck pain")).to_be_visible()
    phone.get_by_label("I have read this care plan and I agree to it.").check()
    click_through(phone, phone.get_by_role("button", name="Accept the care plan"))
    expect(phone.get_by_text("Thank you: you have accepted your care plan.")).to_be_visible()
    shoot(phone, "story-2-patient-accepted", widths=("phone",))
    plan.refresh_from_db()
    assert (plan.status, plan.accepted_how) == ("accepted", "online")

    # The front desk books phase 1 (2 a week for 3 weeks) from the plan, through the series page.
    desk = another_browser()
    login(desk, front_desk)
    visit(desk, plan.get_absolute_url())
    book_phase_one(desk, plan, per_week=2, weeks=3, weekdays=("Tuesday", "Thursday"), first_date="2030-06-04", booked=6)
    visit(desk, "/frontdesk/?date=2030-06-04")
    block = desk.locator("a.cal-block", has_text=patient_a.full_name)
    expect(block.locator("em")).to_contain_text("visit 1 of 10 · re-exam due at visit 6")
    shoot(desk, "story-3-desk-calendar-with-the-plan", widths=("desktop",))

    # The timer queues the NDI due at visit 1 (tomorrow, inside the 48 hours); the worker e-mails it.
    call_command("queue_careplan_questionnaires")
    notice = OutgoingNotice.objects.get(kind="careplan_questionnaire")
    assert outbox.notice_deliver(notice.pk) == "sent"
    patient_a.refresh_from_db()  # the intake updated her record (e-mail address included)
    assert notice.recipient == patient_a.email
    message = next(m for m in mail.outbox if m.to == [patient_a.email] and "/care-plans/questionnaire/" in m.body)
    link = re.search(r"http://testserver\.invalid(/care-plans/questionnaire/\S+/)", message.body).group(1)

    # The next morning she answers it on her phone from the link, without logging in; she passes over one
    # question by mistake.
    clinic_clock(NOW + dt.timedelta(hours=23, minutes=15))
    questionnaire = another_browser(viewport=PHONE)
    visit(questionnaire, link)
    expect(questionnaire.get_by_role("heading", name="Neck function questionnaire (NDI-style)")).to_be_visible()
    for code in NDI_ITEMS:
        if code != "driving":
            questionnaire.locator(f"input[name=item_{code}][value='0']").check()
    click_through(questionnaire, questionnaire.get_by_role("button", name="Send my answers"))
    driving = questionnaire.locator("fieldset", has=questionnaire.locator("input[name=item_driving]"))
    expect(driving).to_contain_text("Choose the answer closest to how you are, or “Skip this question”.")
    expect(questionnaire.locator("input[name=item_work][value='0']")).to_be_checked()  # the rest kept
    shoot(questionnaire, "story-4-questionnaire-question-left-blank", widths=("phone",))
    driving.get_by_label("Skip this question").check()
    click_through(questionnaire, questionnaire.get_by_role("button", name="Send my answers"))
    expect(questionnaire.get_by_role("heading", name="Thank you")).to_be_visible()
    shoot(questionnaire, "story-5-questionnaire-sent", widths=("phone",))
    row = PlanQuestionnaire.objects.get()
    assert (row.items_answered, row.total, row.percent) == (9, 0, 0)  # of 45: the skipped one left out

    # Before the visit the practitioner sees it on the chart's trend: the intake's NDI and this morning's, the
    # baseline, the goals and the meaningful change, and the exam note's pain.
    page.close()
    page = another_browser()
    login(page, practitioner_a.user)
    visit(page, f"/patients/{patient_a.pk}/chart/")
    chart = page.locator("svg.trend-chart", has=page.locator("title", has_text="Outcomes over the plan"))
    baseline = float(intake.outcome_score.percent)
    expect(chart).to_have_attribute("data-points", "3")
    expect(chart.locator("title", has_text="NDI %: 0 on 2030-06-04")).to_have_count(1)
    expect(chart.locator("title", has_text=f"NDI %: {baseline:g} on 2030-06-03")).to_have_count(1)
    expect(chart.locator("title", has_text="Pain x10: 60 on 2030-06-03")).to_have_count(1)
    expect(chart.locator(".threshold title", has_text=f"Baseline NDI: {baseline:g}%")).to_have_count(1)
    expect(chart.locator(".threshold title", has_text="Goal: NDI below 20%")).to_have_count(1)
    expect(chart.locator(".threshold title", has_text="Goal: pain at or below 2/10")).to_have_count(1)
    expect(chart.locator(".threshold title", has_text="Meaningful change for NDI")).to_have_count(1)
    expect(page.get_by_text(f"baseline {baseline:g}% (3 Jun 2030), latest 0% (4 Jun 2030)")).to_be_visible()
    chart.scroll_into_view_if_needed()
    shoot(page, "story-6-chart-trend", widths=("desktop",))
