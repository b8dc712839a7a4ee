"""Online booking rules that the service enforces whatever page asks."""

import pytest

from scheduling.models import Appointment
from scheduling.services import SchedulingError
from tests.scheduling.conftest import at, book

Status = Appointment.Status


def test_online_new_patient_exam_is_refused_for_a_returning_patient(clinic, patient_a, practitioner_a):
    book(patient_a, practitioner_a, clinic["adjustment"], at(0, 9))
    with pytest.raises(SchedulingError) as exc:
        book(patient_a, practitioner_a, clinic["exam"], at(1, 9), source=Appointment.Source.ONLINE)
    assert "for new patients" in exc.value.message_dict["appointment_type"][0]
    # The front desk may still book it (e.g. a patient returning after years).
    assert book(patient_a, practitioner_a, clinic["exam"], at(1, 9)).appointment_type == clinic["exam"]
