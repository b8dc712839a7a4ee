"""Cancelling is not one tap (issue 13, item 3): the patient is asked, told what happens, may give a reason,
and can keep the appointment; confirming cancels it and says so."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from playwright.sync_api import expect

from scheduling.models import Appointment
from tests.e2e.harness import PHONE, check_a11y, click_through, login, shoot, visit
from tests.scheduling.factories import AppointmentFactory

ZONE = ZoneInfo(settings.TIME_ZONE)


def test_a_patient_is_asked_before_an_appointment_is_cancelled(
    page, clinic_clock, clinic_open, patient_a, practitioner_a
):
    clinic_clock(dt.datetime(2030, 6, 3, 9, 0, tzinfo=ZONE))
    appointment = AppointmentFactory(
        patient=patient_a, practitioner=practitioner_a, start=dt.datetime(2030, 6, 6, 10, 0, tzinfo=ZONE)
    )
    page.set_viewport_size(PHONE)
    login(page, patient_a.user)
    visit(page, f"/account/appointments/{appointment.pk}/")
    click_through(page, page.get_by_role("link", name="Cancel this appointment…"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel your appointment?")
    expect(page.get_by_role("main")).to_contain_text("the time goes back to other patients")
    check_a11y(page)
    shoot(page, "patient-cancel-1-confirm")

    # She changes her mind first: nothing is cancelled.
    click_through(page, page.get_by_role("link", name="No, keep it"))
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED

    # Then she cancels, with a reason.
    click_through(page, page.get_by_role("link", name="Cancel this appointment…"))
    page.get_by_label("Reason (optional)").fill("Away that week")
    click_through(page, page.get_by_role("button", name="Yes, cancel the appointment"))
    expect(page.get_by_role("status")).to_contain_text("Your appointment is cancelled")
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert appointment.cancellation_reason == "Away that week"
    shoot(page, "patient-cancel-2-cancelled")
