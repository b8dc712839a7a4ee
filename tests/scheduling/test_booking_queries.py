"""The booking path in a fixed, small number of queries (issue 14): conflict checks, the room pick, the insert,
the audit row, the notice and its tasks, whatever the number of appointments already in the calendar; no
availability load to book one slot, and nothing left for after the commit (the tasks are rows of the booking's
own transaction with the database queue, as deployed).

Counted here with the work queued for the commit run too, inside the test's transaction: a service's own
transaction is then nested, so a savepoint it opened would be counted (BEGIN and COMMIT are not statements)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scheduling import availability, services
from tests.clinic.factories import PatientFactory
from tests.conftest import requires_postgres
from tests.scheduling.conftest import at, book

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# The insert's savepoint and its release, on PostgreSQL only: there the exclusion constraints can refuse the row
# and the booking carries on (the next free room, or "just taken" with the nearest times). SQLite has no such
# constraint (and holds the write lock from the checks on), so nothing there needs one.
GUARD = 2 if connection.vendor == "postgresql" else 0

# Front desk, a known patient, booked outside the reminder window: the checks in one statement (the
# practitioner's hours and time off that day, the practitioner's and the patient's overlapping visits, the free
# rooms), the insert, the audit row, the outbox row, the notice's task, the reminder's task and its id on the
# appointment. Before this pass: 13 on both (the registering's and the booking's own savepoints, the insert's on
# SQLite too, and the two tasks and the id each in a transaction of its own after the commit); 26 at first.
FRONT_DESK = 7 + GUARD
# Inside the reminder window the confirmation is the reminder, given in the insert itself: no reminder task,
# no UPDATE. Before: 12.
FRONT_DESK_IN_WINDOW = 5 + GUARD
# Online, a returning patient choosing the practitioner: the online rules first (family, the types offered
# to them and whether they came before, their own visits then, verified address, held bookings: 6, and the
# online transaction's savepoint pair, BEGIN and COMMIT when deployed), then the booking as above. Before: 19.
ONLINE = 15 + GUARD
# The front desk moves a visit, kept in its room: the visit locked and read with its patient, practitioner,
# type and room (one query), the checks with the room's freeness in the same statement, the update, the audit
# row, the outbox row, the two tasks and the reminder's id. Before: 17 (the room's freeness and four rows
# read one by one).
MOVE = 8 + GUARD


@pytest.fixture(autouse=True)
def _database_queue(settings):
    settings.TASKS = DATABASE_QUEUE


@pytest.fixture
def counted(django_capture_on_commit_callbacks):
    """Run a service and answer the SQL of its statements, those queued for the commit included."""

    def run(service, **kwargs):
        # The commit's callbacks run as the inner block ends, still counted by the outer one.
        with (
            CaptureQueriesContext(connection) as captured,
            django_capture_on_commit_callbacks(execute=True) as after_commit,
        ):
            result = service(**kwargs)
        assert not after_commit, "the booking left work for after its commit"
        return result, [q["sql"] for q in captured.captured_queries]

    return run


def book_counting(counted, clinic, practitioner, start):
    return counted(
        services.appointment_book_registering,
        patient=PatientFactory(),
        new_patient={},
        practitioner=practitioner,
        appointment_type=clinic["adjustment"],
        start=start,
        notify=True,
    )[1]


def test_a_front_desk_booking_takes_a_fixed_small_number_of_queries(counted, clinic, practitioner_a, practitioner_b):
    few = book_counting(counted, clinic, practitioner_a, at(1, 9))
    for hour in range(10, 12):  # a fuller calendar, for both practitioners
        for practitioner in (practitioner_a, practitioner_b):
            book_counting(counted, clinic, practitioner, at(2, hour))
    many = book_counting(counted, clinic, practitioner_b, at(1, 10))
    assert len(few) == len(many) == FRONT_DESK, "\n".join(many)
    # No availability load (its busy rows are the instants as numbers) and the checks in one statement.
    assert not any("date_part('epoch'" in q or "unixepoch" in q for q in many), "\n".join(many)
    assert sum("scheduling_workinghours" in q for q in many) == 1, "\n".join(many)
    # Savepoints only around the insert where the database can refuse it; the tasks in the transaction.
    assert sum(q.startswith("SAVEPOINT") for q in many) == GUARD // 2, "\n".join(many)
    assert sum("dbtaskresult" in q for q in many) == 2, "\n".join(many)


def test_inside_the_reminder_window_the_reminder_is_given_in_the_insert(counted, clinic, practitioner_a):
    queries = book_counting(counted, clinic, practitioner_a, at(0, 9))  # two hours from the clinic's clock
    assert len(queries) == FRONT_DESK_IN_WINDOW, "\n".join(queries)
    assert not any(q.startswith("UPDATE") for q in queries), "\n".join(queries)
    assert sum("dbtaskresult" in q for q in queries) == 1, "\n".join(queries)  # the confirmation's only


def test_an_online_booking_takes_a_fixed_small_number_of_queries(counted, clinic, returning, practitioner_b):
    appointment, queries = counted(
        services.appointment_book_online,
        user=returning.user,
        patient=returning,
        appointment_type=clinic["adjustment"],
        practitioner=practitioner_b,
        start=at(2, 9),
    )
    assert appointment.reminder_task_id
    assert len(queries) == ONLINE, "\n".join(queries)
    assert sum(q.startswith("SAVEPOINT") for q in queries) == 1 + GUARD // 2, "\n".join(queries)


def test_a_move_takes_a_fixed_small_number_of_queries(counted, clinic, patient_a, practitioner_a):
    booked, _ = counted(
        services.appointment_book,
        patient=patient_a,
        practitioner=practitioner_a,
        appointment_type=clinic["adjustment"],
        start=at(2, 9),
    )
    moved, queries = counted(services.appointment_move, appointment=booked, start=at(2, 14), notify=True)
    assert (moved.start, moved.room) == (at(2, 14), booked.room)
    assert len(queries) == MOVE, "\n".join(queries)
    assert sum(q.startswith("SELECT") for q in queries) == 2, "\n".join(queries)


@requires_postgres
def test_on_postgresql_the_checks_find_overlaps_through_the_exclusion_constraints_indexes(
    clinic, patient_a, practitioner_a
):
    """The checks' statement states the practitioner's and the rooms' overlaps as the exclusion constraints do, so
    that their GiST indexes answer them (a one-sided `start < end of the session` walked the whole history:
    40-70 ms with a year of it, 0.7 ms this way; benchmarks/README.md)."""
    book(patient_a, practitioner_a, clinic["adjustment"], at(1, 9))
    with CaptureQueriesContext(connection) as captured:
        availability.load_booking_facts(
            practitioner_id=practitioner_a.pk,
            patient_id=patient_a.pk,
            start=at(1, 9, 15),
            end=at(1, 9, 45),
            blocks_until=at(1, 9, 50),
        )
    (statement,) = [q["sql"] for q in captured.captured_queries]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test's tables are too small for an index otherwise
        # With a handful of rows the planner's choice between a GiST index and a plain (practitioner, start) or
        # (room, start) btree follows statistics left by earlier tests. Inside this test's transaction (rolled
        # back after it), the plain indexes go, so the plan shows whether the statement can use the constraints'
        # indexes at all: a form they cannot answer falls back to a (penalised) sequential scan.
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'scheduling_appointment' "
            "AND indexdef LIKE '%USING btree%' AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute(f"EXPLAIN {statement}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "appointment_no_practitioner_overlap" in plan, plan
    assert "appointment_no_room_overlap" in plan, plan
