"""Visit-note services: the lifecycle (draft, sign, addendum), the cervical-consent rule, copy forward,
templates, red flags, and the PostgreSQL trigger that keeps signed notes as they were signed."""

import pytest
from django.db import DatabaseError, transaction

from clinic.models import AuditEvent, NoteAddendum, NoteTemplate, VisitNote
from clinic.notes import services
from clinic.notes.services import NoteError
from intake import services as intake_services
from intake.models import RedFlagReview
from tests.clinic import note_factories as nf
from tests.conftest import requires_postgres
from tests.intake import factories as intake_factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def consent(patient_a):
    """Patient A's current consent, covering neck procedures."""
    return intake_factories.sign(patient_a, intake_factories.consent_version(), cervical=True)


# --- Lifecycle -----------------------------------------------------------------------------------------------


def test_start_creates_one_draft_per_appointment_with_the_intake_complaint(patient_a, practitioner_a):
    intake_factories.load_questionnaires()
    intake_factories.submitted(patient_a)
    appointment = nf.appointment(patient_a, practitioner_a)
    note = services.note_start(appointment=appointment, actor=practitioner_a.user)
    again = services.note_start(appointment=appointment, actor=practitioner_a.user)
    assert note.pk == again.pk and VisitNote.objects.count() == 1
    assert note.status == "draft" and note.chief_complaint == "Stiff neck"
    assert note.progress == "first"
    assert note.outcome_score is not None  # the intake's NDI
    assert AuditEvent.objects.filter(action="create", object_type="clinic.VisitNote", patient=patient_a).count() == 1


def test_start_by_another_practitioner_is_refused(patient_a, practitioner_a, practitioner_b):
    appointment = nf.appointment(patient_a, practitioner_a)
    with pytest.raises(NoteError, match="Only the practitioner seeing the patient"):
        services.note_start(appointment=appointment, actor=practitioner_b.user)


@pytest.mark.parametrize("status", ["cancelled", "no_show"])
def test_start_for_a_visit_that_did_not_happen_is_refused(patient_a, practitioner_a, status):
    appointment = nf.appointment(patient_a, practitioner_a, status=status)
    with pytest.raises(NoteError, match="no visit to write a note for"):
        services.note_start(appointment=appointment, actor=practitioner_a.user)


def test_draft_sign_addendum_lifecycle(patient_a, practitioner_a, practitioner_b, frozen):
    note = nf.draft(patient_a, practitioner_a, chief_complaint="Low back pain", pain_today=6, sot_category="II")
    note = services.note_save_draft(
        note=note,
        actor=practitioner_a.user,
        changes={
            "assessment": "Category II pattern",
            "block_placements": [
                {"block": 1, "side": "left", "landmark": "Acetabulum", "position": "supine", "minutes": 10}
            ],
        },
    )
    frozen.shift(600)
    signed = services.note_sign(note=note, actor=practitioner_a.user)
    assert signed.status == "signed" and signed.signed_by == practitioner_a.user
    assert signed.signed_at is not None and len(signed.content_sha256) == 64
    assert signed.hash_matches()
    stored = VisitNote.objects.get(pk=note.pk)
    assert stored.hash_matches() and stored.block_placements[0]["landmark"] == "Acetabulum"

    # Nothing signed changes: not by the author, not by signing again.
    with pytest.raises(NoteError, match=r"can no longer be changed\. Add an addendum instead"):
        services.note_save_draft(note=stored, actor=practitioner_a.user, changes={"assessment": "changed"})
    with pytest.raises(NoteError, match="can no longer be changed"):
        services.note_sign(note=stored, actor=practitioner_a.user)
    assert VisitNote.objects.get(pk=note.pk).assessment == "Category II pattern"

    # Addenda: any practitioner, shown in order; the note itself is untouched.
    services.note_addendum_add(note=stored, actor=practitioner_a.user, text="Patient phoned: sore for a day.")
    services.note_addendum_add(note=stored, actor=practitioner_b.user, text="Seen by covering practitioner.")
    assert [a.text for a in VisitNote.objects.get(pk=note.pk).addenda.all()] == [
        "Patient phoned: sore for a day.",
        "Seen by covering practitioner.",
    ]
    assert VisitNote.objects.get(pk=note.pk).hash_matches()
    actions = list(AuditEvent.objects.filter(patient=patient_a).values_list("action", flat=True))
    assert {"create", "update", "sign"} <= set(actions)


def test_hash_changes_when_content_changes(patient_a, practitioner_a):
    note = nf.signed(patient_a, practitioner_a)
    assert note.hash_matches()
    note.assessment = "quietly changed"
    assert not note.hash_matches()


def test_addendum_on_a_draft_is_refused(patient_a, practitioner_a):
    note = nf.draft(patient_a, practitioner_a)
    with pytest.raises(NoteError, match="still a draft"):
        services.note_addendum_add(note=note, actor=practitioner_a.user, text="x")


def test_empty_addendum_is_refused(patient_a, practitioner_a):
    note = nf.signed(patient_a, practitioner_a)
    with pytest.raises(NoteError):
        services.note_addendum_add(note=note, actor=practitioner_a.user, text="   ")
    assert not NoteAddendum.objects.exists()


def test_only_the_author_changes_a_draft(patient_a, practitioner_a, practitioner_b):
    note = nf.draft(patient_a, practitioner_a)
    with pytest.raises(NoteError, match="Only the practitioner who wrote this note"):
        services.note_save_draft(note=note, actor=practitioner_b.user, changes={"assessment": "x"})


def test_signing_needs_a_complaint_and_a_category(patient_a, practitioner_a):
    note = nf.draft(patient_a, practitioner_a)
    with pytest.raises(NoteError) as caught:
        services.note_sign(note=note, actor=practitioner_a.user)
    assert set(caught.value.message_dict) == {"chief_complaint", "sot_category"}
    assert VisitNote.objects.get(pk=note.pk).status == "draft"


def test_unknown_field_is_refused(patient_a, practitioner_a):
    note = nf.draft(patient_a, practitioner_a)
    with pytest.raises(NoteError, match="Not part of a visit note: signed_at"):
        services.note_save_draft(note=note, actor=practitioner_a.user, changes={"signed_at": None})


def test_malformed_rows_are_refused_by_validation(patient_a, practitioner_a):
    note = nf.draft(patient_a, practitioner_a)
    with pytest.raises(NoteError) as caught:
        services.note_save_draft(
            note=note, actor=practitioner_a.user, changes={"block_placements": [{"block": 3, "side": "left"}]}
        )
    assert "block must be 1 or 2" in str(caught.value)


# --- Red flags ------------------------------------------------------------------------------------------------


def test_open_red_flags_block_signing_until_reviewed_in_the_note(patient_a, practitioner_a):
    intake_factories.load_questionnaires()
    intake_factories.submitted(patient_a, flags=("night_pain",))
    note = nf.draft(patient_a, practitioner_a, chief_complaint="Neck", sot_category="I")
    with pytest.raises(NoteError) as caught:
        services.note_sign(note=note, actor=practitioner_a.user)
    assert "red flags nobody has reviewed" in caught.value.message_dict["red_flags_reviewed"][0]
    note = services.note_save_draft(note=note, actor=practitioner_a.user, changes={"red_flags_reviewed": True})
    review = RedFlagReview.objects.get(patient=patient_a)
    assert review.reviewed_by == practitioner_a and review.reviewed_at is not None
    assert f"visit note {note.pk}" in review.review_note
    assert services.note_sign(note=note, actor=practitioner_a.user).status == "signed"


# --- Cervical consent -----------------------------------------------------------------------------------------


def test_cervical_procedure_without_any_consent_is_refused(patient_a, practitioner_a):
    note = nf.draft(patient_a, practitioner_a)
    with pytest.raises(NoteError) as caught:
        services.note_save_draft(note=note, actor=practitioner_a.user, changes={"cervical_adjustment": "thrust"})
    message = caught.value.message_dict["cervical_adjustment"][0]
    assert message.startswith("A cervical (neck) procedure cannot be recorded: the patient has not signed")
    assert VisitNote.objects.get(pk=note.pk).cervical_adjustment == ""


def test_cervical_procedure_with_consent_that_excludes_the_neck_is_refused(patient_a, practitioner_a):
    intake_factories.sign(patient_a, intake_factories.consent_version(), cervical=False)
    note = nf.draft(patient_a, practitioner_a)
    with pytest.raises(NoteError) as caught:
        services.note_save_draft(note=note, actor=practitioner_a.user, changes={"cervical_adjustment": "non_thrust"})
    assert "does not include neck (cervical) procedures" in caught.value.message_dict["cervical_adjustment"][0]


def test_cervical_procedure_after_consent_withdrawn_is_refused(patient_a, practitioner_a, consent):
    intake_services.consent_withdraw(signature=consent)
    note = nf.draft(patient_a, practitioner_a)
    with pytest.raises(NoteError, match="the patient withdrew their consent on 2026-06-01"):
        services.note_save_draft(note=note, actor=practitioner_a.user, changes={"cervical_adjustment": "thrust"})


def test_cervical_procedure_with_cervical_consent_points_at_the_signature(patient_a, practitioner_a, consent):
    note = nf.draft(patient_a, practitioner_a, chief_complaint="Neck", sot_category="none")
    note = services.note_save_draft(
        note=note, actor=practitioner_a.user, changes={"cervical_adjustment": "thrust", "cervical_detail": "C5 right"}
    )
    assert note.consent_signature_id == consent.pk
    signed = services.note_sign(note=note, actor=practitioner_a.user)
    assert signed.consent_signature_id == consent.pk and f'"consent_signature":{consent.pk}' in signed.canonical_json()
    # Taking the procedure out also drops the link.
    other = nf.draft(patient_a, practitioner_a, start=nf.at(1, 9), cervical_adjustment="thrust")
    other = services.note_save_draft(note=other, actor=practitioner_a.user, changes={"cervical_adjustment": ""})
    assert other.consent_signature_id is None


def test_signing_rechecks_the_consent(patient_a, practitioner_a, consent):
    note = nf.draft(patient_a, practitioner_a, chief_complaint="Neck", sot_category="I", cervical_adjustment="thrust")
    intake_services.consent_withdraw(signature=consent)
    with pytest.raises(NoteError, match="the patient withdrew their consent on 2026-06-01"):
        services.note_sign(note=note, actor=practitioner_a.user)


# --- Copy forward and templates -------------------------------------------------------------------------------


def test_copy_forward_takes_the_last_signed_note_but_not_todays_pain(patient_a, practitioner_a):
    nf.signed(patient_a, practitioner_a, start=nf.at(-14, 9), assessment="older")
    last = nf.signed(
        patient_a,
        practitioner_a,
        start=nf.at(-7, 9),
        assessment="Category II, improving",
        pain_today=5,
        occipital_fibers=[{"line": 2, "area": 3, "level": "T6", "side": "left"}],
        cmrt_levels=[{"level": "T6", "note": "stomach reflex"}],
        plan="Weekly for 3 weeks",
    )
    nf.draft(patient_a, practitioner_a, start=nf.at(-3, 9), assessment="abandoned draft")
    note = nf.draft(patient_a, practitioner_a, start=nf.at(0, 9), pain_today=3)
    assert note.chief_complaint == "Low back pain"  # pre-filled from the last note at start
    note, remarks = services.note_copy_forward(note=note, actor=practitioner_a.user)
    assert note.copied_from_id == last.pk
    assert note.assessment == "Category II, improving" and note.plan == "Weekly for 3 weeks"
    assert note.occipital_fibers == last.occipital_fibers and note.cmrt_levels == last.cmrt_levels
    assert note.pain_today == 3  # today's own value stays
    assert remarks == ["Copied from the note of 2026-05-25."]


def test_copy_forward_leaves_out_a_cervical_procedure_the_consent_no_longer_covers(patient_a, practitioner_a, consent):
    nf.signed(patient_a, practitioner_a, start=nf.at(-7, 9), cervical_adjustment="thrust", cervical_detail="C2")
    intake_services.consent_withdraw(signature=consent)
    note = nf.draft(patient_a, practitioner_a)
    note, remarks = services.note_copy_forward(note=note, actor=practitioner_a.user)
    assert note.cervical_adjustment == "" and note.consent_signature_id is None
    assert "The cervical procedure was not copied" in remarks[1]


def test_copy_forward_without_an_earlier_note_says_so(patient_a, practitioner_a):
    note = nf.draft(patient_a, practitioner_a)
    with pytest.raises(NoteError, match="no earlier note"):
        services.note_copy_forward(note=note, actor=practitioner_a.user)


def test_template_fills_only_the_empty_parts(patient_a, practitioner_a):
    template = NoteTemplate.objects.create(
        name="Category II blocking",
        sot_category="II",
        assessment="template assessment",
        plan="template plan",
        block_placements=[{"block": 1, "side": "right", "landmark": "Acetabulum", "position": "supine", "minutes": 8}],
    )
    note = nf.draft(patient_a, practitioner_a, assessment="my own words")
    note = services.note_apply_template(note=note, template=template, actor=practitioner_a.user)
    assert note.assessment == "my own words"
    assert note.plan == "template plan" and note.sot_category == "II"
    assert note.block_placements[0]["minutes"] == 8


def test_inactive_template_is_refused(patient_a, practitioner_a):
    template = NoteTemplate.objects.create(name="Old", active=False)
    note = nf.draft(patient_a, practitioner_a)
    with pytest.raises(NoteError, match="no longer in use"):
        services.note_apply_template(note=note, template=template, actor=practitioner_a.user)


# --- The database keeps signed notes as signed ------------------------------------------------------------------


@requires_postgres
def test_postgres_refuses_update_and_delete_of_a_signed_note(patient_a, practitioner_a):
    note = nf.signed(patient_a, practitioner_a, assessment="as signed")
    with pytest.raises(DatabaseError, match="is signed"), transaction.atomic():
        VisitNote.objects.filter(pk=note.pk).update(assessment="rewritten")
    with pytest.raises(DatabaseError, match="is signed"), transaction.atomic():
        VisitNote.objects.filter(pk=note.pk).delete()
    addendum = services.note_addendum_add(note=note, actor=practitioner_a.user, text="later")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        NoteAddendum.objects.filter(pk=addendum.pk).update(text="changed")
    assert VisitNote.objects.get(pk=note.pk).assessment == "as signed"


@requires_postgres
def test_postgres_lets_drafts_change(patient_a, practitioner_a):
    note = nf.draft(patient_a, practitioner_a)
    assert VisitNote.objects.filter(pk=note.pk).update(assessment="fine") == 1


def test_patient_export_contains_their_notes_and_addenda(patient_a, patient_b, practitioner_a):
    from clinic.services import patient_export

    note = nf.signed(patient_a, practitioner_a, assessment="exported words")
    services.note_addendum_add(note=note, actor=practitioner_a.user, text="later words")
    nf.signed(patient_b, practitioner_a, start=nf.at(0, 11), assessment="someone else")
    notes = patient_export(patient=patient_a)["records"]["clinic"]["visit_notes"]
    assert len(notes) == 1 and notes[0]["content"]["assessment"] == "exported words"
    assert notes[0]["content_sha256"] == note.content_sha256 and notes[0]["addenda"][0]["text"] == "later words"
