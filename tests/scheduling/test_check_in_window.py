"""Check-in is for today's appointments, from CLINIC_CHECK_IN_EARLY_MINUTES before the start; no-show only after
the start. The appointment page says what is missing in words, and front-desk notes are limited (issue 13,
items 16 and 18)."""

import pytest
from django.urls import reverse

from intake.selectors import Readiness
from scheduling import services
from scheduling.models import FRONTDESK_NOTES_MAX, Appointment
from scheduling.services import SchedulingError
from tests.intake import factories as intake
from tests.scheduling.conftest import at

Status = Appointment.Status


def book(patient, practitioner, appointment_type, start):
    return services.appointment_book(
        patient=patient, practitioner=practitioner, appointment_type=appointment_type, start=start
    )


def test_check_in_hours_before_the_start_is_refused_saying_when_it_opens(clinic, settings, patient_a, practitioner_a):
    settings.CLINIC_CHECK_IN_EARLY_MINUTES = 60
    appt = book(patient_a, practitioner_a, clinic["adjustment"], at(0, 14, 30))  # the clock says 07:00
    with pytest.raises(SchedulingError) as exc:
        services.appointment_check_in(appointment=appt, override_reason="here")
    assert exc.value.messages == ["Check-in opens at 13:30, 60 minutes before the start."]
    assert Appointment.objects.get(pk=appt.pk).status == Status.BOOKED


def test_check_in_from_the_configured_time_before_the_start(clinic, settings, frozen, patient_a, practitioner_a):
    settings.CLINIC_CHECK_IN_EARLY_MINUTES = 45
    appt = book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    frozen.move_to(at(0, 8, 14))
    with pytest.raises(SchedulingError, match="opens at 08:15"):
        services.appointment_check_in(appointment=appt, override_reason="here")
    frozen.move_to(at(0, 8, 15))
    assert services.appointment_check_in(appointment=appt, override_reason="here").status == Status.CHECKED_IN


def test_check_in_for_another_day_is_refused(clinic, frozen, patient_a, practitioner_a):
    tomorrow = book(patient_a, practitioner_a, clinic["adjustment"], at(1, 9))
    with pytest.raises(SchedulingError, match="Check-in is for today's appointments; this one is on Tue 02 Jun"):
        services.appointment_check_in(appointment=tomorrow, override_reason="here")
    frozen.move_to(at(2, 8))
    with pytest.raises(SchedulingError, match="was on Tue 02 Jun"):
        services.appointment_check_in(appointment=tomorrow, override_reason="here")


def test_late_arrival_on_the_day_can_still_check_in(clinic, frozen, patient_a, practitioner_a):
    appt = book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    frozen.move_to(at(0, 9, 40))
    assert services.appointment_check_in(appointment=appt, override_reason="late").status == Status.CHECKED_IN


def test_no_show_only_after_the_start(clinic, frozen, patient_a, practitioner_a):
    appt = book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    with pytest.raises(SchedulingError, match="no-show only once"):
        services.appointment_mark_no_show(appointment=appt)


def test_appointment_page_says_when_check_in_opens_and_offers_no_button(
    client_for, front_desk, clinic, patient_a, practitioner_a
):
    appt = book(patient_a, practitioner_a, clinic["adjustment"], at(0, 14, 30))
    response = client_for(front_desk).get(reverse("scheduling:appointment_detail", args=[appt.pk]))
    body = response.content.decode()
    assert "Check-in opens at 13:30, 60 minutes before the start." in body
    assert "Check in anyway" not in body and 'action="/frontdesk/appointments/' not in body.split("check-in-h")[1][:600]
    refused = client_for(front_desk).post(
        reverse("scheduling:appointment_check_in", args=[appt.pk]), {"override_reason": "here"}
    )
    assert refused.status_code == 400 and "Check-in opens at 13:30" in refused.content.decode()


# --- Item 18 -------------------------------------------------------------------------------


def test_badges_say_what_is_missing(client_for, front_desk, clinic, patient_a, practitioner_a):
    appt = book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    page = client_for(front_desk).get(reverse("scheduling:appointment_detail", args=[appt.pk])).content.decode()
    assert ">Intake not started</span>" in page and ">Consent not signed</span>" in page


def test_badges_name_an_unsubmitted_intake_and_an_out_of_date_consent(
    client_for, front_desk, clinic, patient_a, practitioner_a
):
    appt = book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    readiness = Readiness(intake_status="in_progress", consent_status="out_of_date", missing=("x",))
    from unittest import mock

    with mock.patch("intake.selectors.readiness_for_patients", return_value={patient_a.pk: readiness}):
        page = client_for(front_desk).get(reverse("scheduling:appointment_detail", args=[appt.pk])).content.decode()
    assert ">Intake not submitted</span>" in page and ">Consent out of date</span>" in page


def test_ready_patient_has_no_paperwork_badges(client_for, front_desk, clinic, patient_a, practitioner_a):
    intake.submitted(patient_a)
    intake.sign(patient_a, intake.consent_version())
    appt = book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    page = client_for(front_desk).get(reverse("scheduling:appointment_detail", args=[appt.pk])).content.decode()
    assert "Intake not" not in page and "Consent not" not in page and "out of date" not in page


def test_frontdesk_notes_are_limited_with_a_message_next_to_the_field(
    client_for, front_desk, clinic, patient_a, practitioner_a
):
    data = {
        "appointment_type": clinic["adjustment"].pk,
        "practitioner": practitioner_a.pk,
        "start": "2026-06-01T09:00",
        "patient": patient_a.pk,
        "frontdesk_notes": "x" * (FRONTDESK_NOTES_MAX + 1),
    }
    response = client_for(front_desk).post(reverse("scheduling:appointment_book"), data)
    assert response.status_code == 400
    assert "at most 500 characters" in response.context["form"].errors["frontdesk_notes"][0]
    assert f'maxlength="{FRONTDESK_NOTES_MAX}"' in response.content.decode()
    assert not Appointment.objects.exists()
