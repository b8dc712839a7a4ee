"""The waitlist: a cancelled time is matched and offered by e-mail; its dates are checked."""

import datetime as dt

import pytest
from django.core import mail

from scheduling import services
from scheduling.models import Appointment
from scheduling.services import SchedulingError
from tests.clinic.factories import PatientFactory
from tests.scheduling.conftest import at, book

Status = Appointment.Status

# --- Waitlist ----------------------------------------------------------------------------------


def test_waitlist_matches_a_cancelled_time_and_offers_it_by_email(
    clinic, patient_a, patient_b, practitioner_a, practitioner_b, front_desk
):
    from scheduling import selectors

    appt = book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    wants = services.waitlist_add(
        patient=patient_b,
        appointment_type=clinic["adjustment"],
        practitioners=[practitioner_a],
        earliest_date=at(0, 0).date(),
        latest_date=at(2, 0).date(),
        time_from=dt.time(8),
        time_to=dt.time(12),
    )
    services.waitlist_add(  # wrong practitioner
        patient=PatientFactory(),
        appointment_type=clinic["adjustment"],
        practitioners=[practitioner_b],
        earliest_date=at(0, 0).date(),
        latest_date=at(2, 0).date(),
    )
    services.waitlist_add(  # afternoons only
        patient=PatientFactory(),
        appointment_type=clinic["adjustment"],
        earliest_date=at(0, 0).date(),
        latest_date=at(2, 0).date(),
        time_from=dt.time(13),
        time_to=dt.time(18),
    )
    anyone = services.waitlist_add(
        patient=PatientFactory(),
        appointment_type=clinic["adjustment"],
        earliest_date=at(0, 0).date(),
        latest_date=at(0, 0).date(),
    )
    appt = services.appointment_cancel(appointment=appt, reason="Away")
    assert list(selectors.waitlist_matches(appt)) == [wants, anyone]
    services.waitlist_offer(entry=wants, appointment=appt, actor=front_desk)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [patient_b.email]
    assert "09:00" in mail.outbox[0].body and practitioner_a.display_name in mail.outbox[0].body
    wants.refresh_from_db()
    assert wants.offered_at is not None


def test_waitlist_dates_out_of_order_are_refused(clinic, patient_a):
    with pytest.raises(SchedulingError):
        services.waitlist_add(
            patient=patient_a,
            appointment_type=clinic["adjustment"],
            earliest_date=at(3, 0).date(),
            latest_date=at(0, 0).date(),
        )
