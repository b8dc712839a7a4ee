"""Pages of the clinical record: My day, the note (edit, autosave, sign, addenda, copy forward, templates),
the chart, and who may see what (front desk sees a note's state, never its content)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.models import AuditEvent, BlockLandmark, NoteAddendum, NoteTemplate, VisitNote
from tests.clinic import note_factories as nf
from tests.clinic.factories import PatientFactory, RoomFactory
from tests.intake import factories as intake_factories
from tests.scheduling.factories import AppointmentTypeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

SECRET_COMPLAINT = "Zebra-striped shoulder ache"
SECRET_ASSESSMENT = "Quokka pattern assessment"


def login(client, user):
    client.force_login(user)
    return client


# --- My day ---------------------------------------------------------------------------------------------------


def test_my_day_lists_todays_appointments_in_order_with_markers_and_notes(client, patient_a, patient_b, practitioner_a):
    intake_factories.load_questionnaires()
    intake_factories.submitted(patient_b, flags=("night_pain",))
    later = nf.appointment(patient_a, practitioner_a, start=nf.at(0, 11), status="booked")
    earlier = nf.appointment(patient_b, practitioner_a, start=nf.at(0, 9), status="booked")
    nf.appointment(patient_a, practitioner_a, start=nf.at(1, 9), status="booked")  # tomorrow: not listed
    from clinic.notes import services

    note = services.note_start(appointment=earlier, actor=practitioner_a.user)
    response = login(client, practitioner_a.user).get(reverse("clinic:practitioner_home"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r.appointment.pk for r in rows] == [earlier.pk, later.pk]
    body = response.content.decode()
    assert body.index("Bruno Berg") < body.index("Alice Arnold")
    assert "Red flags: review before treatment" in body and "New patient" in body
    assert "Intake submitted" in body and "Intake not started" in body
    assert reverse("clinic:note_edit", args=[note.pk]) in body
    assert reverse("clinic:note_start", args=[later.pk]) in body
    assert [n.pk for n in response.context["unsigned"]] == [note.pk]


def test_my_day_lists_unsigned_notes_oldest_first(client, patient_a, practitioner_a, practitioner_b):
    newer = nf.draft(patient_a, practitioner_a, start=nf.at(-1, 9))
    older = nf.draft(patient_a, practitioner_a, start=nf.at(-5, 9))
    nf.signed(patient_a, practitioner_a, start=nf.at(-3, 9))
    nf.draft(patient_a, practitioner_b, start=nf.at(-2, 9))  # someone else's
    response = login(client, practitioner_a.user).get(reverse("clinic:practitioner_home"))
    assert [n.pk for n in response.context["unsigned"]] == [older.pk, newer.pk]


def _fill_day(practitioner, count):
    appointment_type = AppointmentTypeFactory(duration=dt.timedelta(minutes=5))
    room = RoomFactory()
    start = nf.at(0, 7)
    for index in range(count):
        patient = PatientFactory()
        appt = nf.appointment(
            patient,
            practitioner,
            start=start + dt.timedelta(minutes=6 * index),
            status="booked",
            room=room,
            appointment_type=appointment_type,
        )
        if index % 3 == 0:
            from clinic.notes import services

            services.note_start(appointment=appt, actor=practitioner.user)


def _queries_for_my_day(client, user):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("clinic:practitioner_home")).status_code == 200
    return len(queries)


def test_my_day_query_count_does_not_grow_with_appointments(client, practitioner_a, practitioner_b):
    login(client, practitioner_a.user)
    _fill_day(practitioner_a, 5)
    few = _queries_for_my_day(client, practitioner_a.user)
    client.force_login(practitioner_b.user)
    _fill_day(practitioner_b, 50)
    many = _queries_for_my_day(client, practitioner_b.user)
    assert len(client.get(reverse("clinic:practitioner_home")).context["rows"]) == 50
    assert few == many, f"5 appointments: {few} queries, 50 appointments: {many}"


def test_my_day_wrong_method_and_wrong_role(client, practitioner_a, front_desk):
    assert login(client, practitioner_a.user).post(reverse("clinic:practitioner_home")).status_code == 405
    assert login(client, front_desk).get(reverse("clinic:practitioner_home")).status_code == 403


# --- Starting and editing a note --------------------------------------------------------------------------------


def test_start_note_from_my_day(client, patient_a, practitioner_a):
    appt = nf.appointment(patient_a, practitioner_a, status="checked_in")
    response = login(client, practitioner_a.user).post(reverse("clinic:note_start", args=[appt.pk]))
    note = VisitNote.objects.get(appointment=appt)
    assert response.status_code == 302 and response["Location"] == reverse("clinic:note_edit", args=[note.pk])
    assert client.get(reverse("clinic:note_start", args=[appt.pk])).status_code == 405


def test_start_note_for_another_practitioners_appointment_is_404(client, patient_a, practitioner_a, practitioner_b):
    appt = nf.appointment(patient_a, practitioner_a)
    response = login(client, practitioner_b.user).post(reverse("clinic:note_start", args=[appt.pk]))
    assert response.status_code == 404 and not VisitNote.objects.exists()
    assert AuditEvent.objects.filter(action="denied", patient=patient_a).exists()


def test_edit_page_saves_the_draft_with_rows(client, patient_a, practitioner_a):
    note = nf.draft(patient_a, practitioner_a)
    url = reverse("clinic:note_edit", args=[note.pk])
    assert login(client, practitioner_a.user).get(url).status_code == 200
    data = nf.post_data(
        note,
        chief_complaint="Low back pain",
        pain_today="4",
        sot_category="II",
        rows={
            "occipital_fibers": [{"line": "2", "area": "3", "level": "T6", "side": "left"}, {}],
            "block_placements": [
                {"block": "1", "side": "right", "landmark": "Acetabulum", "position": "supine", "minutes": "10"},
                {"block": "2", "side": "left", "landmark": "Iliac crest", "position": "supine", "minutes": "10"},
            ],
            "cmrt_levels": [{"level": "T6", "note": "reflex"}],
        },
    )
    data["action"] = "save"
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == url
    note.refresh_from_db()
    assert note.pain_today == 4 and note.sot_category == "II"
    assert note.occipital_fibers == [{"line": 2, "area": 3, "level": "T6", "side": "left"}]
    assert [b["landmark"] for b in note.block_placements] == ["Acetabulum", "Iliac crest"]
    assert note.cmrt_levels == [{"level": "T6", "note": "reflex"}]
    assert note.status == "draft"


def test_half_filled_row_and_bad_pain_get_field_errors(client, patient_a, practitioner_a):
    note = nf.draft(patient_a, practitioner_a)
    data = nf.post_data(note, pain_today="11", rows={"block_placements": [{"block": "1", "side": "left"}]})
    response = login(client, practitioner_a.user).post(reverse("clinic:note_edit", args=[note.pk]), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Complete this row or clear it." in body
    assert "Ensure this value is less than or equal to 10." in body


def test_edit_by_another_practitioner_is_404_and_by_front_desk_403(
    client, patient_a, practitioner_a, practitioner_b, front_desk
):
    note = nf.draft(patient_a, practitioner_a)
    url = reverse("clinic:note_edit", args=[note.pk])
    assert login(client, practitioner_b.user).get(url).status_code == 404
    assert login(client, practitioner_b.user).post(url, nf.post_data(note, assessment="x")).status_code == 404
    assert login(client, front_desk).get(url).status_code == 403
    assert client.put(url).status_code in {403, 405}


def test_sign_from_the_edit_page_locks_the_note(client, patient_a, practitioner_a):
    note = nf.draft(patient_a, practitioner_a)
    url = reverse("clinic:note_edit", args=[note.pk])
    data = nf.post_data(note, chief_complaint="Low back pain", sot_category="I", assessment=SECRET_ASSESSMENT)
    data["action"] = "sign"
    response = login(client, practitioner_a.user).post(url, data)
    assert response.status_code == 302 and response["Location"] == reverse("clinic:note_detail", args=[note.pk])
    note.refresh_from_db()
    assert note.is_signed and note.assessment == SECRET_ASSESSMENT and note.hash_matches()
    # The edit page now sends to the signed note; a post changes nothing.
    assert client.get(url).status_code == 302
    changed = nf.post_data(note, assessment="rewritten")
    assert client.post(url, changed).status_code == 302
    note.refresh_from_db()
    assert note.assessment == SECRET_ASSESSMENT


def test_sign_without_category_shows_why(client, patient_a, practitioner_a):
    note = nf.draft(patient_a, practitioner_a)
    data = nf.post_data(note, chief_complaint="Back")
    data["action"] = "sign"
    response = login(client, practitioner_a.user).post(reverse("clinic:note_edit", args=[note.pk]), data)
    assert response.status_code == 400
    assert "Choose the SOT category" in response.content.decode()
    note.refresh_from_db()
    assert note.status == "draft" and note.chief_complaint == "Back"  # the draft itself was saved


def test_cervical_procedure_without_cervical_consent_is_refused_with_the_reason(client, patient_a, practitioner_a):
    intake_factories.sign(patient_a, intake_factories.consent_version(), cervical=False)
    note = nf.draft(patient_a, practitioner_a)
    url = reverse("clinic:note_edit", args=[note.pk])
    page = login(client, practitioner_a.user).get(url).content.decode()
    assert "does not include neck (cervical) procedures" in page  # said before anyone tries
    response = client.post(url, nf.post_data(note, cervical_adjustment="thrust"))
    assert response.status_code == 400
    assert "A cervical (neck) procedure cannot be recorded" in response.content.decode()
    note.refresh_from_db()
    assert note.cervical_adjustment == ""


def test_cervical_procedure_with_cervical_consent_is_saved(client, patient_a, practitioner_a):
    signature = intake_factories.sign(patient_a, intake_factories.consent_version(), cervical=True)
    note = nf.draft(patient_a, practitioner_a)
    response = login(client, practitioner_a.user).post(
        reverse("clinic:note_edit", args=[note.pk]), nf.post_data(note, cervical_adjustment="non_thrust")
    )
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.cervical_adjustment == "non_thrust" and note.consent_signature_id == signature.pk


# --- Autosave -------------------------------------------------------------------------------------------------


def test_autosave_saves_the_draft_and_answers_json(client, patient_a, practitioner_a):
    note = nf.draft(patient_a, practitioner_a)
    url = reverse("clinic:note_autosave", args=[note.pk])
    response = login(client, practitioner_a.user).post(url, nf.post_data(note, assessment="typed so far"))
    assert response.status_code == 200 and response.json()["saved"] is True
    note.refresh_from_db()
    assert note.assessment == "typed so far"
    assert AuditEvent.objects.filter(object_id=str(note.pk), detail="draft autosaved").count() == 1
    assert client.get(url).status_code == 405


def test_autosave_of_invalid_or_signed_note_saves_nothing(client, patient_a, practitioner_a, practitioner_b):
    note = nf.draft(patient_a, practitioner_a)
    url = reverse("clinic:note_autosave", args=[note.pk])
    response = login(client, practitioner_a.user).post(url, nf.post_data(note, pain_today="99"))
    assert response.status_code == 400 and response.json()["saved"] is False
    assert login(client, practitioner_b.user).post(url, nf.post_data(note)).status_code == 404
    signed = nf.signed(patient_a, practitioner_a, start=nf.at(-1, 9))
    response = login(client, practitioner_a.user).post(
        reverse("clinic:note_autosave", args=[signed.pk]), nf.post_data(signed, assessment="late")
    )
    assert response.status_code == 409
    signed.refresh_from_db()
    assert signed.assessment == ""


# --- Copy forward and templates through the pages -------------------------------------------------------------


def test_copy_forward_button(client, patient_a, practitioner_a, practitioner_b):
    nf.signed(patient_a, practitioner_a, start=nf.at(-7, 9), plan="Weekly")
    note = nf.draft(patient_a, practitioner_a)
    url = reverse("clinic:note_copy_forward", args=[note.pk])
    assert login(client, practitioner_b.user).post(url).status_code == 404
    response = login(client, practitioner_a.user).post(url)
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.plan == "Weekly"
    assert client.get(url).status_code == 405


def test_template_button(client, patient_a, practitioner_a):
    template = NoteTemplate.objects.create(name="Cat I", sot_category="I", plan="Template plan")
    note = nf.draft(patient_a, practitioner_a)
    url = reverse("clinic:note_apply_template", args=[note.pk])
    page = login(client, practitioner_a.user).get(reverse("clinic:note_edit", args=[note.pk])).content.decode()
    assert "Cat I" in page
    assert client.post(url, {"template": "not-a-number"}).status_code == 302  # message, no 500
    assert client.post(url, {"template": template.pk}).status_code == 302
    note.refresh_from_db()
    assert note.plan == "Template plan"


# --- Reading notes, addenda -----------------------------------------------------------------------------------


def test_signed_note_shows_content_hash_and_addenda(client, patient_a, practitioner_a, practitioner_b):
    note = nf.signed(patient_a, practitioner_a, assessment=SECRET_ASSESSMENT)
    url = reverse("clinic:note_addendum_add", args=[note.pk])
    response = login(client, practitioner_b.user).post(url, {"text": "Reviewed the X-ray report."})
    assert response.status_code == 302
    page = client.get(reverse("clinic:note_detail", args=[note.pk])).content.decode()
    assert SECRET_ASSESSMENT in page and note.content_sha256 in page
    assert "Reviewed the X-ray report." in page and "Add an addendum" in page
    assert client.get(url).status_code == 405


def test_empty_addendum_gets_a_field_error(client, patient_a, practitioner_a):
    note = nf.signed(patient_a, practitioner_a)
    response = login(client, practitioner_a.user).post(
        reverse("clinic:note_addendum_add", args=[note.pk]), {"text": ""}
    )
    assert response.status_code == 400 and not NoteAddendum.objects.exists()


def test_clinic_admin_reads_notes_but_cannot_write(client, patient_a, practitioner_a, clinic_admin):
    note = nf.signed(patient_a, practitioner_a, assessment=SECRET_ASSESSMENT)
    login(client, clinic_admin)
    page = client.get(reverse("clinic:note_detail", args=[note.pk]))
    assert page.status_code == 200 and SECRET_ASSESSMENT in page.content.decode()
    assert "Add an addendum" not in page.content.decode()
    assert client.post(reverse("clinic:note_addendum_add", args=[note.pk]), {"text": "x"}).status_code == 403
    assert not NoteAddendum.objects.exists()


def test_front_desk_sees_that_a_note_exists_never_its_content(client, patient_a, practitioner_a, front_desk):
    signed = nf.signed(
        patient_a, practitioner_a, start=nf.at(-7, 9), chief_complaint=SECRET_COMPLAINT, assessment=SECRET_ASSESSMENT
    )
    nf.draft(patient_a, practitioner_a, plan="Secret plan words")
    login(client, front_desk)
    response = client.get(reverse("clinic:patient_detail", args=[patient_a.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Signed 1 Jun 2026" in body and "Draft, not signed" in body
    for secret in (SECRET_COMPLAINT, SECRET_ASSESSMENT, "Secret plan words", signed.content_sha256):
        assert secret not in body
    for name in ("clinic:note_detail", "clinic:note_edit"):
        assert client.get(reverse(name, args=[signed.pk])).status_code == 403
    assert client.get(reverse("clinic:patient_chart", args=[patient_a.pk])).status_code == 403


def test_patient_never_sees_their_notes_content(client, patient_a, practitioner_a):
    note = nf.signed(patient_a, practitioner_a, assessment=SECRET_ASSESSMENT)
    login(client, patient_a.user)
    assert client.get(reverse("clinic:note_detail", args=[note.pk])).status_code == 403
    body = client.get(reverse("clinic:patient_detail", args=[patient_a.pk])).content.decode()
    assert SECRET_ASSESSMENT not in body and "Visit notes" not in body


def test_unknown_note_is_404(client, practitioner_a):
    assert login(client, practitioner_a.user).get(reverse("clinic:note_detail", args=[999999])).status_code == 404


def test_reading_a_note_is_audited(client, patient_a, practitioner_a, clinic_admin):
    note = nf.signed(patient_a, practitioner_a)
    login(client, clinic_admin).get(reverse("clinic:note_detail", args=[note.pk]))
    event = AuditEvent.objects.filter(action="view", object_type="clinic.VisitNote").get()
    assert (event.actor, event.patient, event.object_id) == (clinic_admin, patient_a, str(note.pk))


# --- The chart ------------------------------------------------------------------------------------------------


def test_chart_with_no_data_draws_empty_trends(client, patient_a, practitioner_a):
    response = login(client, practitioner_a.user).get(reverse("clinic:patient_chart", args=[patient_a.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "No pain ratings recorded yet" in body and "No NDI or ODI scores yet" in body
    assert "No visit notes yet" in body and "No submitted intake" in body


def test_chart_shows_alerts_consent_intake_visits_and_trends(client, patient_a, practitioner_a, clinic_admin):
    from intake import services as intake_services
    from intake.forms import STEP_FORMS

    intake_factories.load_questionnaires()
    submission = intake_factories.draft(patient_a, steps=("about", "visit"))
    health = dict(intake_factories.HEALTH, anticoagulants="yes", allergies="Penicillin")
    form = STEP_FORMS["health"](data=health)
    assert form.is_valid()
    submission = intake_services.intake_save_step(submission=submission, step="health", answers=form.cleaned_data)
    form = STEP_FORMS["redflags"](data=intake_factories.red_flags("night_pain"))
    assert form.is_valid()
    submission = intake_services.intake_save_step(submission=submission, step="redflags", answers=form.cleaned_data)
    submission = intake_services.intake_save_step(
        submission=submission, step="outcome", answers=intake_factories.outcome_answers()
    )
    intake_services.intake_submit(submission=submission)
    intake_factories.sign(patient_a, intake_factories.consent_version(), cervical=True)
    for offset, pain in ((-21, 7), (-14, 5), (-7, 3)):
        note = nf.draft(
            patient_a, practitioner_a, start=nf.at(offset, 9), pain_today=pain, assessment=f"visit {offset}"
        )
    login(client, clinic_admin)
    response = client.get(reverse("clinic:patient_chart", args=[patient_a.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Penicillin" in body and "Red flags not reviewed" in body and "Anticoagulants" in body
    assert "Consent current" in body and "visit -7" in body
    assert reverse("clinic:note_detail", args=[note.pk]) in body
    assert body.count("<svg") == 2
    assert 'data-points="4"' in body  # three notes and the intake's pain
    assert 'data-points="1"' in body  # one NDI score
    assert AuditEvent.objects.filter(action="view", detail="chart", patient=patient_a).count() == 1


def test_chart_wrong_method_and_roles(client, patient_a, patient_b, practitioner_a, front_desk):
    url = reverse("clinic:patient_chart", args=[patient_a.pk])
    assert login(client, practitioner_a.user).post(url).status_code == 405
    assert login(client, patient_a.user).get(url).status_code == 403
    assert login(client, patient_b.user).get(url).status_code == 403
    assert login(client, practitioner_a.user).get(reverse("clinic:patient_chart", args=[999999])).status_code == 404


def _view_rows(note):
    return list(
        AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, object_id=str(note.pk)).values_list(
            "object_type", "detail"
        )
    )


def test_a_draft_shown_again_with_its_errors_is_a_read_and_audited(client, patient_a, practitioner_a):
    note = nf.draft(patient_a, practitioner_a)
    data = nf.post_data(note, pain_today="11")
    assert login(client, practitioner_a.user).post(reverse("clinic:note_edit", args=[note.pk]), data).status_code == 400
    assert _view_rows(note) == [("clinic.VisitNote", "note edit")]


def test_a_note_shown_again_with_the_addendums_errors_is_a_read_and_audited(client, patient_a, practitioner_a):
    note = nf.signed(patient_a, practitioner_a)
    url = reverse("clinic:note_addendum_add", args=[note.pk])
    assert login(client, practitioner_a.user).post(url, {"text": ""}).status_code == 400
    assert _view_rows(note) == [("clinic.VisitNote", "")]


def test_a_draft_with_a_landmark_retired_since_is_saved_as_it_stands(client, patient_a, practitioner_a):
    """The clinic retires a landmark a draft already uses: the draft still saves (it used to be refused with
    "Select a valid choice"), and a new note does not offer the retired landmark."""
    BlockLandmark.objects.get_or_create(name="Old crest", defaults={"position": 99})
    row = {"block": 1, "side": "left", "landmark": "Old crest", "position": "prone", "minutes": 2}
    note = nf.draft(patient_a, practitioner_a, block_placements=[row])
    BlockLandmark.objects.filter(name="Old crest").update(active=False)
    data = nf.post_data(note, chief_complaint="Still sore")
    response = login(client, practitioner_a.user).post(reverse("clinic:note_edit", args=[note.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    note.refresh_from_db()
    assert note.chief_complaint == "Still sore" and note.block_placements[0]["landmark"] == "Old crest"
    other = nf.draft(patient_a, practitioner_a, start=nf.at(1, 9))
    assert "Old crest" not in client.get(reverse("clinic:note_edit", args=[other.pk])).content.decode()
