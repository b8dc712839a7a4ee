"""Role x URL matrix: every URL pattern of our apps, requested by every role.

A new URL pattern without a row here fails `test_every_url_has_a_row`, so no view ships unchecked.
Statuses: 200 page, 302 redirect (to login for anonymous users; to the role's home for `home_for_role`),
403 wrong role, 404 an object the user may not see.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

ROLES = ["anonymous", "patient", "front_desk", "practitioner", "admin"]
OUR_NAMESPACES = {"clinic", "scheduling", "intake", "reports"}


def R(anonymous, patient, front_desk, practitioner, admin):
    return dict(zip(ROLES, (anonymous, patient, front_desk, practitioner, admin), strict=True))


LOGIN = 302
# The scheduling URLs that name one appointment (front desk's and the patient's own pages).
APPOINTMENT_URLS = (
    "appointment_detail",
    "appointment_move",
    "appointment_drag_move",
    "appointment_change_room",
    "appointment_cancel",
    "appointment_check_in",
    "appointment_status",
    "account_appointment",
    "account_cancel",
    "account_reschedule",
    "account_calendar",
)
# name -> expected GET status per role. Object URLs point at patient A's rows; "patient" is patient A.
MATRIX = {
    # Practice reports: clinic admins, and practitioners for their own figures.
    "reports:index": R(LOGIN, 403, 403, 200, 200),
    "reports:utilisation": R(LOGIN, 403, 403, 200, 200),
    "reports:utilisation_gaps": R(LOGIN, 403, 403, 200, 200),
    "reports:new_patients": R(LOGIN, 403, 403, 200, 200),
    "reports:attendance": R(LOGIN, 403, 403, 200, 200),
    "reports:attendance_patients": R(LOGIN, 403, 403, 200, 200),
    "reports:retention": R(LOGIN, 403, 403, 200, 200),
    "reports:retention_patients": R(LOGIN, 403, 403, 200, 200),
    "reports:careplans": R(LOGIN, 403, 403, 200, 200),
    "reports:outcomes": R(LOGIN, 403, 403, 200, 200),
    "clinic:index": R(200, 200, 200, 200, 200),
    "clinic:home_for_role": R(302, 302, 302, 302, 302),
    "clinic:healthz": R(200, 200, 200, 200, 200),
    "clinic:language_set": R(405, 405, 405, 405, 405),  # POST only: the language switch
    "clinic:favicon": R(301, 301, 301, 301, 301),
    "clinic:practitioner_home": R(LOGIN, 403, 403, 200, 403),
    "clinic:patient_search": R(LOGIN, 403, 200, 200, 200),
    "clinic:patient_create": R(LOGIN, 403, 200, 403, 200),
    "clinic:patient_detail": R(LOGIN, 200, 200, 200, 200),
    "clinic:patient_edit": R(LOGIN, 200, 200, 403, 200),
    "clinic:patient_access_log": R(LOGIN, 403, 403, 403, 200),
    "clinic:patient_merge": R(LOGIN, 403, 403, 403, 200),
    "clinic:logout_everywhere": R(405, 405, 405, 405, 405),  # POST only
    # Families: a patient account's family page and its actions; the front desk links and unlinks.
    "clinic:family_home": R(LOGIN, 200, 403, 403, 403),
    "clinic:family_add": R(LOGIN, 405, 403, 403, 403),
    "clinic:family_act": R(LOGIN, 405, 403, 403, 403),
    "clinic:guardian_link_add": R(LOGIN, 403, 405, 403, 405),
    "clinic:guardian_link_end": R(LOGIN, 403, 405, 403, 405),
    # Records out (clinic.records): a patient's own copies and requests; clinic admins produce, release, export.
    "clinic:account_records": R(LOGIN, 200, 403, 403, 403),
    "clinic:account_record_request": R(LOGIN, 405, 403, 403, 403),
    "clinic:account_record_pdf": R(LOGIN, 200, 403, 403, 403),
    "clinic:account_request_download": R(LOGIN, 200, 403, 403, 403),
    "clinic:record_requests": R(LOGIN, 403, 403, 403, 200),
    "clinic:record_request_produce": R(LOGIN, 403, 403, 403, 200),
    "clinic:record_request_release": R(LOGIN, 403, 403, 403, 405),
    "clinic:patient_export": R(LOGIN, 403, 403, 403, 200),
    # Visit notes and the chart: practitioners write (their own notes), clinic admins read, nobody else.
    # Care plans: practitioners write; desk, admin and the patient read; the patient accepts online.
    "clinic:careplan_list": R(LOGIN, 200, 200, 200, 200),
    "clinic:careplan_new": R(LOGIN, 403, 403, 200, 403),
    "clinic:careplan_detail": R(LOGIN, 200, 200, 200, 200),
    "clinic:careplan_revise": R(LOGIN, 403, 403, 200, 403),
    "clinic:careplan_record_acceptance": R(LOGIN, 403, 403, 405, 403),
    "clinic:careplan_accept_online": R(LOGIN, 405, 403, 403, 403),
    "clinic:careplan_discharge": R(LOGIN, 403, 403, 302, 302),
    "clinic:careplan_status": R(LOGIN, 403, 403, 405, 403),
    # Outcomes and recalls: the questionnaire and opt-out links need no login (the signed token is the key);
    # the front desk's recall list and its one-click e-mail.
    "clinic:careplan_questionnaire": R(400, 400, 400, 400, 400),
    "clinic:recall_list": R(LOGIN, 403, 200, 403, 200),
    "clinic:recall_nudge": R(LOGIN, 403, 405, 403, 405),
    "clinic:recall_opt_out": R(400, 400, 400, 400, 400),
    "clinic:note_start": R(LOGIN, 403, 403, 405, 403),
    "clinic:note_detail": R(LOGIN, 403, 403, 200, 200),
    "clinic:note_edit": R(LOGIN, 403, 403, 200, 403),
    "clinic:note_autosave": R(LOGIN, 403, 403, 405, 403),
    "clinic:note_copy_forward": R(LOGIN, 403, 403, 405, 403),
    "clinic:note_apply_template": R(LOGIN, 403, 403, 405, 403),
    "clinic:note_addendum_add": R(LOGIN, 403, 403, 405, 403),
    "clinic:patient_chart": R(LOGIN, 403, 403, 200, 200),
    "scheduling:frontdesk_home": R(LOGIN, 403, 200, 200, 200),
    "scheduling:week_view": R(LOGIN, 403, 200, 200, 200),
    "scheduling:day_sheet": R(LOGIN, 403, 200, 200, 200),
    "scheduling:slot_find": R(LOGIN, 403, 200, 200, 200),
    "scheduling:patient_pick": R(LOGIN, 403, 200, 200, 200),
    "scheduling:appointment_book": R(LOGIN, 403, 200, 200, 200),
    "scheduling:appointment_detail": R(LOGIN, 403, 200, 200, 200),
    # Actions are POST only: a GET by an allowed role answers 405.
    "scheduling:appointment_move": R(LOGIN, 403, 405, 405, 405),
    "scheduling:appointment_drag_move": R(LOGIN, 403, 405, 405, 405),
    "scheduling:appointment_change_room": R(LOGIN, 403, 405, 405, 405),
    "scheduling:appointment_cancel": R(LOGIN, 403, 405, 405, 405),
    "scheduling:appointment_check_in": R(LOGIN, 403, 405, 405, 405),
    "scheduling:appointment_status": R(LOGIN, 403, 405, 405, 405),
    "scheduling:series_book": R(LOGIN, 403, 200, 200, 200),
    "scheduling:series_detail": R(LOGIN, 403, 200, 200, 200),
    "scheduling:waitlist_list": R(LOGIN, 403, 200, 200, 200),
    "scheduling:waitlist_add": R(LOGIN, 403, 200, 200, 200),
    "scheduling:waitlist_offer": R(LOGIN, 403, 405, 405, 405),
    "scheduling:waitlist_remove": R(LOGIN, 403, 405, 405, 405),
    # Public JSON; without ?type= it answers 400 with a message.
    "scheduling:availability_list": R(400, 400, 400, 400, 400),
    "scheduling:account_home": R(LOGIN, 200, 403, 403, 403),
    # For an account with no record yet; a patient who has one is sent on to their account.
    "scheduling:account_start": R(LOGIN, 302, 403, 403, 403),
    # The patient's own appointment pages; staff use the front-desk pages instead.
    "scheduling:account_appointment": R(LOGIN, 200, 403, 403, 403),
    "scheduling:account_cancel": R(LOGIN, 200, 403, 403, 403),  # asks to confirm, then POST cancels
    "scheduling:account_reschedule": R(LOGIN, 200, 403, 403, 403),
    "scheduling:account_calendar": R(LOGIN, 200, 403, 403, 403),
    "scheduling:book_start": R(200, 200, 200, 200, 200),
    # Blocking time: the desk for anyone, a practitioner for themselves (the form offers only them).
    "scheduling:time_block_add": R(LOGIN, 403, 200, 200, 200),
    # Without ?blocks= of blocks the user may see: 404.
    "scheduling:time_block_saved": R(LOGIN, 403, 404, 404, 404),
    # A practitioner's own feed page; the feed itself needs no login (its secret is the credential).
    "scheduling:calendar_feed_manage": R(LOGIN, 403, 403, 200, 403),
    "scheduling:calendar_feed": R(404, 404, 404, 404, 404),
    "scheduling:book_hold": R(405, 405, 405, 405, 405),
    # Without a chosen time in the session, confirm sends everyone back to the start of the booking.
    "scheduling:book_confirm": R(302, 302, 302, 302, 302),
    "intake:intake_home": R(LOGIN, 200, 403, 403, 403),
    "intake:intake_start": R(LOGIN, 405, 403, 403, 403),
    "intake:intake_step": R(LOGIN, 200, 403, 403, 403),
    "intake:intake_submit": R(LOGIN, 405, 403, 403, 403),
    "intake:consent_sign": R(LOGIN, 200, 403, 403, 403),
    "intake:consent_withdraw": R(LOGIN, 405, 403, 403, 403),
    "intake:consent_print": R(LOGIN, 200, 200, 200, 200),
    "intake:invitation_accept": R(400, 400, 400, 400, 400),
    "intake:submission_detail": R(LOGIN, 200, 403, 200, 200),
    "intake:intake_status_list": R(LOGIN, 403, 200, 200, 200),
    "intake:patient_intake_status": R(LOGIN, 403, 200, 200, 200),
    "intake:invitation_send": R(LOGIN, 403, 405, 405, 405),
    "intake:invitation_revoke": R(LOGIN, 403, 405, 405, 405),
    "intake:intake_summary": R(LOGIN, 403, 403, 200, 200),
    "intake:red_flags_review": R(LOGIN, 403, 403, 405, 403),
    "intake:consent_discussed": R(LOGIN, 403, 403, 405, 403),
    "intake:urgent_alert_handle": R(LOGIN, 403, 405, 405, 405),
}


# GET URLs that show patient data: every role that gets 200 in MATRIX must leave exactly one audit row about
# patient A (tests/walks/test_security_generic.py). Add each new patient-data page here.
PHI_URLS = {
    "clinic:patient_detail",
    "clinic:patient_access_log",
    "scheduling:appointment_detail",
    "intake:submission_detail",
    "intake:intake_summary",
    "intake:consent_print",
    "clinic:note_detail",
    "clinic:note_edit",
    "clinic:patient_chart",
    "intake:intake_home",
    "intake:intake_step",
    "intake:consent_sign",
    "intake:patient_intake_status",
    "scheduling:series_detail",
    "scheduling:account_home",
    "scheduling:account_appointment",
    "scheduling:account_reschedule",
    "scheduling:account_calendar",
    "clinic:account_records",
    "clinic:patient_export",
}

# GET pages that list many patients (calendars, waitlist, intake status list): exactly one "view" audit row,
# about no single patient.
PHI_LIST_URLS = {
    "reports:attendance_patients",
    "reports:retention_patients",
    "scheduling:frontdesk_home",
    "scheduling:week_view",
    "scheduling:day_sheet",
    "scheduling:waitlist_list",
    "intake:intake_status_list",
    "clinic:record_requests",
    "clinic:recall_list",
}


def url_names():
    names = []

    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = p.namespace or namespace
                walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name and namespace in OUR_NAMESPACES:
                names.append(f"{namespace}:{p.name}")

    walk(get_resolver().url_patterns, None)
    return sorted(set(names))


def test_every_url_has_a_row():
    missing = [name for name in url_names() if name not in MATRIX]
    assert not missing, f"add these URL names to MATRIX in {__file__}: {missing}"


@pytest.fixture
def cast(patient_a, patient_b, front_desk, practitioner_a, clinic_admin):
    return {
        "anonymous": None,
        "patient": patient_a.user,
        "front_desk": front_desk,
        "practitioner": practitioner_a.user,
        "admin": clinic_admin,
        "objects": {"patient": patient_a, **scheduling_objects(patient_a, practitioner_a)},
    }


def scheduling_objects(patient, practitioner):
    from scheduling.models import CarePlanSeries, WaitlistEntry
    from tests.scheduling.factories import AppointmentFactory, AppointmentTypeFactory

    appointment = AppointmentFactory(patient=patient, practitioner=practitioner)
    series = CarePlanSeries.objects.create(
        patient=patient,
        practitioner=practitioner,
        appointment_type=appointment.appointment_type,
        first_date=appointment.start.date(),
        weeks=1,
        weekdays="0",
        time_of_day=appointment.start.time(),
    )
    entry = WaitlistEntry.objects.create(
        patient=patient,
        appointment_type=AppointmentTypeFactory(),
        earliest_date=appointment.start.date(),
        latest_date=appointment.start.date(),
    )
    from clinic.notes import services as note_services

    note = note_services.note_start(appointment=appointment, actor=practitioner.user)
    from clinic.careplans import services as careplan_services

    careplan = careplan_services.careplan_propose(
        patient=patient, practitioner=practitioner, actor=practitioner.user, phases=[{"visits_per_week": 1, "weeks": 1}]
    )
    return {"appointment": appointment, "series": series, "waitlist": entry, "note": note, "careplan": careplan}


# URL kwargs for patterns that take them, built from the cast's objects (patient A's rows).
def _naming(row: str, *names: str) -> dict:
    """URL kwargs for pages that take one id: the cast's `row`."""
    return dict.fromkeys(names, lambda o: {"pk": o[row].pk})


URL_KWARGS = {
    "clinic:patient_detail": lambda o: {"pk": o["patient"].pk},
    "clinic:patient_edit": lambda o: {"pk": o["patient"].pk},
    "clinic:patient_access_log": lambda o: {"pk": o["patient"].pk},
    "clinic:guardian_link_add": lambda o: {"pk": o["patient"].pk},
    "clinic:guardian_link_end": lambda o: {"pk": o["patient"].pk, "link_pk": guardian_link(o["patient"]).pk},
    "clinic:patient_merge": lambda o: {"pk": o["patient"].pk},
    "intake:intake_step": lambda o: {"step": intake_draft(o["patient"]).current_step},
    "intake:consent_withdraw": lambda o: {"pk": intake_signature(o["patient"]).pk},
    "intake:consent_print": lambda o: {"pk": intake_signature(o["patient"]).pk},
    "intake:invitation_accept": lambda o: {"token": "not-a-valid-token"},
    "scheduling:calendar_feed": lambda o: {"token": "not-a-valid-token"},
    "intake:submission_detail": lambda o: {"pk": intake_submitted(o["patient"]).pk},
    "intake:patient_intake_status": lambda o: {"pk": o["patient"].pk},
    "intake:invitation_send": lambda o: {"pk": o["patient"].pk},
    "intake:invitation_revoke": lambda o: {"pk": intake_invitation(o["patient"]).pk},
    "intake:intake_summary": lambda o: {"pk": o["patient"].pk},
    "intake:red_flags_review": lambda o: {"pk": intake_red_flags(o["patient"]).pk},
    "intake:consent_discussed": lambda o: {"pk": intake_signature(o["patient"]).pk},
    "intake:urgent_alert_handle": lambda o: {"pk": intake_urgent_alert(o["patient"]).pk},
    "clinic:note_start": lambda o: {"pk": o["appointment"].pk},
    **_naming(
        "note",
        "clinic:note_detail",
        "clinic:note_edit",
        "clinic:note_autosave",
        "clinic:note_copy_forward",
        "clinic:note_apply_template",
        "clinic:note_addendum_add",
    ),
    "clinic:patient_chart": lambda o: {"pk": o["patient"].pk},
    **_naming("appointment", *(f"scheduling:{name}" for name in APPOINTMENT_URLS)),
    "scheduling:series_detail": lambda o: {"pk": o["series"].pk},
    "clinic:account_record_pdf": lambda o: {"kind": "consent", "pk": own_signature(o["patient"]).pk},
    "clinic:account_request_download": lambda o: {"pk": released_request(o["patient"]).pk},
    "clinic:record_request_produce": lambda o: {"pk": released_request(o["patient"]).pk},
    "clinic:record_request_release": lambda o: {"pk": released_request(o["patient"]).pk},
    "clinic:patient_export": lambda o: {"pk": o["patient"].pk},
    "clinic:careplan_list": lambda o: {"pk": o["careplan"].patient_id},
    "clinic:careplan_new": lambda o: {"pk": o["careplan"].patient_id},
    **_naming(
        "careplan",
        "clinic:careplan_detail",
        "clinic:careplan_revise",
        "clinic:careplan_record_acceptance",
        "clinic:careplan_accept_online",
        "clinic:careplan_discharge",
    ),
    "clinic:careplan_status": lambda o: {"pk": o["careplan"].pk, "status": "active"},
    "clinic:careplan_questionnaire": lambda o: {"token": "not-a-valid-token"},
    "clinic:recall_nudge": lambda o: {"pk": o["patient"].pk},
    "clinic:recall_opt_out": lambda o: {"token": "not-a-valid-token"},
    "scheduling:waitlist_offer": lambda o: {"pk": o["waitlist"].pk, "appointment_pk": o["appointment"].pk},
    "scheduling:waitlist_remove": lambda o: {"pk": o["waitlist"].pk},
}


def guardian_link(patient):
    """A parent's account linked to the patient's record (another login: patient B never acts for A)."""
    from clinic.models import GuardianLink
    from tests.clinic.factories import UserFactory

    link = GuardianLink.objects.filter(dependant=patient).first()
    return link or GuardianLink.objects.create(guardian=UserFactory(), dependant=patient, relationship="mother")


def own_signature(patient):
    from intake.models import ConsentSignature, ConsentVersion
    from tests.intake import factories

    existing = ConsentSignature.objects.filter(patient=patient, version__version=7).first()
    version = ConsentVersion.objects.filter(version=7).first() or factories.consent_version(7, active=False)
    return existing or ConsentSignature.objects.create(
        patient=patient,
        version=version,
        text_sha256=version.sha256,
        signer_name="A",
        signer_role="patient",
        cervical_consent=False,
    )


def released_request(patient):
    from django.utils import timezone

    from clinic.models import RecordRequest

    return RecordRequest.objects.create(patient=patient, requested_by=patient.user, released_at=timezone.now())


def intake_draft(patient):
    from tests.intake import factories

    return factories.draft(patient)


def intake_submitted(patient):
    from tests.intake import factories

    factories.load_questionnaires()
    return factories.submitted(patient)


def intake_invitation(patient):
    from intake import services
    from tests.clinic.factories import UserFactory

    sender = UserFactory(roles=["Front desk"])
    return services.invitation_send(patient=patient, email="a@example.com", actor=sender)[0]


def intake_signature(patient):
    from tests.intake import factories

    return factories.sign(patient, factories.consent_version())


def intake_red_flags(patient):
    from tests.intake import factories

    factories.load_questionnaires()
    return factories.submitted(patient, flags=("night_pain",)).red_flag_review


def intake_urgent_alert(patient):
    from tests.intake import factories

    factories.load_questionnaires()
    return factories.submitted(patient, flags=("saddle_bladder",)).urgent_alerts.get()


def kwargs_for(name, cast):
    return URL_KWARGS[name](cast["objects"]) if name in URL_KWARGS else {}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_role_gets_expected_status(client, cast, name, role):
    user = cast[role]
    if user is not None:
        client.force_login(user)
    response = client.get(reverse(name, kwargs=kwargs_for(name, cast)))
    expected = MATRIX[name][role]
    assert response.status_code == expected, f"{role} GET {name}: {response.status_code}, expected {expected}"
    if role == "anonymous" and expected == LOGIN and name not in ("clinic:home_for_role", "scheduling:book_confirm"):
        assert response["Location"].startswith(reverse("account_login"))
