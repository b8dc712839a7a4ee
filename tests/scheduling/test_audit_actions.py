"""Audit of actions: every POST of intake and scheduling that writes patient data, walked in the order a clinic
day runs them (intake, consent, booking, moving, check-in, treatment, waitlist, the patient's own changes),
leaves exactly one audit row per request, by the user who posted, naming the patient. The one exception is
listed with their reasons. Also: the booking confirm page (a GET) leaves one "view" row."""

import pytest
from django.test import Client
from django.urls import reverse

from clinic.models import AuditEvent
from intake.models import IntakeSubmission, RedFlagReview
from scheduling.forms import slot_value
from scheduling.models import Appointment, WaitlistEntry
from tests.intake import factories as intake_factories
from tests.scheduling.conftest import at

# Requests that write several objects leave one row per object, on purpose: submitting the intake signs the
# submission and copies the contact details the patient gave onto their Patient record; booking a series creates
# the series and each of its appointments (each appointment is then audited on its own, like any other).
SEVERAL_ROWS = {"intake:intake_submit": 2}


@pytest.fixture(autouse=True)
def _check_in_any_time_today(settings):
    """These tests are about paperwork, statuses and audit rows; the check-in window (today, from
    CLINIC_CHECK_IN_EARLY_MINUTES before the start) has its own tests in test_check_in_window.py."""
    settings.CLINIC_CHECK_IN_EARLY_MINUTES = 24 * 60


class Walk:
    def __init__(self, patient):
        self.patient = patient
        self.clients = {}

    def as_(self, user):
        if user.pk not in self.clients:
            client = Client()
            client.force_login(user)
            self.clients[user.pk] = client
        self.user = user
        return self

    def post(self, name, args=(), data=None, *, patient=None, status=302, rows=None):
        client = self.clients[self.user.pk]
        before = set(AuditEvent.objects.values_list("pk", flat=True))
        response = client.post(reverse(name, args=args), data or {})
        assert response.status_code == status, (
            f"{name}: {response.status_code} {getattr(response, 'context', None) and _errors(response)}"
        )
        new = list(AuditEvent.objects.exclude(pk__in=before).order_by("pk"))
        expected = rows or SEVERAL_ROWS.get(name, 1)
        assert len(new) == expected, f"{name} left {len(new)} audit rows: {[(e.action, e.detail) for e in new]}"
        for event in new:
            assert event.actor == self.user, f"{name}: row by {event.actor}"
            assert event.patient == (patient or self.patient), f"{name}: row about {event.patient}"
            assert event.ip_address == "127.0.0.1"
        return response


def _errors(response):
    return {k: v.errors for k, v in response.context.flatten().items() if hasattr(v, "errors") and v.errors}


@pytest.mark.django_db
def test_every_action_leaves_one_audit_row(clinic, rooms, adjustment, patient_a, patient_b, front_desk, practitioner_a):
    intake_factories.load_questionnaires()
    version = intake_factories.consent_version()
    walk = Walk(patient_a)

    # The patient fills and submits the intake, then signs the consent.
    walk.as_(patient_a.user).post("intake:intake_start")
    answers = {
        "about": intake_factories.ABOUT,
        "visit": intake_factories.VISIT,
        "health": intake_factories.HEALTH,
        "redflags": intake_factories.red_flags("night_pain"),
        "outcome": intake_factories.outcome_post(),
    }
    for step, data in answers.items():
        walk.post("intake:intake_step", [step], data)
    draft = IntakeSubmission.objects.get(patient=patient_a)
    walk.post("intake:intake_submit", data={"submission": draft.pk})
    consent = {
        "read_to_end": "on",
        "cervical_consent": "yes",
        "signer_name": patient_a.full_name,
        "text_sha256": version.sha256,
        **{f"risk_{r['code']}": "on" for r in version.risks},
    }
    walk.post("intake:consent_sign", data=consent)
    signature = patient_a.consent_signatures.get()

    # The front desk sends and revokes an invitation, books, changes the room, moves, checks in.
    walk.as_(front_desk).post("intake:invitation_send", [patient_a.pk], {"email": "alice@example.com"})
    walk.post("intake:invitation_revoke", [patient_a.intake_invitations.get().pk])
    book = {"patient": patient_a.pk, "appointment_type": adjustment.pk, "practitioner": practitioner_a.pk}
    walk.post("scheduling:appointment_book", data={**book, "start": "2026-06-02T09:00", "room": rooms[0].pk})
    appointment = Appointment.objects.get(patient=patient_a)
    walk.post("scheduling:appointment_change_room", [appointment.pk], {"room": rooms[1].pk})
    walk.post("scheduling:appointment_move", [appointment.pk], {"start": "2026-06-01T09:00"})

    # The practitioner reviews the red flags and records the consent discussion.
    review = RedFlagReview.objects.get(patient=patient_a)
    walk.as_(practitioner_a.user).post("intake:red_flags_review", [review.pk], {"review_note": "no contraindication"})
    walk.post("intake:consent_discussed", [signature.pk])

    walk.as_(front_desk).post("scheduling:appointment_check_in", [appointment.pk], {"override_reason": ""})
    walk.post("scheduling:appointment_status", [appointment.pk], {"to": "in_treatment"})
    walk.post("scheduling:appointment_status", [appointment.pk], {"to": "completed"})

    # A second appointment is cancelled; patient B's waitlist entry is offered the freed time, another removed.
    walk.post("scheduling:appointment_book", data={**book, "start": "2026-06-03T09:00"})
    second = Appointment.objects.get(patient=patient_a, start=at(2, 9))
    walk.post("scheduling:appointment_cancel", [second.pk], {"reason": "patient called"})
    waitlist = {"appointment_type": adjustment.pk, "earliest_date": "2026-06-03", "latest_date": "2026-06-03"}
    waitlist |= {"time_from": "08:00", "time_to": "18:00"}
    walk.post("scheduling:waitlist_add", data={**waitlist, "patient": patient_b.pk}, patient=patient_b)
    entry_b = WaitlistEntry.objects.get(patient=patient_b)
    walk.post("scheduling:waitlist_offer", [entry_b.pk, second.pk], patient=patient_b)
    walk.post("scheduling:waitlist_add", data={**waitlist, "patient": patient_a.pk})
    walk.post("scheduling:waitlist_remove", [WaitlistEntry.objects.get(patient=patient_a).pk])
    series = {**book, "first_date": "2026-06-08", "weekdays": ["0"], "time_of_day": "10:00", "weeks": "2"}
    walk.post("scheduling:series_book", data={**series, "step": "confirm"}, rows=1 + 2)  # the series, 2 visits

    # The patient moves and cancels their own appointment online, books one, withdraws the consent.
    walk.post("scheduling:appointment_book", data={**book, "start": "2026-06-11T09:00"})
    own = Appointment.objects.get(patient=patient_a, start=at(10, 9))
    walk.as_(patient_a.user).post(
        "scheduling:account_reschedule", [own.pk], {"slot": slot_value(at(10, 10), practitioner_a.pk)}
    )
    walk.post("scheduling:account_cancel", [own.pk], {"reason": "away"})
    session = walk.clients[patient_a.user.pk].session
    held = slot_value(at(11, 9), practitioner_a.pk)
    session["online_booking"] = {"type": adjustment.slug, "any": False, "slot": held}
    session.save()
    walk.post("scheduling:book_confirm", data={"slot": held})
    walk.post("intake:consent_withdraw", [signature.pk])


@pytest.mark.django_db
def test_booking_confirm_page_leaves_one_view_row(clinic, adjustment, patient_a, practitioner_a):
    client = Client()
    client.force_login(patient_a.user)
    session = client.session
    session["online_booking"] = {
        "type": adjustment.slug,
        "any": False,
        "slot": slot_value(at(3, 9), practitioner_a.pk),
    }
    session.save()
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    assert client.get(reverse("scheduling:book_confirm")).status_code == 200
    [event] = AuditEvent.objects.exclude(pk__in=before)
    assert (event.actor, event.action, event.patient) == (patient_a.user, "view", patient_a)
