"""Recalls (issue 16, item 6): who is on the front desk's list and why, the one-click e-mail from the editable
template, the opt-out link that needs no login, the records of both, and a list read in constant queries."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.careplans import recalls, services
from clinic.models import AuditEvent, CarePlan, OutgoingNotice, RecallNudge, RecallOptOut, RecallTemplate
from tests.clinic import note_factories as nf
from tests.clinic.factories import PatientFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

LIST = reverse("clinic:recall_list")


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.CLINIC_SITE_URL = "https://clinic.example"


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def plan_for(patient, practitioner, *, status="active", weeks_ago=10, **extra):
    plan = services.careplan_propose(
        patient=patient,
        practitioner=practitioner,
        actor=practitioner.user,
        phases=[{"visits_per_week": 1, "weeks": 12}],
        **extra,
    )
    CarePlan.objects.filter(pk=plan.pk).update(created_at=nf.at(-7 * weeks_ago, 8))
    plan.refresh_from_db()
    if status in ("accepted", "active"):
        plan = services.careplan_accept(plan=plan, actor=practitioner.user, how="in_person")
        CarePlan.objects.filter(pk=plan.pk).update(accepted_at=nf.at(-7 * weeks_ago, 8))
    if status == "active":
        plan = services.careplan_set_status(plan=plan, actor=practitioner.user, status="active")
    return plan


def rows_by_patient():
    return {r.patient.pk: r for r in recalls.recall_rows()}


# --- who is on the list --------------------------------------------------------------------------------------


def test_no_future_appointment_and_no_visit_for_six_weeks_put_a_patient_on_the_list(patient_a, practitioner_a):
    plan_for(patient_a, practitioner_a)
    nf.appointment(patient_a, practitioner_a, start=nf.at(-50, 9))
    row = rows_by_patient()[patient_a.pk]
    assert row.reasons == ["no future appointment", "no visit for 6 weeks"]
    assert row.last_visit == nf.at(-50, 9) and row.next_visit is None and row.may_nudge


def test_a_booked_patient_seen_lately_is_not_on_the_list(patient_a, practitioner_a):
    plan_for(patient_a, practitioner_a)
    nf.appointment(patient_a, practitioner_a, start=nf.at(-5, 9))
    nf.appointment(patient_a, practitioner_a, start=nf.at(2, 9), status="booked")
    assert patient_a.pk not in rows_by_patient()


def test_cancelled_and_missed_appointments_are_no_visits(patient_a, practitioner_a):
    plan_for(patient_a, practitioner_a)
    nf.appointment(patient_a, practitioner_a, start=nf.at(-5, 9), status="no_show")
    nf.appointment(patient_a, practitioner_a, start=nf.at(2, 9), status="cancelled")
    reasons = ["no future appointment", "no visit since the plan was agreed 6+ weeks ago"]
    assert rows_by_patient()[patient_a.pk].reasons == reasons


def test_an_overdue_re_exam_date_with_no_visit_since(patient_a, practitioner_a):
    plan_for(patient_a, practitioner_a, re_exam_date=nf.TODAY.replace(day=1).replace(month=5))
    nf.appointment(patient_a, practitioner_a, start=nf.at(-40, 9))
    nf.appointment(patient_a, practitioner_a, start=nf.at(3, 9), status="booked")
    assert rows_by_patient()[patient_a.pk].reasons == ["re-examination overdue (due 1 May 2026)"]


def test_the_number_of_weeks_is_a_setting(patient_a, practitioner_a, settings):
    plan_for(patient_a, practitioner_a)
    nf.appointment(patient_a, practitioner_a, start=nf.at(-20, 9))
    nf.appointment(patient_a, practitioner_a, start=nf.at(3, 9), status="booked")
    assert patient_a.pk not in rows_by_patient()
    settings.CAREPLAN_RECALL_WEEKS = 2
    assert rows_by_patient()[patient_a.pk].reasons == ["no visit for 2 weeks"]


def test_only_accepted_or_active_plans_are_recalled(patient_a, patient_b, practitioner_a):
    plan_for(patient_a, practitioner_a, status="proposed")
    plan = plan_for(patient_b, practitioner_a)
    services.careplan_set_status(plan=plan, actor=practitioner_a.user, status="discontinued", reason="Moved away")
    assert rows_by_patient() == {}


# --- the page and the nudge ----------------------------------------------------------------------------------


def test_the_desk_sends_a_recall_and_the_mail_carries_book_and_opt_out_links(
    patient_a, practitioner_a, front_desk, client_for, commits
):
    plan = plan_for(patient_a, practitioner_a)
    client = client_for(front_desk)
    page = client.get(LIST).content.decode()
    assert "Arnold, Alice" in page and "No future appointment" in page and "E-mail a recall" in page
    with commits():
        response = client.post(reverse("clinic:recall_nudge", args=[patient_a.pk]))
    assert response.status_code == 302
    nudge = RecallNudge.objects.get()
    assert (nudge.patient, nudge.plan, nudge.sent_by, nudge.recipient) == (patient_a, plan, front_desk, patient_a.email)
    assert nudge.notice.kind == "recall" and nudge.notice.state == "sent"
    sent = mail.outbox[0]
    assert (
        sent.to == [patient_a.email]
        and sent.subject == "Time to book your next visit at " + "Harbour Street Chiropractic"
    )
    assert "https://clinic.example/book/" in sent.body
    assert re.search(r"https://clinic\.example/recalls/opt-out/[^/\s]+/", sent.body)
    assert "no future appointment" in sent.body
    assert AuditEvent.objects.filter(action="recall.nudge", patient=patient_a).count() == 1
    page = client.get(LIST).content.decode()
    assert "Recall e-mail sent 1 Jun 2026" in page


def test_the_template_edited_in_the_admin_is_the_one_sent(patient_a, practitioner_a, front_desk, commits):
    plan_for(patient_a, practitioner_a)
    RecallTemplate.objects.update(active=False)
    RecallTemplate.objects.create(subject="We miss you, {first_name}", body="Call {clinic_phone}.")
    with commits():
        recalls.recall_nudge(patient=patient_a, actor=front_desk)
    assert mail.outbox[0].subject == "We miss you, Alice"
    # The opt-out link is added when the clinic's text leaves it out.
    assert "/recalls/opt-out/" in mail.outbox[0].body


def test_a_template_with_an_unknown_placeholder_is_refused_in_the_admin_form():
    template = RecallTemplate(subject="Hello {name}", body="Body")
    with pytest.raises(ValidationError) as error:
        template.full_clean()
    assert "placeholders" in str(error.value)


def test_the_admin_page_of_the_template_opens(client_for, clinic_admin):
    client = client_for(clinic_admin)
    assert client.get(reverse("admin:clinic_recalltemplate_changelist")).status_code == 200
    row = RecallTemplate.objects.first()
    page = client.get(reverse("admin:clinic_recalltemplate_change", args=[row.pk]))
    assert page.status_code == 200
    # Edits reach English readers only: the page says so, so the clinic is not surprised.
    assert "Patients who read another language receive the built-in recall e-mail" in page.content.decode()


def test_a_patient_without_an_address_is_listed_with_the_reason_and_no_button(patient_a, practitioner_a, client_for,
                                                                              front_desk):  # fmt: skip
    patient_a.email = ""
    patient_a.save()
    plan_for(patient_a, practitioner_a)
    page = client_for(front_desk).get(LIST).content.decode()
    assert "No e-mail address on file: call instead." in page and "E-mail a recall" not in page


def test_a_patient_no_longer_due_is_not_nudged(patient_a, practitioner_a, front_desk, client_for):
    plan_for(patient_a, practitioner_a)
    nf.appointment(patient_a, practitioner_a, start=nf.at(-2, 9))
    nf.appointment(patient_a, practitioner_a, start=nf.at(2, 9), status="booked")
    response = client_for(front_desk).post(reverse("clinic:recall_nudge", args=[patient_a.pk]), follow=True)
    assert "not due a recall any more" in response.content.decode()
    assert not RecallNudge.objects.exists()


def test_the_list_and_the_nudge_are_the_desks(client_for, practitioner_a, patient_a):
    assert client_for(practitioner_a.user).get(LIST).status_code == 403
    assert client_for(patient_a.user).post(reverse("clinic:recall_nudge", args=[patient_a.pk])).status_code == 403
    assert not RecallNudge.objects.exists()


def test_the_list_reads_in_the_same_number_of_queries_for_one_patient_or_many(
    patient_a, practitioner_a, front_desk, client_for, commits
):
    plan_for(patient_a, practitioner_a)
    nf.appointment(patient_a, practitioner_a, start=nf.at(-50, 9))
    client = client_for(front_desk)
    client.get(LIST)
    with CaptureQueriesContext(connection) as one:
        assert client.get(LIST).status_code == 200
    for n in range(6):
        patient = PatientFactory(email="" if n == 0 else f"p{n}@example.com")
        plan_for(patient, practitioner_a, re_exam_date=nf.TODAY.replace(month=5))
        nf.appointment(patient, practitioner_a, start=nf.at(-60 + n, 9))
        if n == 1:
            with commits():
                recalls.recall_nudge(patient=patient, actor=front_desk)
        if n == 2:
            recalls.recall_opt_out(patient=patient)
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST)
    assert response.content.decode().count("list-group-item") == 7
    assert len(many) == len(one), [q["sql"] for q in many.captured_queries]


def test_the_list_is_audited_once_about_no_single_patient(patient_a, practitioner_a, front_desk, client_for):
    plan_for(patient_a, practitioner_a)
    before = AuditEvent.objects.filter(action="view").count()
    client_for(front_desk).get(LIST)
    rows = AuditEvent.objects.filter(action="view").order_by("-pk")
    assert rows.count() == before + 1 and rows.first().patient is None and rows.first().detail == "recall list"


# --- opting out --------------------------------------------------------------------------------------------


def opt_out_path(patient):
    return reverse("clinic:recall_opt_out", args=[recalls.opt_out_token(patient)])


def test_the_patient_opts_out_from_the_link_without_logging_in(
    client, patient_a, practitioner_a, front_desk, client_for, commits
):
    plan_for(patient_a, practitioner_a)
    with commits():
        nudge = recalls.recall_nudge(patient=patient_a, actor=front_desk)
    path = re.search(r"https://clinic\.example(/recalls/opt-out/[^/\s]+/)", mail.outbox[0].body).group(1)
    page = client.get(path)
    assert page.status_code == 200 and "Stop recall e-mails?" in page.content.decode()
    assert not RecallOptOut.objects.exists()  # opening the link (a mail scanner does) changes nothing
    done = client.post(path)
    assert done.status_code == 200 and "You will get no more recall e-mails" in done.content.decode()
    opt_out = RecallOptOut.objects.get()
    assert (opt_out.patient, opt_out.nudge, opt_out.opted_out_at) == (patient_a, nudge, nf.NOW)
    assert AuditEvent.objects.filter(action="recall.opt_out", patient=patient_a).count() == 1
    client.post(path)  # twice: the first is kept
    assert RecallOptOut.objects.count() == 1

    desk = client_for(front_desk)
    page = desk.get(LIST).content.decode()
    assert "Asked for no recall e-mails on 1 Jun 2026: call instead." in page
    assert "E-mail a recall" not in page
    response = desk.post(reverse("clinic:recall_nudge", args=[patient_a.pk]), follow=True)
    assert "asked for no recall e-mails" in response.content.decode()
    assert RecallNudge.objects.count() == 1


def test_a_forged_opt_out_link_is_refused(client, patient_a):
    token = recalls.opt_out_token(patient_a)
    response = client.post(reverse("clinic:recall_opt_out", args=[token[:-2] + "xx"]))
    assert response.status_code == 400 and "not valid" in response.content.decode()
    assert not RecallOptOut.objects.exists()


def test_a_notice_of_each_kind_is_in_the_outbox_admin_vocabulary():
    assert OutgoingNotice.Kind.RECALL.label == "Recall"
    assert OutgoingNotice.Kind.CAREPLAN_QUESTIONNAIRE.label == "Care-plan questionnaire"


# --- the patient's account ----------------------------------------------------------------------------------


def test_the_account_links_to_the_patients_current_plan_and_the_plan_read_is_audited(
    patient_a, patient_b, practitioner_a, client_for
):
    plan = plan_for(patient_a, practitioner_a)
    client = client_for(patient_a.user)
    page = client.get(reverse("scheduling:account_home")).content.decode()
    assert f'href="{plan.get_absolute_url()}">My care plan</a> (active)' in page
    before = AuditEvent.objects.filter(action="view", patient=patient_a).count()
    text = client.get(plan.get_absolute_url()).content.decode()
    assert "Change the plan" not in text and "Discontinue" not in text and "trend-chart" not in text
    assert AuditEvent.objects.filter(action="view", patient=patient_a).count() == before + 1
    assert client_for(patient_b.user).get(plan.get_absolute_url()).status_code == 404
    assert "care plan" not in client_for(patient_b.user).get(reverse("scheduling:account_home")).content.decode()


# --- the demo -------------------------------------------------------------------------------------------------


def test_seed_demo_has_three_results_for_sophia_and_marcus_overdue_once(frozen, settings):
    from django.core.management import call_command

    from clinic.careplans import outcomes
    from clinic.models import PlanQuestionnaire

    frozen.move_to(dt.datetime(2026, 6, 3, 12, 0, tzinfo=zoneinfo.ZoneInfo("America/New_York")))
    call_command("seed_demo")
    counts = (CarePlan.objects.count(), PlanQuestionnaire.objects.count(), RecallNudge.objects.count())
    call_command("seed_demo")
    assert (CarePlan.objects.count(), PlanQuestionnaire.objects.count(), RecallNudge.objects.count()) == counts
    sophia = CarePlan.objects.get(patient__first_name="Sophia")
    results = outcomes.outcome_results(sophia)
    # The intake's score first (reports.demo may add an earlier baseline intake), then the plan's three.
    assert results[0].source == "intake"
    assert [r.source for r in results if r.source != "intake"] == ["before visit 1", "before visit 2", "before visit 3"]
    assert [r.value for r in results if r.source != "intake"] == [32, 26, 18]
    rows = {f"{r.patient.first_name} {r.patient.last_name}": r for r in recalls.recall_rows()}
    marcus = rows["Marcus Bell"]
    assert marcus.reasons[0] == "no future appointment"
    assert any(reason.startswith("re-examination overdue") for reason in marcus.reasons)
    assert "no visit for 6 weeks" in marcus.reasons and marcus.may_nudge


def test_a_childs_recall_goes_to_their_guardian(patient_a, practitioner_a, front_desk, client_for, commits):
    from clinic.models import GuardianLink
    from tests.clinic.factories import UserFactory

    child = PatientFactory(first_name="Theo", email="")
    parent = UserFactory(email="parent@example.com", first_name="Morgan")
    GuardianLink.objects.create(guardian=parent, dependant=child, relationship="mother")
    plan_for(child, practitioner_a)
    assert "E-mail a recall" in client_for(front_desk).get(LIST).content.decode()
    with commits():
        nudge = recalls.recall_nudge(patient=child, actor=front_desk)
    assert nudge.recipient == "parent@example.com" and mail.outbox[0].to == ["parent@example.com"]
    assert mail.outbox[0].body.startswith("Hello Morgan,")
