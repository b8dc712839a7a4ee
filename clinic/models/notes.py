"""The clinical record: structured SOT visit notes (SOAP), their addenda, clinic templates and block landmarks.

A note belongs to one appointment. While it is a draft its author may change it; signing stores who signed,
when, and the SHA-256 of a canonical JSON of the content, and from then on the row is never changed or
deleted (the services refuse, the admin is read-only, and on PostgreSQL a trigger refuses it too). Later
corrections are addenda. Repeatable rows (occipital fibers, block placements, CMRT levels) are JSON lists
inside the note, so the signed content is one row that one hash covers; landmarks are stored by name, so
renaming a landmark later never changes a signed note.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clinic.models.core import Patient, Practitioner

VERTEBRAL_LEVELS = (
    [f"C{n}" for n in range(1, 8)] + [f"T{n}" for n in range(1, 13)] + [f"L{n}" for n in range(1, 6)] + ["Sacrum"]
)


class Side(models.TextChoices):
    LEFT = "left", pgettext_lazy("side", "Left")
    RIGHT = "right", pgettext_lazy("side", "Right")


class Position(models.TextChoices):
    PRONE = "prone", pgettext_lazy("position", "Prone")
    SUPINE = "supine", pgettext_lazy("position", "Supine")


class SotCategory(models.TextChoices):
    I = "I", _("Category I")  # noqa: E741 (the SOT category is called I)
    II = "II", _("Category II")
    III = "III", _("Category III")
    NONE = "none", _("No category")


class BlockLandmark(models.Model):
    """Where a pelvic block is placed; landmarks differ between SOT schools, so the clinic keeps its own list."""

    name = models.CharField(max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(default=0, help_text=_("Order in the list."))
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class PainScale(models.Model):
    """The 0-10 pain rating of visit notes and the intake, and the change on it that matters to a patient:
    drawn as a line on the trend charts and used by the outcomes report. The clinic may change it in the admin
    (DOMAIN default: 2 points, Ostelo et al., Spine 2008). The row with the lowest id is used; the migration
    makes one, and with none the default applies."""

    DEFAULT_MEANINGFUL_CHANGE = 2

    meaningful_change = models.DecimalField(
        max_digits=3,
        decimal_places=1,
        default=DEFAULT_MEANINGFUL_CHANGE,
        validators=[MinValueValidator(0.5), MaxValueValidator(10)],
        help_text="The smallest fall in points (0-10) that counts as a meaningful improvement: the dashed line on "
        "the trend charts and the threshold of the outcomes report.",
    )
    source_note = models.CharField(
        max_length=300,
        blank=True,
        default="Ostelo et al., Spine 2008: 2 points or 30 % (consensus on low back pain).",
        help_text=_("Where the threshold comes from."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("pain scale")
        verbose_name_plural = _("pain scale")

    def __str__(self) -> str:
        return f"Pain 0-10: meaningful change {Decimal(self.meaningful_change).normalize():f} points"


class NoteTemplate(models.Model):
    """A clinic's starting point for a common visit. Applying it fills the draft's empty parts.

    Templates never record a cervical procedure: that depends on each patient's consent.
    """

    name = models.CharField(max_length=120, unique=True)
    description = models.CharField(max_length=300, blank=True)
    active = models.BooleanField(default=True)
    sot_category = models.CharField(max_length=4, blank=True, choices=SotCategory.choices)
    assessment = models.TextField(blank=True)
    block_placements = models.JSONField(
        default=list,
        blank=True,
        help_text='Rows of {"block": 1 or 2, "side": "left"/"right", "landmark": "...", "position": '
        '"prone"/"supine", "minutes": 1-60}.',
    )
    cmrt_levels = models.JSONField(default=list, blank=True, help_text='Rows of {"level": "T6", "note": "..."}.')
    cranial_work = models.TextField(blank=True)
    extremity_work = models.TextField(blank=True)
    other_procedures = models.TextField(blank=True)
    plan = models.TextField(blank=True)
    next_visit = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        for name, validator in (("block_placements", validate_block_rows), ("cmrt_levels", validate_cmrt_rows)):
            try:
                validator(getattr(self, name))
            except ValidationError as exc:
                errors[name] = exc.messages
        if errors:
            raise ValidationError(errors)


def _rows(value, what: str) -> list:
    if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
        raise ValidationError(f"{what} must be a list of rows.")
    return value


def validate_block_rows(value) -> None:
    for number, row in enumerate(_rows(value, "Block placements"), start=1):
        if row.get("block") not in (1, 2):
            raise ValidationError(_("Block placement %(number)s: block must be 1 or 2.") % {"number": number})
        if row.get("side") not in Side.values:
            raise ValidationError(_("Block placement %(number)s: side must be left or right.") % {"number": number})
        if row.get("position") not in Position.values:
            raise ValidationError(
                _("Block placement %(number)s: position must be prone or supine.") % {"number": number}
            )
        if not isinstance(row.get("landmark"), str) or not row["landmark"].strip():
            raise ValidationError(_("Block placement %(number)s: name the landmark.") % {"number": number})
        minutes = row.get("minutes")
        if not isinstance(minutes, int) or not 1 <= minutes <= 60:
            raise ValidationError(
                _("Block placement %(number)s: minutes must be a whole number from 1 to 60.") % {"number": number}
            )


def validate_cmrt_rows(value) -> None:
    for number, row in enumerate(_rows(value, "CMRT levels"), start=1):
        if row.get("level") not in VERTEBRAL_LEVELS:
            raise ValidationError(_("CMRT row %(number)s: choose a vertebral level.") % {"number": number})


def validate_fiber_rows(value) -> None:
    for number, row in enumerate(_rows(value, "Occipital fibers"), start=1):
        if row.get("line") not in (1, 2, 3):
            raise ValidationError(_("Occipital fiber %(number)s: line must be 1, 2 or 3.") % {"number": number})
        if not isinstance(row.get("area"), int) or not 1 <= row["area"] <= 7:
            raise ValidationError(_("Occipital fiber %(number)s: area must be 1 to 7.") % {"number": number})
        if row.get("level") not in VERTEBRAL_LEVELS:
            raise ValidationError(_("Occipital fiber %(number)s: choose a vertebral level.") % {"number": number})
        if row.get("side") not in Side.values:
            raise ValidationError(_("Occipital fiber %(number)s: side must be left or right.") % {"number": number})


class VisitNote(models.Model):
    """The structured SOAP note of one appointment, SOT-shaped. See the module docstring for the locking rule."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("visit note status", "Draft")
        SIGNED = "signed", pgettext_lazy("visit note status", "Signed")

    Category = SotCategory

    class Progress(models.TextChoices):
        FIRST = "first", _("First visit")
        BETTER = "better", pgettext_lazy("visit note progress", "Better")
        SAME = "same", pgettext_lazy("visit note progress", "Same")
        WORSE = "worse", pgettext_lazy("visit note progress", "Worse")

    class ShortLeg(models.TextChoices):
        LEFT = "left", _("Left short")
        RIGHT = "right", _("Right short")
        EVEN = "even", pgettext_lazy("visit note short leg", "Even")

    class HeelTension(models.TextChoices):
        LEFT = "left", pgettext_lazy("visit note heel tension", "Left")
        RIGHT = "right", pgettext_lazy("visit note heel tension", "Right")
        BOTH = "both", pgettext_lazy("visit note heel tension", "Both")
        NONE = "none", pgettext_lazy("visit note heel tension", "None")

    class Finding(models.TextChoices):
        POSITIVE = "positive", pgettext_lazy("visit note finding", "Positive")
        NEGATIVE = "negative", pgettext_lazy("visit note finding", "Negative")

    class Cervical(models.TextChoices):
        NONE = "", pgettext_lazy("visit note cervical", "None")
        THRUST = "thrust", pgettext_lazy("visit note cervical", "Thrust")
        NON_THRUST = "non_thrust", pgettext_lazy("visit note cervical", "Non-thrust")

    # The SOT category and the one-value indicators found for it (the occipital fibers are rows of their own).
    SOT_INDICATOR_FIELDS = (
        "sot_category",
        "short_leg_side",
        "short_leg_position",
        "heel_tension",
        "arm_fossa_left",
        "arm_fossa_right",
        "dollar_sign",
    )
    # The P of the SOAP note: what was done today and what comes next (the last section of the note's page).
    PLAN_FIELDS = (
        "cranial_work",
        "extremity_work",
        "cervical_adjustment",
        "cervical_detail",
        "other_procedures",
        "indicators_after",
        "plan",
        "next_visit",
    )
    # What the hash covers, what copy forward copies, what a template may fill: the clinical content.
    CONTENT_FIELDS = (
        "chief_complaint",
        "pain_today",
        "progress",
        "adverse_event",
        "adverse_event_detail",
        *SOT_INDICATOR_FIELDS,
        "occipital_fibers",
        "cranial_findings",
        "sacral_base",
        "assessment",
        "red_flags_reviewed",
        "block_placements",
        "cmrt_levels",
        *PLAN_FIELDS,
    )
    # Copy forward: what usually carries over between visits (not today's pain, progress or adverse events).
    # Today's pain, progress, adverse events, red-flag review and re-checked indicators are never copied.
    COPY_FORWARD_FIELDS = tuple(
        f
        for f in CONTENT_FIELDS
        if f
        not in {
            "pain_today",
            "progress",
            "adverse_event",
            "adverse_event_detail",
            "red_flags_reviewed",
            "indicators_after",
        }
    )

    appointment = models.OneToOneField("scheduling.Appointment", on_delete=models.PROTECT, related_name="visit_note")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="visit_notes")
    practitioner = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="visit_notes")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)

    # S
    chief_complaint = models.CharField(max_length=300, blank=True)
    pain_today = models.PositiveSmallIntegerField(
        "pain today (0-10)", null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    progress = models.CharField(_("since last visit"), max_length=8, choices=Progress.choices, blank=True)
    adverse_event = models.BooleanField(_("adverse event since last visit"), null=True, blank=True)
    adverse_event_detail = models.TextField(_("what happened"), blank=True)
    # O
    sot_category = models.CharField(_("SOT category"), max_length=4, choices=Category.choices, blank=True)
    short_leg_side = models.CharField(_("short leg"), max_length=6, choices=ShortLeg.choices, blank=True)
    short_leg_position = models.CharField(_("short leg checked"), max_length=6, choices=Position.choices, blank=True)
    heel_tension = models.CharField(max_length=6, choices=HeelTension.choices, blank=True)
    arm_fossa_left = models.CharField(_("arm-fossa test, left"), max_length=8, choices=Finding.choices, blank=True)
    arm_fossa_right = models.CharField(_("arm-fossa test, right"), max_length=8, choices=Finding.choices, blank=True)
    dollar_sign = models.CharField(max_length=8, choices=Finding.choices, blank=True)
    occipital_fibers = models.JSONField(default=list, blank=True, validators=[validate_fiber_rows])
    cranial_findings = models.TextField(blank=True)
    sacral_base = models.CharField(_("sacral base position"), max_length=200, blank=True)
    outcome_score = models.ForeignKey(
        "intake.OutcomeScore",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The patient's latest NDI/ODI when the note was started."),
    )
    # A
    assessment = models.TextField(blank=True)
    red_flags_reviewed = models.BooleanField(default=False)
    # P
    block_placements = models.JSONField(default=list, blank=True, validators=[validate_block_rows])
    cmrt_levels = models.JSONField(_("CMRT levels"), default=list, blank=True, validators=[validate_cmrt_rows])
    cranial_work = models.TextField(_("cranial"), blank=True)
    extremity_work = models.TextField(_("extremity"), blank=True)
    cervical_adjustment = models.CharField(max_length=10, choices=Cervical.choices, blank=True)
    cervical_detail = models.CharField(_("cervical: levels and notes"), max_length=200, blank=True)
    consent_signature = models.ForeignKey(
        "intake.ConsentSignature",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The consent signature covering the cervical procedure recorded here."),
    )
    other_procedures = models.TextField(_("other"), blank=True)
    indicators_after = models.TextField(_("indicators re-checked after treatment"), blank=True)
    plan = models.TextField(blank=True)
    next_visit = models.CharField(max_length=200, blank=True)

    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    content_sha256 = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["patient", "-created_at"]),
            models.Index(fields=["practitioner", "status", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft", signed_at__isnull=True, signed_by__isnull=True, content_sha256="")
                | (Q(status="signed", signed_at__isnull=False, signed_by__isnull=False) & ~Q(content_sha256="")),
                name="visitnote_signed_has_signer_time_and_hash",
            ),
            models.CheckConstraint(
                condition=Q(pain_today__isnull=True) | Q(pain_today__gte=0, pain_today__lte=10),
                name="visitnote_pain_0_to_10",
            ),
            models.CheckConstraint(
                condition=Q(cervical_adjustment="") | Q(consent_signature__isnull=False),
                name="visitnote_cervical_needs_consent",
            ),
        ]

    def __str__(self) -> str:
        return f"Visit note {self.pk} ({self.get_status_display().lower()})"

    def get_absolute_url(self) -> str:
        return reverse("clinic:note_detail", args=[self.pk])

    @property
    def is_signed(self) -> bool:
        return self.status == self.Status.SIGNED

    def content(self) -> dict:
        return {name: getattr(self, name) for name in self.CONTENT_FIELDS}

    def canonical_json(self) -> str:
        """The signed content as canonical JSON (sorted keys, no spaces): what `content_sha256` hashes."""
        payload = {
            "note": self.pk,
            "appointment": self.appointment_id,
            "patient": self.patient_id,
            "practitioner": self.practitioner_id,
            "consent_signature": self.consent_signature_id,
            "outcome_score": self.outcome_score_id,
            "signed_by": self.signed_by_id,
            "signed_at": self.signed_at.isoformat() if self.signed_at else None,
            "content": self.content(),
        }
        return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    def compute_sha256(self) -> str:
        return hashlib.sha256(self.canonical_json().encode()).hexdigest()

    def hash_matches(self) -> bool:
        return self.is_signed and self.content_sha256 == self.compute_sha256()


class NoteAddendum(models.Model):
    """A later addition to a signed note: who, when, what. Never changed or deleted."""

    note = models.ForeignKey(VisitNote, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    text = models.TextField()

    class Meta:
        ordering = ["note", "created_at", "id"]
        verbose_name_plural = _("note addenda")

    def __str__(self) -> str:
        return f"Addendum to note {self.note_id} at {self.created_at:%Y-%m-%d %H:%M}"
