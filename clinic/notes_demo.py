"""Demo visit notes: clinic templates, signed notes (one with an addendum) for a patient's past visits, and a
draft for today. Runs after scheduling's demo (it needs appointments) from `seed_demo`. Idempotent: each part
is made only when it is missing. Notes go through the note services, so they obey the same rules.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from clinic.models import NoteTemplate, Patient, Practitioner, VisitNote
from clinic.notes import services
from intake import selectors as intake_selectors
from scheduling import selectors as scheduling_selectors
from scheduling.demo import NOTES_PATIENT

TEMPLATES = [
    {
        "name": "Category II blocking follow-up",
        "description": "Supine blocking for a category II pattern.",
        "sot_category": "II",
        "block_placements": [
            {"block": 1, "side": "right", "landmark": "Acetabulum", "position": "supine", "minutes": 10},
            {"block": 2, "side": "left", "landmark": "Greater trochanter", "position": "supine", "minutes": 10},
        ],
        "plan": "Re-check category II indicators next visit.",
        "next_visit": "In one week",
    },
    {
        "name": "Category I blocking follow-up",
        "description": "Prone blocking for a category I pattern.",
        "sot_category": "I",
        "block_placements": [
            {
                "block": 1,
                "side": "right",
                "landmark": "Anterior superior iliac spine (ASIS)",
                "position": "prone",
                "minutes": 8,
            },
            {"block": 2, "side": "left", "landmark": "Knee (distal femur)", "position": "prone", "minutes": 8},
        ],
        "plan": "Re-check short leg and heel tension next visit.",
        "next_visit": "In one week",
    },
]

VISITS = [
    # pain, progress, assessment
    (7, "first", "Category II pattern: unstable pelvis, tender inguinal fossa on the right."),
    (5, "better", "Category II pattern persists; indicators cleared after blocking."),
    (4, "better", "Category II indicators milder; short leg even after treatment."),
]


def _content(pain: int, progress: str, assessment: str, *, cervical_ok: bool) -> dict:
    content = {
        "chief_complaint": "Low back pain, worse after sitting",
        "pain_today": pain,
        "progress": progress,
        "adverse_event": False,
        "sot_category": "II",
        "short_leg_side": "right",
        "short_leg_position": "supine",
        "heel_tension": "right",
        "arm_fossa_left": "negative",
        "arm_fossa_right": "positive",
        "dollar_sign": "negative",
        "occipital_fibers": [{"line": 2, "area": 4, "level": "L4", "side": "right"}],
        "sacral_base": "Anterior right",
        "assessment": assessment,
        "block_placements": TEMPLATES[0]["block_placements"],
        "cmrt_levels": [{"level": "T10", "note": "Reflex work, 1 minute"}],
        "indicators_after": "Arm-fossa test negative both sides; legs even.",
        "plan": "Blocking weekly for three weeks, then re-examination.",
        "next_visit": "In one week",
    }
    if cervical_ok:
        content.update({"cervical_adjustment": "non_thrust", "cervical_detail": "C5 right, low-force"})
    return content


def _templates() -> None:
    for definition in TEMPLATES:
        NoteTemplate.objects.get_or_create(name=definition["name"], defaults=definition)


def _past_notes(practitioner: Practitioner) -> int:
    """Signed notes for Sophia Davis's three past visits with this practitioner (README, "Visit notes"), each
    signed on the day of its visit, after the visit and after the intake and consent it cites; the last one has
    an addendum the same afternoon."""
    if VisitNote.objects.filter(status=VisitNote.Status.SIGNED).exists():
        return 0
    patient = Patient.objects.filter(first_name=NOTES_PATIENT[0], last_name=NOTES_PATIENT[1]).first()
    if patient is None:
        return 0
    readiness = intake_selectors.patient_readiness(patient)
    paperwork = readiness.intake_submitted_at
    start_of_today = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time()))
    visits = [
        a
        for a in scheduling_selectors.appointments_for_patient(patient)
        if a.status == "completed"
        and a.practitioner_id == practitioner.pk
        and a.end < start_of_today
        and (paperwork is None or a.start > paperwork)
    ]
    visits = sorted(visits, key=lambda a: a.start)[: len(VISITS)]
    if not visits:
        return 0
    cervical_ok = services.cervical_consent_problem(readiness) is None
    user = practitioner.user
    note = None
    for appointment, (pain, progress, assessment) in zip(visits, VISITS, strict=False):
        note = services.note_start(appointment=appointment, actor=user, now=appointment.start)
        content = _content(pain, progress, assessment, cervical_ok=cervical_ok)
        note = services.note_save_draft(note=note, actor=user, changes=content)
        note = services.note_sign(note=note, actor=user, now=appointment.end + dt.timedelta(minutes=20))
    services.note_addendum_add(
        note=note,
        actor=user,
        text="Patient phoned after the visit: mild soreness for a few hours, settled by itself.",
        now=visits[-1].end + dt.timedelta(hours=3),
    )
    return len(visits)


def _draft_today(practitioner: Practitioner) -> int:
    today = timezone.localdate()
    rows = [
        a
        for a in scheduling_selectors.appointments_for_day(today, practitioner_id=practitioner.pk)
        if a.status not in services.NO_VISIT_STATUSES
    ]
    if not rows or VisitNote.objects.filter(appointment__in=rows, status=VisitNote.Status.DRAFT).exists():
        return 0
    with_notes = set(VisitNote.objects.filter(appointment__in=rows).values_list("appointment_id", flat=True))
    rows = [a for a in rows if a.pk not in with_notes]
    if not rows:
        return 0
    note = services.note_start(appointment=rows[0], actor=practitioner.user)
    services.note_save_draft(
        note=note,
        actor=practitioner.user,
        changes={
            "pain_today": 4,
            "progress": "same",
            "sot_category": "I",
            "assessment": "Started; to finish after the visit.",
        },
    )
    return 1


@transaction.atomic
def seed(stdout=None) -> None:
    _templates()
    practitioner = Practitioner.objects.filter(active=True).select_related("user").order_by("display_name").first()
    signed = drafts = 0
    if practitioner is not None:
        signed = _past_notes(practitioner)
        drafts = _draft_today(practitioner)
    if stdout:
        stdout.write(
            f"notes: {NoteTemplate.objects.count()} templates, {VisitNote.objects.count()} visit notes "
            f"({signed} signed and {drafts} draft new)"
        )
