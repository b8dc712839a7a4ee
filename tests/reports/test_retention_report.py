"""The retention report: visits rebooked before the patient left, and lapsed patients, counted by hand."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.models import AuditEvent
from reports import selectors
from scheduling.models import Appointment
from tests.clinic.factories import PatientFactory, PractitionerFactory
from tests.reports.common import june_params
from tests.scheduling.factories import AppointmentFactory

ZONE = zoneinfo.ZoneInfo("America/New_York")
S = Appointment.Status
JUNE = selectors.Scope(dt.date(2026, 6, 1), dt.date(2026, 6, 30))
NOW = dt.datetime(2026, 7, 1, 12, tzinfo=ZONE)


def at(month, day, hour=9):
    return dt.datetime(2026, month, day, hour, tzinfo=ZONE)


def visit(patient, practitioner, start, status=S.COMPLETED, *, created, cancelled_at=None):
    appointment = AppointmentFactory(
        patient=patient, practitioner=practitioner, start=start, status=status, cancelled_at=cancelled_at
    )
    Appointment.objects.filter(pk=appointment.pk).update(created_at=created)  # auto_now_add: set it afterwards
    return appointment


@pytest.fixture
def june(patient_a, patient_b, practitioner_a, practitioner_b):
    carol = PatientFactory(first_name="Carol", last_name="Cole")
    dan = PatientFactory(first_name="Dan", last_name="Dunn")
    # Alice (Ada): 1 June, the next one booked during the visit (before it ended): rebooked.
    visit(patient_a, practitioner_a, at(6, 1), created=at(5, 20))
    visit(patient_a, practitioner_a, at(6, 8), created=at(6, 1, 9) + dt.timedelta(minutes=10))
    # 8 June: the next was booked the day after: not rebooked.
    visit(patient_a, practitioner_a, at(6, 15), created=at(6, 9))
    # 15 June: nothing after it: not rebooked.
    # Bruno (Ada): 2 June, the next was booked before but cancelled before he left: not rebooked.
    visit(patient_b, practitioner_a, at(6, 2), created=at(5, 20))
    visit(patient_b, practitioner_a, at(6, 9), S.CANCELLED, created=at(5, 21), cancelled_at=at(6, 1))
    # Carol (Bo): 3 June rebooked, the next one cancelled later (after she left): still rebooked when she left.
    visit(carol, practitioner_b, at(6, 3), created=at(5, 1))
    visit(carol, practitioner_b, at(6, 10), S.CANCELLED, created=at(5, 1), cancelled_at=at(6, 5))
    # A no-show is not a visit.
    visit(carol, practitioner_b, at(6, 11), S.NO_SHOW, created=at(5, 1))
    # Dan (Bo): last seen in April, nothing booked: lapsed. Carol too (last visit 3 June, 4 weeks before NOW).
    visit(dan, practitioner_b, at(4, 1), created=at(3, 1))
    return carol, dan


def _rows(figures):
    return {r.label: (r.visits, r.rebooked) for r in figures.by_practitioner}


def test_rebooking_matches_a_count_by_hand(june):
    figures = selectors.rebooking(JUNE)
    # Visits in June: Alice 3, Bruno 1 (Ada: 4, 1 rebooked); Carol 1 (Bo: 1, 1 rebooked).
    assert _rows(figures) == {"Dr. Ada Adams": (4, 1), "Dr. Bo Brown": (1, 1)}
    assert (figures.total.visits, figures.total.rebooked, figures.total.pct) == (5, 2, 40.0)


def test_rebooking_by_practitioner_and_location(june, practitioner_b):
    mine = selectors.rebooking(selectors.Scope(JUNE.first_day, JUNE.last_day, practitioner_id=practitioner_b.pk))
    assert (mine.total.visits, mine.total.rebooked) == (1, 1)
    assert _rows(mine) == {"Dr. Bo Brown": (1, 1)}
    carol_visit = Appointment.objects.get(start=at(6, 3))
    here = selectors.rebooking(selectors.Scope(JUNE.first_day, JUNE.last_day, location_id=carol_visit.room.location_id))
    assert (here.total.visits, here.total.rebooked) == (1, 1)


def test_lapsed_patients_by_hand(june, patient_a, patient_b):
    carol, dan = june
    six = selectors.lapsed_patients(JUNE, weeks=6, now=NOW)
    assert [p["patient_id"] for p in six] == [dan.pk]  # Alice, Bruno, Carol were seen in June
    three = selectors.lapsed_patients(JUNE, weeks=3, now=NOW)
    # Seen more than 3 weeks before 1 July: Carol (3 June), Bruno (2 June), Dan (April); Alice was seen 15 June.
    assert [p["patient_id"] for p in three] == [carol.pk, patient_b.pk, dan.pk]
    assert selectors.lapsed_count(JUNE, weeks=3, now=NOW) == 3
    # A booking from today on takes the patient off the list.
    AppointmentFactory(patient=dan, start=NOW + dt.timedelta(days=2))
    assert selectors.lapsed_count(JUNE, weeks=3, now=NOW) == 2


def test_lapsed_by_practitioner(june, practitioner_b):
    carol, dan = june
    scope = selectors.Scope(JUNE.first_day, JUNE.last_day, practitioner_id=practitioner_b.pk)
    assert [p["patient_id"] for p in selectors.lapsed_patients(scope, weeks=3, now=NOW)] == [carol.pk, dan.pk]


def _many(practitioner_a, count):
    for n in range(count):
        patient = PatientFactory()
        visit(patient, practitioner_a, at(6, 1 + n % 28, 8 + n % 9), created=at(5, 1))
        visit(patient, practitioner_a, at(8, 1 + n % 28, 8 + n % 9), created=at(6, 1 + n % 28, 9))


def test_query_count_does_not_grow(june, practitioner_a):
    def count():
        with CaptureQueriesContext(connection) as queries:
            selectors.rebooking(JUNE)
            selectors.lapsed_count(JUNE, weeks=6, now=NOW)
            selectors.lapsed_patients(JUNE, weeks=6, now=NOW)
        return len(queries)

    small = count()
    _many(PractitionerFactory(), 40)  # another practitioner: no overlap with the week above
    with CaptureQueriesContext(connection) as year:
        selectors.rebooking(selectors.Scope(dt.date(2025, 7, 1), dt.date(2026, 6, 30)))
    assert small == count() == 3
    assert len(year) == 1


def test_page_and_csv(june, client_for, clinic_admin):
    client = client_for(clinic_admin)
    response = client.get(reverse("reports:retention"), june_params())
    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html and "<td>25.0%</td>" in html  # Ada: 1 of 4
    assert "Dan Dunn" not in html  # the aggregate page names no one
    lines = client.get(reverse("reports:retention"), june_params(format="csv")).content.decode().splitlines()
    assert lines[1:] == ["All,5,2,40.0", "Dr. Ada Adams,4,1,25.0", "Dr. Bo Brown,1,1,100.0"]
    with CaptureQueriesContext(connection) as short:
        client.get(reverse("reports:retention"), june_params())
    with CaptureQueriesContext(connection) as long:
        client.get(reverse("reports:retention"), june_params(start="2025-07-01"))
    assert len(short) == len(long)


@time_machine.travel(NOW, tick=False)
def test_the_list_of_lapsed_patients_is_audited(june, client_for, clinic_admin):
    _carol, dan = june
    client = client_for(clinic_admin)
    before = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).count()
    response = client.get(reverse("reports:retention_patients"), june_params(weeks=6))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dan Dunn" in html and "Alice Arnold" not in html
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).count() == before + 1
    csv = client.get(reverse("reports:retention_patients"), june_params(weeks=6, format="csv")).content.decode()
    assert f"{dan.pk},Dunn,Dan,2026-04-01,1,no" in csv.splitlines()


def test_a_bad_number_of_weeks_is_named_next_to_the_field(client_for, clinic_admin):
    response = client_for(clinic_admin).get(reverse("reports:retention_patients"), june_params(weeks="0"))
    assert response.status_code == 400
    assert "Choose at least 1 week." in response.content.decode()


def test_a_practitioner_sees_their_own_figures_only(june, client_for, practitioner_b):
    html = client_for(practitioner_b.user).get(reverse("reports:retention"), june_params()).content.decode()
    assert "Dr. Bo Brown" in html and "Dr. Ada Adams" not in html


@time_machine.travel(NOW, tick=False)
def test_a_long_list_shows_the_most_recent_and_the_csv_holds_all(june, client_for, clinic_admin, monkeypatch):
    from reports import views

    monkeypatch.setattr(views, "LIST_ROWS", 2)
    client = client_for(clinic_admin)
    html = client.get(reverse("reports:retention_patients"), june_params(weeks=3)).content.decode()
    assert "Carol Cole" in html and "Bruno Berg" in html and "Dan Dunn" not in html
    assert "3 patients: the 2 seen most recently are listed here; the CSV holds all 3." in html
    csv = client.get(reverse("reports:retention_patients"), june_params(weeks=3, format="csv")).content.decode()
    assert len(csv.splitlines()) == 4


def test_a_lapsed_patient_on_a_care_plan_links_to_the_recall_list(june, client_for, clinic_admin, practitioner_b):
    from clinic.careplans.recalls import recall_rows
    from clinic.models import CarePlan
    from clinic.models.careplans import CarePlanStatus
    from tests.reports.test_careplans_report import plan

    carol, dan = june
    plan(dan, practitioner_b, created=at(3, 1), accepted=at(3, 1), status=CarePlanStatus.ACTIVE)
    plan(carol, practitioner_b, created=at(3, 1), accepted=at(3, 1), status=CarePlanStatus.COMPLETED)
    lapsed = {p["patient_id"]: p["on_recall"] for p in selectors.lapsed_patients(JUNE, weeks=3, now=NOW)}
    assert lapsed[dan.pk] is True and lapsed[carol.pk] is False  # a completed plan is no recall
    # The flag agrees with the recall list itself: every lapsed patient flagged is on it.
    on_list = {row.patient.pk for row in recall_rows(now=NOW)}
    assert {pk for pk, flagged in lapsed.items() if flagged} <= on_list and dan.pk in on_list
    assert CarePlan.objects.filter(patient=dan).exists()
    recalls = reverse("clinic:recall_list")
    with time_machine.travel(NOW, tick=False):
        html = (
            client_for(clinic_admin).get(reverse("reports:retention_patients"), june_params(weeks=3)).content.decode()
        )
        csv = client_for(clinic_admin).get(reverse("reports:retention_patients"), june_params(weeks=3, format="csv"))
    # The link lands on Dan's own entry of the recall list.
    assert html.count(f'class="lapsed-recall" href="{recalls}#recall-{dan.pk}"') == 1 and "On the recall list" in html
    assert f"{dan.pk},Dunn,Dan,2026-04-01,1,yes" in csv.content.decode().splitlines()
    with time_machine.travel(NOW, tick=False):
        recall_page = client_for(clinic_admin).get(recalls).content.decode()
    assert f'<li class="list-group-item" id="recall-{dan.pk}">' in recall_page


def test_the_report_menu_keeps_the_range_and_filters_chosen(june, client_for, clinic_admin, practitioner_b):
    chosen = june_params(practitioner=practitioner_b.pk, weeks=3)
    html = client_for(clinic_admin).get(reverse("reports:retention"), chosen).content.decode()
    kept = f"?range=custom&amp;start=2026-06-01&amp;end=2026-06-30&amp;practitioner={practitioner_b.pk}"
    for name in ("utilisation", "attendance", "new_patients", "retention", "careplans", "outcomes"):
        assert f'href="{reverse("reports:" + name)}{kept}"' in html  # "weeks" is the retention page's own
    plain = client_for(clinic_admin).get(reverse("reports:retention")).content.decode()
    assert f'href="{reverse("reports:outcomes")}"' in plain
