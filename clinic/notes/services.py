"""Writes of visit notes: start, save a draft, copy forward, apply a template, sign, add an addendum.

Every service checks that the note is still a draft (or, for addenda, already signed) on a row locked with
SELECT ... FOR UPDATE, so two tabs cannot sign twice or edit during signing, and leaves an audit entry.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.careplans import services as careplan_services
from clinic.models import AuditEvent, NoteAddendum, NoteTemplate, Practitioner, VisitNote
from clinic.services import audit_record, save_audited
from intake import selectors as intake_selectors
from intake import services as intake_services

# Appointments a note may not be started for: the visit did not happen.
NO_VISIT_STATUSES = {"cancelled", "no_show"}


class NoteError(ValidationError):
    """A change the note rules refuse; the message says why and what to do instead."""


def cervical_consent_problem(readiness: intake_selectors.Readiness) -> str | None:
    """Why a cervical procedure may not be recorded for this patient now, or None when their consent covers it."""
    prefix = "A cervical (neck) procedure cannot be recorded: "
    if readiness.consent_status == "missing":
        return prefix + "the patient has not signed a consent form. They must sign the current consent first."
    if readiness.consent_status == "withdrawn":
        withdrawn = next((m for m in readiness.missing if m.startswith("Consent withdrawn on ")), "")
        when = f" on {withdrawn.removeprefix('Consent withdrawn on ')}" if withdrawn else ""
        return prefix + f"the patient withdrew their consent{when}. They must sign the consent again first."
    if readiness.consent_status == "out_of_date":
        return (
            prefix + f"the patient's consent ({readiness.consent_version_label}) is not the current version. "
            "They must sign the current consent, agreeing to neck procedures."
        )
    if not readiness.consent_covers_cervical:
        return (
            prefix + f"the patient's current consent ({readiness.consent_version_label}) does not include neck "
            "(cervical) procedures. The patient must sign the consent again and agree to them first."
        )
    return None


def _practitioner_of(actor) -> Practitioner | None:
    try:
        return actor.practitioner
    except (AttributeError, Practitioner.DoesNotExist):
        return None


def _locked(note: VisitNote) -> VisitNote:
    # With its patient (the audit row and the consent rule read it), locking the note's row only.
    return VisitNote.objects.select_for_update(of=("self",)).select_related("patient").get(pk=note.pk)


def _locked_draft(note: VisitNote, actor) -> VisitNote:
    locked = _locked(note)
    if locked.is_signed:
        raise NoteError(
            _("This note was signed on %(when)s and can no longer be changed. Add an addendum instead.")
            % {"when": f"{timezone.localtime(locked.signed_at):%Y-%m-%d %H:%M}"}
        )
    practitioner = _practitioner_of(actor)
    if practitioner is None or practitioner.pk != locked.practitioner_id:
        raise NoteError(_("Only the practitioner who wrote this note may change it."))
    return locked


def _latest_note_before(appointment, patient_id: int, *, exclude_pk: int | None = None) -> VisitNote | None:
    """The patient's last note before this appointment: the last signed one, else the last draft."""
    qs = VisitNote.objects.filter(patient_id=patient_id, appointment__start__lt=appointment.start)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    # One query: signed notes sort before drafts, then the latest visit first.
    signed_first = Case(When(status=VisitNote.Status.SIGNED, then=Value(0)), default=Value(1))
    return qs.select_related("appointment").order_by(signed_first, "-appointment__start", "-pk").first()


@transaction.atomic
def note_start(*, appointment, actor, request=None, now: dt.datetime | None = None) -> VisitNote:
    """Open the note of an appointment (creating the draft the first time), for the appointment's practitioner.

    A new draft starts with the chief complaint of the patient's last note (or of their intake) and points at
    their latest outcome score.
    """
    practitioner = _practitioner_of(actor)
    if practitioner is None or practitioner.pk != appointment.practitioner_id:
        raise NoteError(_("Only the practitioner seeing the patient at this appointment may write its note."))
    existing = VisitNote.objects.filter(appointment=appointment).first()
    if existing is not None:
        return existing
    if appointment.status in NO_VISIT_STATUSES:
        raise NoteError(
            _("This appointment is %(status)s: there is no visit to write a note for.")
            % {"status": appointment.get_status_display().lower()}
        )
    previous = _latest_note_before(appointment, appointment.patient_id)
    complaint = previous.chief_complaint if previous else ""
    if not complaint:
        latest = intake_selectors.intake_latest_submitted(appointment.patient)
        complaint = ((latest.data or {}).get("visit") or {}).get("complaint", "") if latest else ""
    now = now or timezone.now()
    note = VisitNote(
        appointment=appointment,
        patient=appointment.patient,
        practitioner=practitioner,
        chief_complaint=complaint[:300],
        progress="" if previous else VisitNote.Progress.FIRST,
        outcome_score=intake_selectors.outcome_scores(appointment.patient).first(),
        created_at=now,
        updated_at=now,
    )
    # The rows it points at were just read (no query to prove they exist), and the table's checks concern signing,
    # the pain scale and the cervical consent, which a new draft leaves at their defaults (the database still
    # enforces them): nine statements fewer for every note opened.
    note.full_clean(exclude=["appointment", "patient", "practitioner", "outcome_score"], validate_constraints=False)
    try:
        with transaction.atomic():
            note.save()
    except IntegrityError:  # another tab started it a moment ago
        return VisitNote.objects.get(appointment=appointment)
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=note, request=request, detail="visit note started")
    return note


def _apply_cervical_rule(note: VisitNote) -> None:
    """Point a note recording a cervical procedure at the consent that covers it; refuse when none does."""
    if not note.cervical_adjustment:
        note.consent_signature_id = None
        return
    readiness = intake_selectors.patient_readiness(note.patient)
    problem = cervical_consent_problem(readiness)
    if problem:
        raise NoteError({"cervical_adjustment": problem})
    note.consent_signature_id = readiness.consent_signature_id


def _review_red_flags(note: VisitNote, *, actor, request) -> None:
    if not note.red_flags_reviewed:
        return
    for review in intake_selectors.red_flags_open(note.patient):
        intake_services.red_flags_review(
            review=review,
            practitioner=note.practitioner,
            note=f"Reviewed in visit note {note.pk}.",
            actor=actor,
            request=request,
        )


def _validate(note: VisitNote) -> None:
    try:
        # The patient and the practitioner of a note never change once it is started: not looked up again.
        note.full_clean(exclude=["appointment", "patient", "practitioner"])
    except ValidationError as exc:
        raise NoteError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from exc


def _save(note: VisitNote, *, actor, request, detail: str) -> VisitNote:
    _apply_cervical_rule(note)
    note.updated_at = timezone.now()
    _validate(note)
    note.save()
    _review_red_flags(note, actor=actor, request=request)
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=note, request=request, detail=detail)
    return note


@transaction.atomic
def note_save_draft(
    *, note: VisitNote, actor, changes: dict[str, Any], request=None, autosave: bool = False
) -> VisitNote:
    """Save the author's changes to a draft. A cervical procedure needs a current consent that covers it."""
    locked = _locked_draft(note, actor)
    unknown = set(changes) - set(VisitNote.CONTENT_FIELDS)
    if unknown:
        raise NoteError(_("Not part of a visit note: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    for name, value in changes.items():
        setattr(locked, name, value)
    return _save(locked, actor=actor, request=request, detail="draft autosaved" if autosave else "draft saved")


@transaction.atomic
def note_copy_forward(*, note: VisitNote, actor, request=None) -> tuple[VisitNote, list[str]]:
    """Fill the draft from the patient's last note (signed first), overwriting what it copies.

    Answers the note and what was left out and why (a cervical procedure the current consent does not cover).
    """
    locked = _locked_draft(note, actor)
    source = _latest_note_before(locked.appointment, locked.patient_id, exclude_pk=locked.pk)
    if source is None:
        raise NoteError(_("There is no earlier note for this patient to copy from."))
    left_out = []
    for name in VisitNote.COPY_FORWARD_FIELDS:
        setattr(locked, name, getattr(source, name))
    if locked.cervical_adjustment:
        problem = cervical_consent_problem(intake_selectors.patient_readiness(locked.patient))
        if problem:
            locked.cervical_adjustment, locked.cervical_detail = "", ""
            left_out.append(_("The cervical procedure was not copied. %(problem)s") % {"problem": problem})
    locked.copied_from = source
    when = timezone.localtime(source.appointment.start)
    _save(locked, actor=actor, request=request, detail=f"copied forward from note {source.pk}")
    return locked, [_("Copied from the note of %(day)s.") % {"day": f"{when:%Y-%m-%d}"}, *left_out]


TEMPLATE_FIELDS = (
    "sot_category",
    "assessment",
    "block_placements",
    "cmrt_levels",
    "cranial_work",
    "extremity_work",
    "other_procedures",
    "plan",
    "next_visit",
)


@transaction.atomic
def note_apply_template(*, note: VisitNote, template: NoteTemplate, actor, request=None) -> VisitNote:
    """Fill the draft's empty parts from a clinic template; what the practitioner already wrote is kept."""
    locked = _locked_draft(note, actor)
    if not template.active:
        raise NoteError(_("The template “%(name)s” is no longer in use.") % {"name": template.name})
    for name in TEMPLATE_FIELDS:
        if not getattr(locked, name) and getattr(template, name):
            setattr(locked, name, getattr(template, name))
    return _save(locked, actor=actor, request=request, detail=f"template applied: {template.name}"[:300])


@transaction.atomic
def note_sign(*, note: VisitNote, actor, request=None, now: dt.datetime | None = None) -> VisitNote:
    """Sign and lock a draft: signer, time and the SHA-256 of its canonical JSON. Nothing signed changes again.

    A note needs a chief complaint and an SOT category; open red flags must be marked reviewed first. `now` is
    the signing time (the demo signs past visits' notes on the day of the visit).
    """
    locked = _locked_draft(note, actor)
    errors: dict[str, str] = {}
    if not locked.chief_complaint.strip():
        errors["chief_complaint"] = "Write the chief complaint before signing."
    if not locked.sot_category:
        errors["sot_category"] = "Choose the SOT category (or “No category”) before signing."
    if not locked.red_flags_reviewed and intake_selectors.red_flags_open(locked.patient).exists():
        errors["red_flags_reviewed"] = (
            "The patient's intake has red flags nobody has reviewed: review them and tick this box before signing."
        )
    if errors:
        raise NoteError(errors)
    _apply_cervical_rule(locked)
    careplan_problem = careplan_services.careplan_consent_problem(locked.patient, before=locked.appointment.start)
    if careplan_problem:
        raise NoteError(careplan_problem)
    locked.status = VisitNote.Status.SIGNED
    locked.signed_by = actor
    locked.signed_at = now or timezone.now()
    locked.updated_at = locked.signed_at
    locked.content_sha256 = locked.compute_sha256()
    _validate(locked)
    save_audited(
        locked,
        actor=actor,
        action=AuditEvent.Action.SIGN,
        request=request,
        detail="visit note signed",
        clean=False,
    )
    return locked


@transaction.atomic
def note_addendum_add(
    *, note: VisitNote, actor, text: str, request=None, now: dt.datetime | None = None
) -> NoteAddendum:
    """Add a dated addendum to a signed note (the only way to change the record once it is signed)."""
    locked = _locked(note)
    if not locked.is_signed:
        raise NoteError(_("This note is still a draft: change the draft itself; addenda are for signed notes."))
    if _practitioner_of(actor) is None:
        raise NoteError(_("Only practitioners add addenda to visit notes."))
    text = (text or "").strip()
    if not text:
        raise NoteError({"text": _("Write what the addendum adds to the note.")})
    addendum = NoteAddendum(note=locked, author=actor, text=text, created_at=now or timezone.now())
    save_audited(
        addendum,
        actor=actor,
        action=AuditEvent.Action.CREATE,
        patient=locked.patient,
        request=request,
        detail=f"addendum to visit note {locked.pk}",
    )
    return addendum
