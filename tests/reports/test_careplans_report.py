"""The care-plans report: plans started, completed, discontinued, and visits attended per plan, by hand."""

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.models import CarePlan
from clinic.models.careplans import CarePlanStatus as P
from reports import selectors
from scheduling.models import Appointment
from tests.clinic.factories import PatientFactory, PractitionerFactory, RoomFactory
from tests.reports.common import june_params, page_and_csv
from tests.scheduling.factories import AppointmentFactory

ZONE = zoneinfo.ZoneInfo("America/New_York")
S = Appointment.Status
JUNE = selectors.Scope(dt.date(2026, 6, 1), dt.date(2026, 6, 30))
PHASES = [{"visits_per_week": 2, "weeks": 4}]


def at(month, day, hour=9):
    return dt.datetime(2026, month, day, hour, tzinfo=ZONE)


def plan(patient, practitioner, *, created, accepted=None, status=P.PROPOSED, changed=None, previous=None):
    """A plan (a revision of `previous`, when given), then its state and dates as the test says: made at `created`,
    accepted at `accepted`, last changed at `changed` (else when accepted, else when made)."""
    revision = {"previous": previous, "version": previous.version + 1} if previous else {}
    row = CarePlan.objects.create(
        patient=patient, practitioner=practitioner, created_by=practitioner.user, phases=PHASES, **revision
    )
    CarePlan.objects.filter(pk=row.pk).update(
        status=status,
        accepted_at=accepted,
        lineage=previous.lineage if previous else row.pk,
        created_at=created,
        updated_at=changed or accepted or created,
    )
    row.refresh_from_db()
    return row


@pytest.fixture
def june(patient_a, patient_b, practitioner_a, practitioner_b):
    carol = PatientFactory(first_name="Carol", last_name="Cole")
    dan = PatientFactory(first_name="Dan", last_name="Dunn")
    eve = PatientFactory(first_name="Eve", last_name="Ernst")
    room = RoomFactory()
    # Alice (Ada): accepted in May, revised and accepted again in June (a revision, not a start), completed 20 June.
    first = plan(patient_a, practitioner_a, created=at(5, 1), accepted=at(5, 5), status=P.SUPERSEDED, changed=at(6, 1))
    plan(
        patient_a,
        practitioner_a,
        created=at(6, 1),
        accepted=at(6, 2),
        status=P.COMPLETED,
        changed=at(6, 20),
        previous=first,
    )
    for day in ((5, 10), (6, 3), (6, 10), (6, 17), (6, 25)):  # 4 from the first version to the end; 25 June after
        AppointmentFactory(patient=patient_a, practitioner=practitioner_a, start=at(*day), status=S.COMPLETED)
    AppointmentFactory(patient=patient_a, practitioner=practitioner_a, start=at(6, 12), status=S.NO_SHOW)
    # Bruno (Ada): started 3 June, discontinued 25 June after 2 visits (one before the plan does not count).
    plan(patient_b, practitioner_a, created=at(6, 1), accepted=at(6, 3), status=P.DISCONTINUED, changed=at(6, 25))
    for day in ((5, 28), (6, 4), (6, 11)):
        AppointmentFactory(
            patient=patient_b, practitioner=practitioner_a, room=room, start=at(*day), status=S.COMPLETED
        )
    # Carol (Bo): started 12 June, still active.
    plan(carol, practitioner_b, created=at(6, 10), accepted=at(6, 12), status=P.ACTIVE)
    # Dan (Bo): started and completed before June: not counted.
    plan(dan, practitioner_b, created=at(4, 1), accepted=at(4, 2), status=P.COMPLETED, changed=at(5, 5))
    # Eve (Bo): proposed in June, not accepted: not started.
    plan(eve, practitioner_b, created=at(6, 15))
    return room


def _rows(figures):
    return {r.label: (r.started, r.completed, r.discontinued, r.visits, r.avg_visits) for r in figures.by_practitioner}


def test_the_figures_match_a_count_by_hand(june):
    figures = selectors.careplans(JUNE)
    assert _rows(figures) == {"Dr. Ada Adams": (1, 1, 1, 6, 3.0), "Dr. Bo Brown": (1, 0, 0, 0, 0.0)}
    total = figures.total
    assert (total.started, total.completed, total.discontinued, total.visits, total.avg_visits) == (2, 1, 1, 6, 3.0)


def test_a_may_range_sees_the_first_acceptance_and_dans_completion(june):
    may = selectors.careplans(selectors.Scope(dt.date(2026, 5, 1), dt.date(2026, 5, 31)))
    # Alice's plan started 5 May; Dan's completed 5 May after no visits.
    assert _rows(may) == {"Dr. Ada Adams": (1, 0, 0, 0, 0.0), "Dr. Bo Brown": (0, 1, 0, 0, 0.0)}


def test_practitioner_and_location_filters(june, practitioner_b):
    mine = selectors.careplans(selectors.Scope(JUNE.first_day, JUNE.last_day, practitioner_id=practitioner_b.pk))
    assert _rows(mine) == {"Dr. Bo Brown": (1, 0, 0, 0, 0.0)}
    here = selectors.careplans(selectors.Scope(JUNE.first_day, JUNE.last_day, location_id=june.location_id))
    assert _rows(here) == {"Dr. Ada Adams": (1, 0, 1, 2, 2.0)}  # Bruno's plan only: his visits were there


def test_one_query_with_small_and_larger_data(june, practitioner_a):
    with CaptureQueriesContext(connection) as small:
        selectors.careplans(JUNE)
    other = PractitionerFactory()  # their visits: no overlap with the plans' practitioners above
    for n in range(30):
        patient = PatientFactory()
        plan(
            patient, practitioner_a, created=at(6, 1), accepted=at(6, 1 + n % 20), status=P.COMPLETED, changed=at(6, 28)
        )
        AppointmentFactory(
            patient=patient, practitioner=other, start=at(6, 2 + n % 20, 9 + n // 20), status=S.COMPLETED
        )
    with CaptureQueriesContext(connection) as larger:
        figures = selectors.careplans(selectors.Scope(dt.date(2025, 7, 1), dt.date(2026, 6, 30)))
    assert len(small) == len(larger) == 1
    assert (figures.total.started, figures.total.completed) == (34, 32)  # 30 more, and April to June above


def test_page_and_csv(june, client_for, clinic_admin):
    html, lines = page_and_csv(client_for(clinic_admin), "reports:careplans", june_params())
    assert "<svg" in html and "Dr. Bo Brown" in html and "Alice" not in html
    assert lines[1:] == ["All,2,1,1,6,3.0", "Dr. Ada Adams,1,1,1,6,3.0", "Dr. Bo Brown,1,0,0,0,0.0"]


def test_a_practitioner_sees_their_own_figures_only(june, client_for, practitioner_b):
    html = client_for(practitioner_b.user).get(reverse("reports:careplans"), june_params()).content.decode()
    assert "Dr. Bo Brown" in html and "Dr. Ada Adams" not in html
