"""Object-level matrix for intake and scheduling: each URL that names one of patient A's rows, requested by
patient B (404, or 403 for staff-only pages, and nothing of A in the body, and nothing changed), by a logged-out
user (login redirect) and by the front desk where the content is clinical (refused, and no clinical text on any
page the front desk can open). One walk per requester, many assertions: the suite has to stay quick."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.test import Client
from django.urls import NoReverseMatch, reverse

from clinic.models import AuditEvent
from intake import services as intake_services
from intake.models import ConsentSignature, IntakeInvitation, RedFlagReview, UrgentAnswerAlert
from scheduling.models import Appointment, WaitlistEntry
from tests.clinic.records import full_record
from tests.walks.test_url_matrix import APPOINTMENT_URLS, MATRIX

NOW = dt.datetime(2026, 5, 25, 12, 0, tzinfo=dt.UTC)
DAY = dt.date(2026, 6, 3)
A_CLINICAL = "Alpha clinical answer"  # A's intake answers: practitioners and admins only
A_DESK = "Alpha desk note"  # A's appointment notes, cancellation reason, series and waitlist notes: any staff
B_TEXT = "Bravo own text"


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(frozen, patient_a, patient_b, practitioner_a, front_desk):
    a = full_record(patient_a, practitioner_a, A_DESK, clinical=A_CLINICAL, day=DAY, sender=front_desk)
    b = full_record(patient_b, practitioner_a, B_TEXT, day=DAY, sender=front_desk)
    return {"a": a, "b": b, "patient_a": patient_a}


def object_urls(world):
    """name -> URL of every intake/scheduling pattern that names one of patient A's rows."""
    a, patient = world["a"], world["patient_a"]
    review = RedFlagReview.objects.get(submission=a.submission)
    alert = intake_services.urgent_alert_raise(
        submission=a.submission, answers={"saddle_bladder": "yes"}
    ) or UrgentAnswerAlert.objects.get(submission=a.submission)
    args = {
        "intake:urgent_alert_handle": [alert.pk],
        "intake:submission_detail": [a.submission.pk],
        "intake:consent_print": [a.signature.pk],
        "intake:consent_withdraw": [a.signature.pk],
        "intake:consent_discussed": [a.signature.pk],
        "intake:intake_summary": [patient.pk],
        "intake:patient_intake_status": [patient.pk],
        "intake:invitation_send": [patient.pk],
        "intake:invitation_revoke": [a.invitation.pk],
        "intake:red_flags_review": [review.pk],
        "scheduling:series_detail": [a.series.pk],
        "scheduling:waitlist_offer": [a.waitlist.pk, a.cancelled.pk],
        "scheduling:waitlist_remove": [a.waitlist.pk],
    }
    for name in APPOINTMENT_URLS:
        args[f"scheduling:{name}"] = [a.appointment.pk]
    return {name: reverse(name, args=values) for name, values in args.items()}


def test_every_object_url_of_intake_and_scheduling_is_walked():
    """A new intake/scheduling URL that takes an id must join `object_urls` (checked against the matrix)."""
    from django.urls import get_resolver

    takes_args = set()
    for namespace in ("intake", "scheduling"):
        resolver = get_resolver().namespace_dict[namespace][1]
        for pattern in resolver.url_patterns:
            if pattern.pattern.regex.groups and pattern.name:
                takes_args.add(f"{namespace}:{pattern.name}")
    walked = set(OBJECT_URL_NAMES)
    # A token; a step slug (own draft only); a feed's secret (tests/scheduling/test_calendar_feed.py).
    public_links = {"intake:invitation_accept", "intake:intake_step", "scheduling:calendar_feed"}
    assert takes_args - public_links == walked, takes_args ^ walked


OBJECT_URL_NAMES = [
    "intake:submission_detail",
    "intake:consent_print",
    "intake:consent_withdraw",
    "intake:consent_discussed",
    "intake:intake_summary",
    "intake:patient_intake_status",
    "intake:invitation_send",
    "intake:invitation_revoke",
    "intake:red_flags_review",
    "intake:urgent_alert_handle",
    "scheduling:series_detail",
    "scheduling:waitlist_offer",
    "scheduling:waitlist_remove",
    *(f"scheduling:{n}" for n in APPOINTMENT_URLS),
]

# Pages with no id that show the signed-in patient's own data.
OWN_PAGES = ["intake:intake_home", "intake:consent_sign", "scheduling:account_home", "scheduling:book_start"]


def a_markers(world):
    patient = world["patient_a"]
    return [A_CLINICAL, A_DESK, patient.last_name, patient.email, str(world["a"].appointment.uid)]


def snapshot(world):
    """The state of A's rows that any POST could change."""
    a = world["a"]
    return (
        list(Appointment.objects.filter(patient=world["patient_a"]).values_list("pk", "status", "start", "room_id")),
        list(ConsentSignature.objects.filter(pk=a.signature.pk).values_list("withdrawn_at", "discussed_at")),
        list(IntakeInvitation.objects.filter(patient=world["patient_a"]).values_list("pk", "revoked_at")),
        list(RedFlagReview.objects.filter(patient=world["patient_a"]).values_list("reviewed_at", flat=True)),
        list(WaitlistEntry.objects.filter(pk=a.waitlist.pk).values_list("active", "offered_at")),
    )


def assert_no_leak(response, markers, label):
    body = response.content.decode(errors="replace")
    leaked = [m for m in markers if m in body]
    assert not leaked, f"{label}: {leaked} in the body"


GET_AND_POST = {"scheduling:account_reschedule", "scheduling:account_cancel"}


def methods_for_patient(name):
    """The methods the view accepts from a patient (others answer 405 before any lookup); staff-only: both."""
    row = MATRIX[name]["patient"]
    if row == 405:
        return ["post"]
    if row == 200:
        return ["get", "post"] if name in GET_AND_POST else ["get"]
    return ["get", "post"]


@pytest.mark.django_db
def test_another_patient_gets_404_and_nothing_of_a(world, patient_b):
    client = Client(raise_request_exception=False)
    client.force_login(patient_b.user)
    urls = object_urls(world)
    before = snapshot(world)
    markers = a_markers(world)
    for name, url in urls.items():
        # Pages a patient may use for their own rows answer 404 for A's; staff-only pages refuse the role (403).
        expected = 404 if MATRIX[name]["patient"] in (200, 405) else 403
        for method in methods_for_patient(name):
            denied_before = AuditEvent.objects.filter(action="denied", actor=patient_b.user).count()
            response = getattr(client, method)(url, {"reason": "x", "to": "completed", "slot": "x", "email": "b@e.st"})
            label = f"patient B {method.upper()} {name}"
            assert response.status_code == expected, f"{label}: {response.status_code}, expected {expected}"
            denied = AuditEvent.objects.filter(action="denied", actor=patient_b.user)
            assert denied.count() == denied_before + 1, f"{label}: refusal not audited"
            if expected == 404:
                assert denied.latest("pk").patient == world["patient_a"], f"{label}: audit names no patient"
            assert_no_leak(response, markers, label)
    # The intake submit names the submission in the form, not the URL.
    response = client.post(reverse("intake:intake_submit"), {"submission": world["a"].submission.pk})
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="denied", actor=patient_b.user).latest("pk").patient == world["patient_a"]
    for name in OWN_PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert_no_leak(response, markers, f"patient B GET {name}")
    assert snapshot(world) == before, "patient B changed patient A's rows"


@pytest.mark.django_db
def test_a_logged_out_user_goes_to_login_and_changes_nothing(world):
    client = Client(raise_request_exception=False)
    before = snapshot(world)
    markers = a_markers(world)
    login = reverse("account_login")
    for name, url in object_urls(world).items():
        for method in ("get", "post"):
            response = getattr(client, method)(url, {"reason": "x", "to": "completed"})
            label = f"anonymous {method.upper()} {name}"
            if response.status_code == 405:
                assert MATRIX[name]["anonymous"] in (302, 405), label
            else:
                assert response.status_code == 302, f"{label}: {response.status_code}"
                assert response["Location"].startswith(login) and REDIRECT_FIELD_NAME in response["Location"], label
            assert_no_leak(response, markers, label)
    assert snapshot(world) == before


def no_args(name):
    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


CLINICAL_URLS = ["intake:submission_detail", "intake:intake_summary"]
CLINICAL_ACTIONS = ["intake:red_flags_review", "intake:consent_discussed"]


@pytest.mark.django_db
def test_front_desk_never_sees_clinical_answers(world, front_desk):
    client = Client(raise_request_exception=False)
    client.force_login(front_desk)
    urls = object_urls(world)
    before = snapshot(world)
    for name in CLINICAL_URLS:
        response = client.get(urls[name])
        assert response.status_code in (403, 404), f"front desk GET {name}: {response.status_code}"
        assert_no_leak(response, [A_CLINICAL], f"front desk GET {name}")
    for name in CLINICAL_ACTIONS:
        response = client.post(urls[name], {"review_note": "seen"})
        assert response.status_code in (403, 404), f"front desk POST {name}: {response.status_code}"
    assert snapshot(world) == before

    # Every page the front desk may open, with A's rows on it: the desk's notes are there, the clinical text never.
    day = DAY.isoformat()
    pages = [urls[n] for n in urls if MATRIX[n]["front_desk"] == 200]
    pages += [reverse(n) for n, row in MATRIX.items() if row["front_desk"] == 200 and n not in urls and no_args(n)]
    pages += [
        reverse("scheduling:frontdesk_home") + f"?date={day}",
        reverse("scheduling:week_view") + f"?date={day}",
        reverse("scheduling:day_sheet") + f"?date={day}",
        reverse("scheduling:patient_pick") + "?q=Arnold",
        reverse("intake:intake_status_list") + "?q=Arnold",
        reverse("clinic:patient_detail", args=[world["patient_a"].pk]),
    ]
    seen_desk_text = seen_name = False
    for url in pages:
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code != 200:
            continue
        assert_no_leak(response, [A_CLINICAL], f"front desk GET {url}")
        body = response.content.decode()
        seen_desk_text |= A_DESK in body
        seen_name |= world["patient_a"].last_name in body
    assert seen_desk_text and seen_name, "A's rows were on no page: the walk would prove nothing"


@pytest.mark.django_db
def test_practitioner_does_see_the_clinical_answers(world, practitioner_a):
    """The other side of the front-desk test: the clinical text is there for those who may read it."""
    client = Client()
    client.force_login(practitioner_a.user)
    urls = object_urls(world)
    for name in CLINICAL_URLS:
        response = client.get(urls[name])
        assert response.status_code == 200 and A_CLINICAL in response.content.decode(), name
