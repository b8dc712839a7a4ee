"""The recall e-mail in the patient's language (issue 24): a Spanish-speaking patient's nudge arrives in Spanish
(subject, body, the reasons and their dates), an English-speaking one's in English, whatever the desk's own
language; the nudge's record keeps the reasons in the clinic's language; a clinic's own template text, written in
one language, goes to the patients who read it, the others get the stock text in theirs."""

import re

import pytest
from django.core import mail
from django.utils import translation

from clinic.careplans import recalls
from clinic.models import RecallNudge, RecallTemplate
from tests.clinic import note_factories as nf
from tests.clinic.test_recalls import commits, plan_for, site_url  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def overdue(patient_a, practitioner_a):
    """Alice: last seen 70 days ago (before the re-examination due on 1 April), nothing booked."""
    plan_for(patient_a, practitioner_a, re_exam_date=nf.TODAY.replace(month=4, day=1))
    nf.appointment(patient_a, practitioner_a, start=nf.at(-70, 9))
    return patient_a


def speaks(patient, language):
    patient.language = language
    patient.save(update_fields=["language"])


def test_a_spanish_speaking_patients_recall_arrives_in_spanish(overdue, front_desk, commits):  # noqa: F811
    speaks(overdue, "es")
    with commits(), translation.override("en"):  # the desk reads English
        nudge = recalls.recall_nudge(patient=overdue, actor=front_desk)
    sent = mail.outbox[0]
    assert sent.subject == "Es hora de reservar su próxima visita en Harbour Street Chiropractic"
    assert sent.body.startswith("Hola, Alice:\n\n")
    assert "plan de tratamiento" in sent.body
    reasons = (
        "(ninguna cita programada; reevaluación pendiente (prevista para el 1 abr 2026); ninguna visita en 6 semanas)"
    )
    assert reasons in sent.body
    assert "https://clinic.example/book/" in sent.body
    assert re.search(r"https://clinic\.example/recalls/opt-out/[^/\s]+/", sent.body)
    for english in ("Hello", "Book your next visit", "no future appointment", "Apr", "re-examination"):
        assert english not in sent.body, english
    # The desk's list and the audit trail keep the clinic's language.
    assert RecallNudge.objects.get().reasons == nudge.reasons
    assert nudge.reasons.startswith("no future appointment; re-examination overdue (due 1 Apr 2026)")


def test_an_english_speaking_patients_recall_stays_in_english_when_the_desk_reads_spanish(
    overdue,
    front_desk,
    commits,  # noqa: F811
):
    speaks(overdue, "en")
    with commits(), translation.override("es"):
        recalls.recall_nudge(patient=overdue, actor=front_desk)
    sent = mail.outbox[0]
    assert sent.subject == "Time to book your next visit at Harbour Street Chiropractic"
    assert sent.body.startswith("Hello Alice,\n\n")
    assert "(no future appointment; re-examination overdue (due 1 Apr 2026); no visit for 6 weeks)" in sent.body
    assert "If you would rather not receive these reminders, follow this link: https://clinic.example/" in sent.body


def test_the_clinics_own_template_goes_to_english_readers_and_the_stock_spanish_to_spanish_ones(
    overdue,
    patient_b,
    practitioner_a,
    front_desk,
    commits,  # noqa: F811
):
    RecallTemplate.objects.update(active=False)
    RecallTemplate.objects.create(subject="We miss you, {first_name}", body="Call {clinic_phone}: {reason}.")
    speaks(overdue, "es")
    plan_for(patient_b, practitioner_a)
    with commits():
        recalls.recall_nudge(patient=overdue, actor=front_desk)
        recalls.recall_nudge(patient=patient_b, actor=front_desk)
    spanish, english = mail.outbox
    assert spanish.subject.startswith("Es hora de reservar") and "Hola, Alice:" in spanish.body
    assert english.subject == f"We miss you, {patient_b.first_name}"
    assert english.body.startswith("Call (555) 010-2040: no future appointment")
    # The opt-out line added to the clinic's text is in the reader's language too.
    assert "No more of these e-mails: https://clinic.example/recalls/opt-out/" in english.body


def test_the_reasons_on_the_desks_list_follow_the_desks_language(overdue):
    with translation.override("es"):
        reasons = recalls.recall_rows()[0].reasons
    assert reasons == [
        "ninguna cita programada",
        "reevaluación pendiente (prevista para el 1 abr 2026)",
        "ninguna visita en 6 semanas",
    ]


def test_the_migrations_row_is_the_stock_text_so_it_is_translated():
    """An unedited template counts as the stock text only while the migration's copy and recalls' agree."""
    row = RecallTemplate.objects.filter(active=True).order_by("pk").first()
    assert (row.subject, row.body) == (recalls.DEFAULT_SUBJECT, recalls.DEFAULT_BODY)
    with translation.override("es"):
        assert recalls.recall_template()[0] == "Es hora de reservar su próxima visita en {clinic_name}"
