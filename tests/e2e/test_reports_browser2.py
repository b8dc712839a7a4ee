"""Practice reports in the browser (issue 17 items 4-6): a clinic admin reads retention and rebooking, the
audited list of lapsed patients, care plans and outcomes for June, each with its chart and table, at desktop and
phone width (screenshots: reports-retention, reports-lapsed, reports-careplans, reports-outcomes)."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from playwright.sync_api import expect

from clinic.models import CarePlan, VisitNote
from scheduling.models import Appointment
from tests.e2e.harness import click_through, login, shoot, visit
from tests.intake.factories import load_questionnaires
from tests.reports.common import outcome_score
from tests.scheduling.factories import AppointmentFactory

S = Appointment.Status
JUNE = "range=custom&start=2026-06-01&end=2026-06-30"


def test_admin_reads_retention_care_plans_and_outcomes(
    page, clinic_open, clinic_admin, patient_a, patient_b, practitioner_a, practitioner_b
):
    zone = ZoneInfo(settings.TIME_ZONE)

    def at(day, hour=9):
        return dt.datetime(2026, 6, day, hour, tzinfo=zone)

    def visit_on(patient, practitioner, day, *, booked, pain=None):
        appointment = AppointmentFactory(patient=patient, practitioner=practitioner, start=at(day), status=S.COMPLETED)
        Appointment.objects.filter(pk=appointment.pk).update(created_at=booked)
        if pain is not None:
            VisitNote.objects.create(
                appointment=appointment, patient=patient, practitioner=practitioner, pain_today=pain
            )

    # Alice (Ada): the second visit booked during the first; pain 7 -> 4. Bruno (Bo): one visit, nothing booked.
    visit_on(patient_a, practitioner_a, 1, booked=at(1) - dt.timedelta(days=3), pain=7)
    visit_on(patient_a, practitioner_a, 8, booked=at(1, 9) + dt.timedelta(minutes=10), pain=4)
    visit_on(patient_b, practitioner_b, 2, booked=at(1))
    ndi = load_questionnaires()["ndi"]
    for day, percent in ((2, "44"), (29, "30")):
        outcome_score(patient_b, ndi, at(day), percent)
    for patient, practitioner, status in (
        (patient_a, practitioner_a, "completed"),
        (patient_b, practitioner_b, "active"),
    ):
        plan = CarePlan.objects.create(
            patient=patient, practitioner=practitioner, created_by=practitioner.user, status=status, phases=[]
        )
        CarePlan.objects.filter(pk=plan.pk).update(
            lineage=plan.pk, created_at=at(1, 8), accepted_at=at(1, 8), updated_at=at(20)
        )

    login(page, clinic_admin)
    visit(page, f"/reports/retention/?{JUNE}")
    expect(page.get_by_role("heading", name="Retention and rebooking")).to_be_visible()
    expect(page.get_by_role("row", name="Dr. Ada Adams")).to_contain_text("50.0%")  # 1 of 2 visits
    expect(page.locator("svg.report-chart")).to_be_visible()
    expect(page.get_by_role("link", name="Download CSV")).to_be_visible()
    shoot(page, "reports-retention")

    click_through(page, page.get_by_role("link", name="Patients with no visit for more than 6 weeks"))
    expect(page.get_by_role("link", name="Alice Arnold", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Bruno Berg", exact=True)).to_be_visible()
    # Bruno's plan is active, so the front desk's recall list has him; Alice's plan is completed.
    # The link lands on his own entry of the recall list.
    recall_link = page.get_by_role("link", name="On the recall list (Bruno Berg)")
    expect(recall_link).to_have_attribute("href", f"/desk/recalls/#recall-{patient_b.pk}")
    expect(page.get_by_role("row", name="Alice Arnold")).to_contain_text("No current care plan")
    shoot(page, "reports-lapsed")

    click_through(page, page.get_by_role("link", name="Care plans"))
    page.get_by_label("Range").select_option("custom")
    page.get_by_label("From").fill("2026-06-01")
    page.get_by_label("To").fill("2026-06-30")
    click_through(page, page.get_by_role("button", name="Show"))
    expect(page.get_by_role("row", name="Dr. Ada Adams")).to_contain_text("2.0")  # 2 visits in the completed plan
    expect(page.locator("svg.report-chart")).to_be_visible()
    shoot(page, "reports-careplans")

    visit(page, f"/reports/outcomes/?{JUNE}")
    expect(page.get_by_role("row", name="Either measure")).to_contain_text("100.0%")  # Alice's pain, Bruno's NDI
    expect(page.get_by_role("row", name="Pain")).to_contain_text("2 points of 10")
    shoot(page, "reports-outcomes")
