"""Care-plan outcomes and recalls in the browser: the front desk e-mails a recall from the list (the e-mail is in
the outbox and the mail), the patient stops them from its link; the plan's questionnaire arrives before a visit,
the patient answers it on a 390 px phone without logging in, and the practitioner sees the new point on the
plan's trend."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import mail
from playwright.sync_api import expect

from clinic import outbox
from clinic.careplans import outcomes, services
from clinic.models import CarePlan, OutgoingNotice, RecallOptOut
from tests.e2e.harness import PHONE, click_through, login, shoot, visit
from tests.intake import factories as intake_factories
from tests.scheduling.factories import AppointmentFactory

ZONE = ZoneInfo(settings.TIME_ZONE)
NOW = dt.datetime(2030, 6, 3, 8, 0, tzinfo=ZONE)  # a Monday
NDI_ITEMS = ["pain", "personal_care", "lifting", "reading", "headaches", "concentration", "work", "driving",
             "sleeping", "recreation"]  # fmt: skip


def active_plan(patient, practitioner, *, weeks_ago, **fields):
    plan = services.careplan_propose(
        patient=patient,
        practitioner=practitioner,
        actor=practitioner.user,
        phases=[{"visits_per_week": 2, "weeks": 6}],
        **fields,
    )
    CarePlan.objects.filter(pk=plan.pk).update(created_at=NOW - dt.timedelta(weeks=weeks_ago))
    plan.refresh_from_db()
    services.careplan_accept(plan=plan, actor=practitioner.user, how="in_person")
    return services.careplan_set_status(plan=plan, actor=practitioner.user, status="active")


def visit_at(patient, practitioner, start, status="completed"):
    return AppointmentFactory(patient=patient, practitioner=practitioner, start=start, status=status)


def test_desk_recalls_patient_answers_the_questionnaire_on_a_phone_and_the_trend_shows_it(
    page, another_browser, clinic_clock, clinic_open, patient_a, patient_b, practitioner_a, front_desk, settings
):
    settings.CLINIC_SITE_URL = "http://testserver.invalid"
    clinic_clock(NOW)
    intake_factories.load_questionnaires()
    # Alice: visits 1 and 2 held, visit 3 tomorrow (the NDI is due every 3 visits), an NDI of 46 % at visit 1.
    alice_plan = active_plan(
        patient_a,
        practitioner_a,
        weeks_ago=2,
        goals=[{"kind": "questionnaire_below", "target": 20}],
        questionnaire_code="ndi",
        questionnaire_every_visits=3,
    )
    visit_at(patient_a, practitioner_a, NOW - dt.timedelta(days=7, hours=-2))
    visit_at(patient_a, practitioner_a, NOW - dt.timedelta(days=4, hours=-2))
    visit_at(patient_a, practitioner_a, NOW + dt.timedelta(days=1, hours=2), status="booked")
    alice_plan.questionnaires.create(
        patient=patient_a,
        questionnaire_code="ndi",
        visit_number=1,
        due_at=NOW - dt.timedelta(days=7),
        answered_at=NOW - dt.timedelta(days=8),
        percent=46,
        items_answered=10,
        total=23,
    )
    # Bruno: an active plan, last seen eight weeks ago, nothing booked: a recall.
    active_plan(patient_b, practitioner_a, weeks_ago=10)
    visit_at(patient_b, practitioner_a, NOW - dt.timedelta(weeks=8))

    login(page, front_desk)
    visit(page, "/desk/recalls/")
    bruno = page.get_by_role("listitem").filter(has_text="Berg, Bruno")
    expect(bruno).to_contain_text("No future appointment")
    expect(bruno).to_contain_text("No visit for 6 weeks")
    click_through(page, bruno.get_by_role("button", name="E-mail a recall"))
    expect(page.get_by_role("status")).to_contain_text("Recall e-mail sent to Bruno Berg")
    notice = OutgoingNotice.objects.get(kind="recall")
    assert notice.recipient == patient_b.email and notice.state == "sent"
    recall_mail = next(m for m in mail.outbox if m.to == [patient_b.email])
    assert "Time to book your next visit" in recall_mail.subject
    expect(page.get_by_role("listitem").filter(has_text="Berg, Bruno")).to_contain_text("Recall e-mail sent 3 Jun 2030")
    shoot(page, "recall-list-nudged")

    # Bruno would rather not: the link in the e-mail, on his phone, no login.
    opt_out = re.search(r"http://testserver\.invalid(/recalls/opt-out/\S+/)", recall_mail.body).group(1)
    bruno_phone = another_browser(viewport=PHONE)
    visit(bruno_phone, opt_out)
    click_through(bruno_phone, bruno_phone.get_by_role("button", name="Stop recall e-mails"))
    expect(bruno_phone.get_by_role("heading", name="You will get no more recall e-mails")).to_be_visible()
    assert RecallOptOut.objects.filter(patient=patient_b).exists()
    visit(page, "/desk/recalls/")
    bruno = page.get_by_role("listitem").filter(has_text="Berg, Bruno")
    expect(bruno).to_contain_text("Asked for no recall e-mails on 3 Jun 2030: call instead.")
    expect(bruno.get_by_role("button", name="E-mail a recall")).to_have_count(0)
    shoot(page, "recall-list-opted-out")

    # The timer queues Alice's NDI before tomorrow's visit; the worker sends it.
    assert outcomes.questionnaires_queue_due() == 1
    questionnaire_notice = OutgoingNotice.objects.get(kind="careplan_questionnaire")
    assert outbox.notice_deliver(questionnaire_notice.pk) == "sent"
    questionnaire_mail = next(m for m in mail.outbox if m.to == [patient_a.email])
    link = re.search(r"http://testserver\.invalid(/care-plans/questionnaire/\S+/)", questionnaire_mail.body).group(1)

    phone = another_browser(viewport=PHONE)
    visit(phone, link)
    expect(phone.get_by_role("heading", name="Neck function questionnaire (NDI-style)")).to_be_visible()
    for code in NDI_ITEMS:
        phone.locator(f"input[name=item_{code}][value='1']").check()
    shoot(phone, "careplan-questionnaire-phone")
    click_through(phone, phone.get_by_role("button", name="Send my answers"))
    expect(phone.get_by_role("heading", name="Thank you")).to_be_visible()
    shoot(phone, "careplan-questionnaire-done")

    doctor = another_browser()
    login(doctor, practitioner_a.user)
    visit(doctor, alice_plan.get_absolute_url())
    chart = doctor.locator("svg.trend-chart")
    expect(chart).to_have_attribute("data-points", "2")
    expect(chart.locator("title", has_text="NDI %: 20 on 2030-06-03")).to_have_count(1)
    expect(chart.locator(".threshold", has_text="Baseline NDI 46%")).to_have_count(1)
    expect(chart.locator(".threshold", has_text="Goal: NDI below 20%")).to_have_count(1)
    expect(doctor.get_by_text("latest 20%")).to_be_visible()
    shoot(doctor, "careplan-trend-after-questionnaire")
