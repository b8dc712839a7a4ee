"""The appointment status state machine: cancel, check in, no-show, the visit path."""

from unittest import mock

import pytest

from clinic.models import AuditEvent
from intake.selectors import Readiness
from scheduling import services
from scheduling.models import Appointment
from scheduling.services import SchedulingError, status
from tests.scheduling.conftest import at, book

Status = Appointment.Status


@pytest.fixture(autouse=True)
def _check_in_any_time_today(settings):
    """These tests are about paperwork, statuses and audit rows; the check-in window (today, from
    CLINIC_CHECK_IN_EARLY_MINUTES before the start) has its own tests in test_check_in_window.py."""
    settings.CLINIC_CHECK_IN_EARLY_MINUTES = 24 * 60


# --- Status state machine ----------------------------------------------------------------------


def test_cancel_needs_a_reason_and_records_who(clinic, patient_a, practitioner_a, front_desk):
    appt = book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    with pytest.raises(SchedulingError) as exc:
        services.appointment_cancel(appointment=appt, reason="  ", actor=front_desk)
    assert "reason" in exc.value.message_dict
    appt = services.appointment_cancel(appointment=appt, reason="Car broke down", actor=front_desk)
    assert appt.status == Status.CANCELLED and appt.cancelled_by == front_desk and appt.cancelled_at
    assert appt.cancellation_reason == "Car broke down"


def test_check_in_with_missing_paperwork_needs_a_reason(clinic, patient_a, practitioner_a, front_desk):
    appt = book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    missing = Readiness(missing=("Intake form not started", "No signed consent"))
    with mock.patch("intake.selectors.patient_readiness", return_value=missing):
        with pytest.raises(SchedulingError) as exc:
            services.appointment_check_in(appointment=appt, actor=front_desk)
        assert "Intake form not started" in exc.value.message_dict["override_reason"][0]
        appt = services.appointment_check_in(appointment=appt, actor=front_desk, override_reason="Will sign now")
    assert appt.status == Status.CHECKED_IN and appt.check_in_override_reason == "Will sign now"
    event = AuditEvent.objects.filter(object_id=str(appt.pk)).first()
    assert "Will sign now" in event.detail and "No signed consent" in event.detail


def test_check_in_when_ready_needs_no_reason(clinic, patient_a, practitioner_a):
    appt = book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    ready = Readiness(intake_status="submitted", consent_status="current", missing=())
    with mock.patch("intake.selectors.patient_readiness", return_value=ready):
        appt = services.appointment_check_in(appointment=appt, override_reason="ignored")
    assert appt.status == Status.CHECKED_IN and appt.check_in_override_reason == ""


def test_full_visit_path(clinic, patient_a, practitioner_a):
    appt = book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    appt = services.appointment_check_in(appointment=appt, override_reason="ok")
    appt = services.appointment_start_treatment(appointment=appt)
    appt = services.appointment_complete(appointment=appt)
    assert appt.status == Status.COMPLETED


@pytest.mark.parametrize(
    ("start_status", "target", "allowed"),
    [
        (s, t, t in services.TRANSITIONS[s])
        for s in Status.values
        for t in (Status.CHECKED_IN, Status.IN_TREATMENT, Status.COMPLETED, Status.CANCELLED, Status.NO_SHOW)
    ],
)
def test_state_machine_allows_only_the_table(db, start_status, target, allowed):
    appt = Appointment(status=start_status)
    if allowed:
        status.check_transition(appt, target)
    else:
        with pytest.raises(SchedulingError, match="cannot become"):
            status.check_transition(appt, target)


def test_illegal_move_is_refused_with_a_clear_message(clinic, patient_a, practitioner_a):
    appt = book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    with pytest.raises(SchedulingError) as exc:
        services.appointment_complete(appointment=appt)
    assert exc.value.messages[0] == (
        "An appointment that is booked cannot become completed. Allowed next: cancelled, checked in, no-show."
    )
    services.appointment_cancel(appointment=appt, reason="x")
    with pytest.raises(SchedulingError, match="It is final"):
        services.appointment_check_in(appointment=appt, override_reason="x")


def test_no_show_only_once_the_time_has_come(clinic, patient_a, practitioner_a, frozen):
    appt = book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    with pytest.raises(SchedulingError, match="no-show only once"):
        services.appointment_mark_no_show(appointment=appt)
    frozen.move_to(at(0, 9, 20))
    assert services.appointment_mark_no_show(appointment=appt).status == Status.NO_SHOW


def test_check_in_for_a_type_without_consent_ignores_consent_items(clinic, patient_a, practitioner_a):
    clinic["adjustment"].requires_consent = False
    clinic["adjustment"].save()
    appt = book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    missing = Readiness(missing=("No signed consent",))
    with mock.patch("intake.selectors.patient_readiness", return_value=missing):
        assert services.check_in_missing(appt) == []
        assert services.appointment_check_in(appointment=appt).status == Status.CHECKED_IN
