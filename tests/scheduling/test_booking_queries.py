"""The booking path in a fixed, small number of queries (issue 14): conflict checks, the room pick, the insert,
the audit row and the notice, whatever the number of appointments already in the calendar; no availability
load to book one slot."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scheduling import services
from tests.clinic.factories import PatientFactory
from tests.scheduling.conftest import at

pytestmark = pytest.mark.django_db

# The transaction's savepoint and its release (2, a BEGIN and COMMIT outside the tests), the checks in one
# statement (1: the practitioner's hours that day, the practitioner's and the patient's overlapping visits, the
# free rooms), the guarded insert in its savepoint (3), the audit row (1), the outbox row (1), and, booked inside
# the reminder window, marking the reminder as given (1). Before: 26, with a full availability load and every
# foreign key read again; then 12, then 11 (the checks in four queries, then three).
BOOKING_QUERIES = 9


def book_counting(clinic, practitioner, start, *, notify=True):
    patient = PatientFactory()
    with CaptureQueriesContext(connection) as captured:
        services.appointment_book(
            patient=patient,
            practitioner=practitioner,
            appointment_type=clinic["adjustment"],
            start=start,
            notify=notify,
        )
    return [q["sql"] for q in captured.captured_queries]


def test_a_booking_takes_a_fixed_small_number_of_queries(clinic, practitioner_a, practitioner_b):
    few = book_counting(clinic, practitioner_a, at(0, 9))
    for hour in range(10, 12):  # a fuller calendar, for both practitioners
        for practitioner in (practitioner_a, practitioner_b):
            book_counting(clinic, practitioner, at(1, hour))
    many = book_counting(clinic, practitioner_b, at(0, 10))
    assert len(few) == len(many), "\n".join(many)
    assert len(many) <= BOOKING_QUERIES, "\n".join(many)
    # No availability load (its busy rows are the instants as numbers) and the checks in one statement.
    assert not any("date_part('epoch'" in q or "unixepoch" in q for q in many), "\n".join(many)
    assert sum("scheduling_workinghours" in q for q in many) == 1, "\n".join(many)
