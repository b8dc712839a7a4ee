"""Who sees which figures on every report page: an admin the clinic's, a practitioner their own only (whatever
the practitioner asked for), a practitioner's login with no practitioner record none; the lapsed list links to
the recall list for those who may open it; the demo has a lapsed patient to show."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from clinic.models import VisitNote
from reports import selectors
from reports.urls import PAGES
from scheduling.models import Appointment
from tests.clinic.factories import PatientFactory, UserFactory
from tests.reports.common import june_params
from tests.scheduling.factories import AppointmentFactory

ZONE = zoneinfo.ZoneInfo("America/New_York")
S = Appointment.Status
NOW = dt.datetime(2026, 7, 1, 12, tzinfo=ZONE)
JUNE = june_params()


def at(month, day, hour=9):
    return dt.datetime(2026, month, day, hour, tzinfo=ZONE)


@pytest.fixture
def two_practices(patient_a, practitioner_a, practitioner_b):
    """Alice sees Ada; Zoe sees Bo only, misses two visits with him and lapses (last seen in April)."""
    zoe = PatientFactory(first_name="Zoe", last_name="Zimmer")
    for day in (2, 9):
        visit = AppointmentFactory(patient=patient_a, practitioner=practitioner_a, start=at(6, day), status=S.COMPLETED)
        pain = 8 - day // 3
        VisitNote.objects.create(appointment=visit, patient=patient_a, practitioner=practitioner_a, pain_today=pain)
    AppointmentFactory(patient=zoe, practitioner=practitioner_b, start=at(4, 1), status=S.COMPLETED)
    AppointmentFactory(patient=zoe, practitioner=practitioner_b, start=at(6, 3), status=S.NO_SHOW)
    AppointmentFactory(patient=zoe, practitioner=practitioner_b, start=at(6, 10), status=S.NO_SHOW)
    AppointmentFactory(patient=patient_a, practitioner=practitioner_a, start=at(7, 20), status=S.BOOKED)
    return zoe


@pytest.mark.parametrize("name", PAGES)
def test_a_practitioner_sees_only_their_own_figures_on_every_report(
    name, two_practices, client_for, practitioner_a, practitioner_b
):
    client = client_for(practitioner_a.user)
    with time_machine.travel(NOW, tick=False):
        plain = client.get(reverse(name), JUNE)
        # Bo's figures name Bo and his patient: Ada's page shows neither, even when she asks for his.
        asked = client.get(reverse(name), {**JUNE, "practitioner": practitioner_b.pk})
    for response in (plain, asked):
        html = response.content.decode()
        assert response.status_code == 200
        assert "Dr. Bo Brown" not in html and "Zoe" not in html
        assert 'name="practitioner"' not in html  # the choice is made for them


def test_the_admin_sees_both_practitioners_where_the_practitioner_saw_one(two_practices, client_for, clinic_admin):
    client = client_for(clinic_admin)
    with time_machine.travel(NOW, tick=False):
        attendance = client.get(reverse("reports:attendance"), JUNE).content.decode()
        lapsed = client.get(reverse("reports:retention_patients"), JUNE).content.decode()
    assert "Dr. Ada Adams" in attendance and "Dr. Bo Brown" in attendance
    assert "Zoe Zimmer" in lapsed


@pytest.mark.parametrize("name", PAGES)
def test_a_practitioner_login_without_a_practitioner_record_gets_no_figures(name, two_practices, client):
    unlinked = UserFactory(email="locum@example.com", roles=["Practitioner"])
    client.force_login(unlinked)
    response = client.get(reverse(name), JUNE)
    assert response.status_code == 403
    assert "Zoe" not in response.content.decode() and "Alice" not in response.content.decode()


def test_the_lapsed_list_links_to_the_recall_list_for_the_desk_and_admins_only(
    two_practices, client_for, clinic_admin, practitioner_b
):
    recalls = reverse("clinic:recall_list")
    with time_machine.travel(NOW, tick=False):
        for name in ("reports:retention", "reports:retention_patients"):
            admin_html = client_for(clinic_admin).get(reverse(name), JUNE).content.decode()
            assert f'href="{recalls}"' in admin_html
            practitioner_html = client_for(practitioner_b.user).get(reverse(name), JUNE).content.decode()
            assert "Zoe Zimmer" in practitioner_html or name == "reports:retention"
            assert f'href="{recalls}"' not in practitioner_html  # the recall list is the desk's (desk.use)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "when", [dt.datetime(2026, 6, 3, 12, 0, tzinfo=ZONE), dt.datetime(2026, 12, 4, 9, 0, tzinfo=ZONE)]
)
def test_the_demo_gives_every_report_something_to_show(settings, when):
    settings.TIME_ZONE = "America/New_York"
    with time_machine.travel(when, tick=False):
        call_command("seed_demo")
        today = timezone.localdate()
        scope = selectors.Scope(today - dt.timedelta(days=30), today)
        lapsed = selectors.lapsed_patients(scope, weeks=6, now=timezone.now())
        assert [(p["first_name"], p["last_name"]) for p in lapsed] == [("Marcus", "Bell")]
        assert selectors.lapsed_count(scope, weeks=6, now=timezone.now()) == 1
        # Every other report has something to show in the demo's last month too.
        assert selectors.attendance(scope).total.due > 0
        assert selectors.rebooking(scope).total.rebooked > 0
        # Marcus is on a care plan: the lapsed list links him to the recall list.
        assert lapsed[0]["on_recall"] is True
        utilisation = selectors.utilisation(scope)
        assert sum(r.booked_hours for r in utilisation.by_practitioner) > 0
        assert utilisation.by_room and sum(r.booked_hours for r in utilisation.by_room) > 0
        assert all(r.available_hours > 0 for r in utilisation.by_room)
        assert selectors.idle_gaps(scope).gaps
        assert sum(r.total for r in selectors.new_patients(scope)) > 0
        year = selectors.Scope(today - dt.timedelta(days=365), today)
        plans = selectors.careplans(year).total
        assert plans.started > 0 and plans.completed > 0 and plans.discontinued > 0
        assert any(r.improved > 0 for r in selectors.outcomes(year).rows)
