"""`manage.py export_patient` gathers intake's and scheduling's rows too: all of patient A's, none of B's."""

import datetime as dt
import json

import pytest
from django.core.management import call_command

from intake.services import invitation_token
from tests.clinic.records import full_record

A_TEXT = "Alpha-only answer"
B_TEXT = "Bravo-only answer"


@pytest.mark.django_db
def test_export_has_the_whole_record_of_a_and_nothing_of_b(patient_a, patient_b, practitioner_a, front_desk, capsys):
    day = dt.date(2026, 6, 1)
    a = full_record(patient_a, practitioner_a, A_TEXT, day=day, sender=front_desk)
    b = full_record(patient_b, practitioner_a, B_TEXT, day=day, sender=front_desk)

    call_command("export_patient", str(patient_a.pk))
    text = capsys.readouterr().out
    data = json.loads(text)["records"]

    assert B_TEXT not in text and "Berg" not in text and "bruno@example.com" not in text
    for token in (invitation_token(a.invitation), invitation_token(b.invitation)):
        assert token not in text  # an invitation token would let the reader fill the intake

    intake = data["intake"]
    [submission] = intake["submissions"]
    assert submission["id"] == a.submission.pk and submission["status"] == "submitted"
    assert submission["answers"]["visit"]["complaint"] == A_TEXT
    assert submission["answers"]["health"]["medications"] == A_TEXT
    assert submission["outcome_score"]["questionnaire"] == a.submission.questionnaire.code
    assert submission["outcome_score"]["total"] == a.submission.outcome_score.total
    [signature] = intake["consent_signatures"]
    assert signature["text_sha256"] == a.signature.version.sha256 and signature["hash_matches_version"]
    assert signature["version"] == a.signature.version.version
    assert signature["version_text"] == a.signature.version.text
    assert signature["risks_acknowledged"] == a.signature.risks_acknowledged
    [review] = intake["red_flag_reviews"]
    assert review["flags"] == ["night_pain"] and review["submission_id"] == a.submission.pk
    [invitation] = intake["invitations"]
    assert invitation["id"] == a.invitation.pk and invitation["sent_by"] == "desk@example.com"
    assert set(invitation) == {"id", "email", "sent_by", "sent_at", "expires_at", "last_used_at", "revoked_at"}

    scheduling = data["scheduling"]
    assert {x["id"] for x in scheduling["appointments"]} == {a.appointment.pk, a.cancelled.pk}
    by_id = {x["id"]: x for x in scheduling["appointments"]}
    assert by_id[a.appointment.pk]["frontdesk_notes"] == A_TEXT
    assert by_id[a.cancelled.pk]["cancellation_reason"] == A_TEXT
    assert by_id[a.appointment.pk]["series_id"] == a.series.pk
    assert [s["id"] for s in scheduling["care_plan_series"]] == [a.series.pk]
    assert [w["id"] for w in scheduling["waitlist"]] == [a.waitlist.pk]
    assert scheduling["waitlist"][0]["practitioners"] == "any"

    # ...and B's export holds B's rows, not A's.
    call_command("export_patient", str(patient_b.pk))
    text_b = capsys.readouterr().out
    assert A_TEXT not in text_b and B_TEXT in text_b and "Arnold" not in text_b
    ids_b = {x["id"] for x in json.loads(text_b)["records"]["scheduling"]["appointments"]}
    assert ids_b == {b.appointment.pk, b.cancelled.pk}


@pytest.mark.django_db
def test_export_of_a_patient_without_rows_has_empty_sections(patient_a, capsys):
    call_command("export_patient", str(patient_a.pk))
    records = json.loads(capsys.readouterr().out)["records"]
    assert records["intake"] == {"submissions": [], "consent_signatures": [], "red_flag_reviews": [], "invitations": []}
    assert records["scheduling"] == {"appointments": [], "care_plan_series": [], "waitlist": []}
