"""Demo data (issue 16, slice 8): the notes' demo patient is mid-plan with the re-examination due next visit."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command

from clinic.careplans import selectors
from clinic.models import CarePlan
from scheduling.models import Appointment


@pytest.mark.django_db
def test_seed_demo_puts_a_patient_mid_plan_with_the_re_exam_due_once(settings):
    settings.TIME_ZONE = "America/New_York"
    with time_machine.travel(dt.datetime(2026, 6, 3, 12, 0, tzinfo=zoneinfo.ZoneInfo("America/New_York")), tick=False):
        call_command("seed_demo")
        call_command("seed_demo")
        plan = CarePlan.objects.exclude(notes="Demo plan for the reports").get(patient__first_name="Sophia")
        assert (plan.status, plan.accepted_how, plan.total_visits) == ("active", "in_person", 10)
        visits = list(Appointment.objects.filter(patient=plan.patient).exclude(status__in=["cancelled", "no_show"]))
        positions = selectors.plan_positions(visits)
        past = [positions[a.pk] for a in visits if a.start < dt.datetime.now(dt.UTC)]
        assert past and max(p.number for p in past) == plan.re_exam_visit - 1
        assert any("re-exam due at visit" in p.label for p in past)
