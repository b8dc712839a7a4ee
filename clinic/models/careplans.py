"""Care plans: what the practitioner proposes after the exam (phases of visits per week for some weeks, goals,
a re-examination, a questionnaire to repeat) and where it stands (proposed, accepted, active, completed,
discontinued).

A plan is never edited once proposed: a change is a new row with the next `version` of the same `lineage`, and
the earlier row becomes `superseded` (still readable). Phases and goals are JSON lists inside the row, so one
version is one row. The questionnaire is named by its code (e.g. "ndi"), as the intake's scores are.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clinic.models.core import Patient, Practitioner


class CarePlanStatus(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("care plan status", "Proposed")
    ACCEPTED = "accepted", _("Accepted by the patient")
    ACTIVE = "active", pgettext_lazy("care plan status", "Active")
    COMPLETED = "completed", pgettext_lazy("care plan status", "Completed")
    DISCONTINUED = "discontinued", pgettext_lazy("care plan status", "Discontinued")
    SUPERSEDED = "superseded", _("Replaced by a newer version")


class AcceptedHow(models.TextChoices):
    ONLINE = "online", _("Accepted online by the patient")
    IN_PERSON = "in_person", _("Discussed and accepted in person")


class GoalKind(models.TextChoices):
    PAIN_AT_MOST = "pain_at_most", _("Pain at or below")
    QUESTIONNAIRE_BELOW = "questionnaire_below", _("Questionnaire score below (%)")
    TEXT = "text", _("Other (free text)")


# The states in which the plan is the patient's current one (at most one per patient).
CURRENT_STATES = (CarePlanStatus.PROPOSED, CarePlanStatus.ACCEPTED, CarePlanStatus.ACTIVE)


class CarePlan(models.Model):
    # What a version says (what the services take, the form edits and a revision copies); phases and goals are
    # JSON lists, the rest one value each.
    PLAN_FIELDS = (
        "diagnosis",
        "phases",
        "goals",
        "re_exam_visit",
        "re_exam_date",
        "questionnaire_code",
        "questionnaire_every_visits",
        "questionnaire_every_weeks",
        "notes",
    )

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="care_plans")
    practitioner = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="care_plans")
    # All versions of one plan share the lineage (the pk of version 1).
    lineage = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    version = models.PositiveSmallIntegerField(default=1)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version"
    )
    status = models.CharField(max_length=20, choices=CarePlanStatus.choices, default=CarePlanStatus.PROPOSED)
    # What the plan treats, in the practitioner's words: a changed diagnosis is a changed plan (a new version,
    # accepted again before the next treatment note; DOMAIN: re-consent when the diagnosis or plan changes).
    diagnosis = models.CharField(max_length=300, blank=True)
    # [{"visits_per_week": 3, "weeks": 4}, ...]
    phases = models.JSONField(default=list)
    # [{"kind": "pain_at_most", "target": 2, "text": ""}, ...]
    goals = models.JSONField(default=list, blank=True)
    re_exam_visit = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    re_exam_date = models.DateField(null=True, blank=True)
    questionnaire_code = models.SlugField(max_length=30, blank=True)
    questionnaire_every_visits = models.PositiveSmallIntegerField(null=True, blank=True)
    questionnaire_every_weeks = models.PositiveSmallIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True)
    discontinued_reason = models.TextField(blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_how = models.CharField(max_length=20, choices=AcceptedHow.choices, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(status__in=["proposed", "accepted", "active"]),
                name="careplan_one_current_per_patient",
            ),
            models.UniqueConstraint(fields=["lineage", "version"], name="careplan_unique_version"),
        ]

    def __str__(self) -> str:
        return f"Care plan v{self.version} for {self.patient}"

    def get_absolute_url(self) -> str:
        return reverse("clinic:careplan_detail", args=[self.pk])

    @property
    def total_visits(self) -> int:
        return sum(int(p.get("visits_per_week", 0)) * int(p.get("weeks", 0)) for p in self.phases)

    @property
    def total_weeks(self) -> int:
        return sum(int(p.get("weeks", 0)) for p in self.phases)

    @property
    def is_current(self) -> bool:
        return self.status in CURRENT_STATES

    @property
    def is_accepted(self) -> bool:
        return self.accepted_at is not None

    def phase_rows(self) -> list[dict]:
        """Each phase with its visit numbers in the plan (first and last)."""
        rows, first = [], 1
        for number, phase in enumerate(self.phases, start=1):
            count = int(phase["visits_per_week"]) * int(phase["weeks"])
            rows.append({**phase, "number": number, "visits": count, "first": first, "last": first + count - 1})
            first += count
        return rows

    def goal_texts(self) -> list[str]:
        labels = dict(GoalKind.choices)
        out = []
        for goal in self.goals:
            if goal.get("kind") == GoalKind.TEXT:
                out.append(goal.get("text", ""))
            elif goal.get("kind") == GoalKind.PAIN_AT_MOST:
                out.append(f"{labels[GoalKind.PAIN_AT_MOST]} {goal.get('target')}/10")
            else:
                out.append(f"{(self.questionnaire_code or 'questionnaire').upper()} below {goal.get('target')} %")
        return out


class PlanQuestionnaire(models.Model):
    """The plan's questionnaire, due at one visit of the plan: sent to the patient a set time before that visit
    (a signed link, no login needed), answered and scored with the intake's rule. One row per plan and visit
    number, so queueing the due ones twice sends nothing twice. The score is stored with its answers, as the
    intake's `OutcomeScore` is (`percent` empty: not scored)."""

    plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="questionnaires")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="plan_questionnaires")
    questionnaire_code = models.SlugField(max_length=30)
    visit_number = models.PositiveSmallIntegerField()
    # The start of the visit it is due at (the appointment is named by id: the core never imports scheduling).
    due_at = models.DateTimeField()
    appointment_ref = models.PositiveBigIntegerField(null=True, blank=True)
    recipient = models.EmailField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answers = models.JSONField(default=dict, blank=True, help_text=_("Item code -> score, or null when not answered."))
    items_answered = models.PositiveSmallIntegerField(default=0)
    total = models.PositiveSmallIntegerField(default=0)
    percent = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    band = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan", "visit_number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "visit_number"], name="planquestionnaire_once_per_visit"),
        ]
        indexes = [models.Index(fields=["patient", "answered_at"])]

    def __str__(self) -> str:
        return f"{self.questionnaire_code.upper()} before visit {self.visit_number} of {self.patient}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class RecallTemplate(models.Model):
    """The e-mail the front desk sends to recall a patient (one click on the recalls list). Placeholders:
    {first_name}, {clinic_name}, {clinic_phone}, {book_link}, {opt_out_link}, {reason}. The active row with the
    lowest id is used; the migration makes one."""

    name = models.CharField(max_length=80, default="Recall")
    subject = models.CharField(max_length=150)
    body = models.TextField(
        help_text="Placeholders: {first_name}, {clinic_name}, {clinic_phone}, {book_link}, {opt_out_link}, "
        "{reason}. The opt-out link is added at the end when the text leaves it out."
    )
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    PLACEHOLDERS = ("first_name", "clinic_name", "clinic_phone", "book_link", "opt_out_link", "reason")

    def clean(self) -> None:
        for field in ("subject", "body"):
            try:
                getattr(self, field).format_map({name: "" for name in self.PLACEHOLDERS})
            except (KeyError, ValueError, IndexError, AttributeError) as exc:
                raise ValidationError(
                    {field: f"Use only these placeholders, in braces: {', '.join(self.PLACEHOLDERS)} ({exc})."}
                ) from None


class RecallNudge(models.Model):
    """One recall e-mail sent by the front desk (the outbox row is the e-mail itself)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="recall_nudges")
    plan = models.ForeignKey(CarePlan, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    notice = models.ForeignKey("clinic.OutgoingNotice", null=True, blank=True, on_delete=models.SET_NULL)
    recipient = models.EmailField()
    reasons = models.CharField(max_length=300, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["patient", "sent_at"])]

    def __str__(self) -> str:
        return f"Recall e-mail to {self.patient} ({self.sent_at:%Y-%m-%d})"


class RecallOptOut(models.Model):
    """The patient asked, from a recall e-mail's link, for no more recall e-mails. One row per patient: the first
    time is kept (opening the link again changes nothing)."""

    patient = models.OneToOneField(Patient, on_delete=models.PROTECT, related_name="recall_opt_out")
    opted_out_at = models.DateTimeField()
    nudge = models.ForeignKey(RecallNudge, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"{self.patient}: no recall e-mails since {self.opted_out_at:%Y-%m-%d}"
