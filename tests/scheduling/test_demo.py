import itertools

import pytest
from django.core.management import call_command

from scheduling.models import Appointment, AppointmentType, WaitlistEntry, WorkingHours


@pytest.mark.django_db
def test_seed_demo_twice_adds_nothing_and_never_double_books():
    call_command("seed_demo")
    counts = [m.objects.count() for m in (AppointmentType, WorkingHours, Appointment, WaitlistEntry)]
    call_command("seed_demo")
    assert [m.objects.count() for m in (AppointmentType, WorkingHours, Appointment, WaitlistEntry)] == counts
    assert counts[0] == 3 and counts[2] > 50
    assert set(Appointment.objects.values_list("status", flat=True)) >= {"booked", "completed"}
    active = list(Appointment.objects.filter(status__in=Appointment.ACTIVE_STATUSES).order_by("start"))
    for a, b in itertools.combinations(active, 2):
        if a.practitioner_id == b.practitioner_id:
            assert a.end <= b.start or b.end <= a.start
        if a.room_id == b.room_id:
            assert a.blocks_until <= b.start or b.blocks_until <= a.start
