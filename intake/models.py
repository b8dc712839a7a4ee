"""Intake questionnaires, outcome measures, consent versions and signatures.

Questionnaires (NDI, ODI, or a clinic's own) are data: items, options and a scoring rule, loaded by the demo
seed or by a clinic admin. A consent version is never edited once signed: a new version is a new row.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clinic.models import Patient, Practitioner, actor_link, translations_field
from intake import scoring
from intake.content import ADVICE, RED_FLAG_LABELS
from intake.languages import active_language, check_translations, translated


def text_sha256(text: str) -> str:
    """The SHA-256 of a consent text exactly as stored (UTF-8), as 64 hex digits."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Questionnaire(models.Model):
    """An outcome measure as data. Percent = total / (max item score x items answered) x 100."""

    class Region(models.TextChoices):
        NECK = "neck", _("Neck")
        LOW_BACK = "low_back", _("Low back")

    class Scoring(models.TextChoices):
        PERCENT_OF_ANSWERED = "percent_of_answered", "Percent of the maximum for the items answered"

    code = models.SlugField(max_length=30, unique=True, help_text=_("e.g. ndi, odi"))
    title = models.CharField(max_length=120)
    region = models.CharField(max_length=20, choices=Region.choices, help_text=_("Chosen for this complaint."))
    instructions = models.TextField(blank=True)
    scoring = models.CharField(max_length=30, choices=Scoring.choices, default=Scoring.PERCENT_OF_ANSWERED)
    max_item_score = models.PositiveSmallIntegerField(default=5)
    bands = models.JSONField(
        default=list,
        blank=True,
        help_text=_(
            'Ordered list of {"max": upper percent, "label": "..."}; the first band whose max is not '
            "below the percent applies."
        ),
    )
    source_note = models.CharField(max_length=300, blank=True, help_text=_("Where the wording and bands come from."))
    meaningful_change = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_(
            "The smallest change in percentage points that matters to the patient (drawn on the trend "
            "chart); empty draws no line."
        ),
    )
    max_missing_items = models.PositiveSmallIntegerField(
        default=1,
        help_text=_(
            "The most items that may be skipped for the form still to be scored (the NDI and ODI scoring "
            "guides: 1, scored out of the items answered); with more skipped it is marked “not scored”."
        ),
    )
    active = models.BooleanField(default=True)
    translations = translations_field(
        _(
            'The texts in other languages: {"es": {"title": "...", "instructions": "...", "source_note": "...", '
            '"bands": ["...", ...]}} (band labels in the order of the bands). A text not given is shown in English.'
        )
    )

    TRANSLATABLE = {"title": 120, "instructions": 0, "source_note": 300, "bands": 0}

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["region"], condition=Q(active=True), name="questionnaire_one_per_region")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def local_title(self) -> str:
        return translated(self, "title")

    @property
    def local_instructions(self) -> str:
        return translated(self, "instructions")

    @property
    def local_source_note(self) -> str:
        return translated(self, "source_note")

    def band_label(self, label: str) -> str:
        """A band's label (as a score stores it, in English) in the active language."""
        names = [b.get("label") for b in self.bands or []]
        local = ((self.translations or {}).get(active_language()) or {}).get("bands") or []
        if label in names and names.index(label) < len(local) and local[names.index(label)]:
            return local[names.index(label)]
        return label

    def score(self, answers):
        """Score item code -> score (None: not answered) by this questionnaire's rules: its maximum per item,
        its bands and its missing-item rule (the intake, the care plans' questionnaires and their previews)."""
        return scoring.score_answers(
            answers, max_item_score=self.max_item_score, bands=self.bands, max_missing=self.max_missing_items
        )

    def clean(self) -> None:
        bands = self.bands or []
        if not isinstance(bands, list) or any(
            not isinstance(b, dict) or not isinstance(b.get("max"), int | float) or not b.get("label") for b in bands
        ):
            raise ValidationError({"bands": 'Give a list like [{"max": 20, "label": "Minimal"}, ...].'})
        maxima = [b["max"] for b in bands]
        if maxima != sorted(maxima):
            raise ValidationError({"bands": "List the bands from the lowest to the highest."})
        check_translations(self.translations, self.TRANSLATABLE)


class QuestionnaireItem(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    code = models.SlugField(max_length=40)
    text = models.CharField(max_length=300)
    translations = translations_field(_('The text in other languages: {"es": {"text": "..."}}.'))

    class Meta:
        ordering = ["questionnaire", "position"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="questionnaire_item_unique_code"),
            models.UniqueConstraint(fields=["questionnaire", "position"], name="questionnaire_item_unique_position"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.text}"

    @property
    def local_text(self) -> str:
        return translated(self, "text")

    def clean(self) -> None:
        check_translations(self.translations, {"text": 300})


class QuestionnaireOption(models.Model):
    item = models.ForeignKey(QuestionnaireItem, on_delete=models.CASCADE, related_name="options")
    score = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)
    translations = translations_field(_('The text in other languages: {"es": {"text": "..."}}.'))

    class Meta:
        ordering = ["item", "score"]
        constraints = [models.UniqueConstraint(fields=["item", "score"], name="questionnaire_option_unique_score")]

    def __str__(self) -> str:
        return f"{self.score}: {self.text}"

    @property
    def local_text(self) -> str:
        return translated(self, "text")

    def clean(self) -> None:
        check_translations(self.translations, {"text": 300})


class IntakeSubmission(models.Model):
    """One filling of the intake form by a patient: a draft saved step by step, then submitted and locked.

    A change after submission is a new submission (the earlier ones stay as history).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("In progress")
        SUBMITTED = "submitted", _("Submitted")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="intake_submissions")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder, help_text=_("Answers per step."))
    current_step = models.CharField(max_length=20, default="about")
    questionnaire = models.ForeignKey(Questionnaire, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    red_flags = models.JSONField(default=list, blank=True, help_text=_("Codes of red-flag questions answered yes."))
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_by = actor_link()
    via_invitation = models.BooleanField(default=False)

    class Meta:
        ordering = ["patient", "-created_at", "-id"]
        constraints = [
            # At most one draft per patient: a double "start" can never create two.
            models.UniqueConstraint(
                fields=["patient"], condition=Q(status="draft"), name="intake_one_draft_per_patient"
            ),
            models.CheckConstraint(
                condition=Q(status="draft", submitted_at__isnull=True)
                | Q(status="submitted", submitted_at__isnull=False),
                name="intake_submitted_has_time",
            ),
        ]
        indexes = [models.Index(fields=["patient", "status"])]

    def __str__(self) -> str:
        return f"Intake of {self.patient} ({self.get_status_display()})"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.SUBMITTED

    def step_data(self, step: str) -> dict:
        return dict((self.data or {}).get(step) or {})


class OutcomeScore(models.Model):
    """A scored questionnaire: the answers and the score, band and rule stored together."""

    submission = models.OneToOneField(IntakeSubmission, on_delete=models.PROTECT, related_name="outcome_score")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="outcome_scores")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="scores")
    answers = models.JSONField(default=dict, help_text=_("Item code -> score, or null when not answered."))
    items_answered = models.PositiveSmallIntegerField()
    total = models.PositiveSmallIntegerField()
    percent = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    band = models.CharField(max_length=60, blank=True)
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["patient", "-scored_at"]

    def __str__(self) -> str:
        percent = "not scored" if self.percent is None else f"{self.percent}%"
        return f"{self.questionnaire.code.upper()} {percent} {self.band}".strip()

    @property
    def local_band(self) -> str:
        """The band in the active language (stored in English, as the questionnaire's bands name it)."""
        return self.questionnaire.band_label(self.band)

    @property
    def items_missing(self) -> int:
        return max(len(self.answers or {}) - self.items_answered, 0)

    @property
    def not_scored_reason(self) -> str:
        """ "not scored: too many questions missing (3 of 10 skipped)", or "" when the form has a score."""
        return scoring.not_scored_reason(self.percent, self.items_answered, self.items_missing)


class RedFlagReview(models.Model):
    """An alert raised by red-flag answers, shown until a practitioner records that they reviewed it."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="red_flag_reviews")
    submission = models.OneToOneField(IntakeSubmission, on_delete=models.PROTECT, related_name="red_flag_review")
    flags = models.JSONField(default=list, help_text=_("Codes of the red-flag questions answered yes."))
    raised_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(Practitioner, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["patient", "-raised_at"]
        indexes = [models.Index(fields=["patient"], condition=Q(reviewed_at__isnull=True), name="redflag_open")]

    def __str__(self) -> str:
        return f"Red flags for {self.patient} ({'reviewed' if self.reviewed_at else 'not reviewed'})"

    @property
    def labels(self) -> list[str]:
        return [str(RED_FLAG_LABELS.get(code, code)) for code in self.flags]


class UrgentAnswerAlert(models.Model):
    """Intake answers that cannot wait for the visit (possible stroke or cauda equina signs), raised the moment the
    patient saves them, even in a draft: e-mailed to the patient's practitioner (or the clinic) and shown on the
    front desk's day view until someone records that the patient was contacted."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="urgent_answer_alerts")
    submission = models.ForeignKey(IntakeSubmission, on_delete=models.PROTECT, related_name="urgent_alerts")
    codes = models.JSONField(default=list, help_text=_("Codes of the urgent red-flag questions answered yes."))
    raised_at = models.DateTimeField(default=timezone.now)
    notified = models.EmailField(blank=True, help_text=_("Where the e-mail to the clinic went."))
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_note = models.TextField(blank=True, max_length=1000)

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["raised_at"], condition=Q(handled_at__isnull=True), name="urgent_open")]

    def __str__(self) -> str:
        return f"Urgent answers of {self.patient} ({'handled' if self.handled_at else 'open'})"

    @property
    def labels(self) -> list[str]:
        return [str(RED_FLAG_LABELS.get(code, code)) for code in self.codes]

    @property
    def advice_given(self) -> list[str]:
        return [str(a.text) for a in ADVICE if a.codes & set(self.codes)]


class ConsentVersion(models.Model):
    """One wording of the consent document in one language. Signed text never changes: a new wording is a new
    version. Each language has at most one active version; a patient reads the one in their language, else the
    default language's with a notice (see `intake.selectors.consent_version_for`)."""

    FROZEN_FIELDS = ("title", "version", "effective_date", "text", "risks", "language")

    title = models.CharField(max_length=200)
    version = models.PositiveIntegerField(
        unique=True, help_text=_("Numbered across languages: a Spanish text is its own version, with its own number.")
    )
    language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of this text. Patients who read this language are shown it."),
    )
    effective_date = models.DateField()
    text = models.TextField(help_text=_("The exact text the patient reads and signs."))
    risks = models.JSONField(
        default=list,
        help_text=_('The risks the patient acknowledges one by one: [{"code": "soreness", "label": "..."}].'),
    )
    sha256 = models.CharField(max_length=64, editable=False)
    active = models.BooleanField(default=False, help_text=_("The version patients of this language sign now."))
    translation_note = models.CharField(
        max_length=300,
        blank=True,
        help_text=_(
            "Where a translated text comes from and whether the clinic approved it (for example “demo "
            "translation, not yet approved by the clinic”). A real clinic approves its own translated consent."
        ),
    )
    asks_other_language_signers = models.BooleanField(
        "also asks patients of this language who signed another language's text",
        default=False,
        help_text=_(
            "When active, patients whose language is this version's but whose consent was signed on a text "
            "in another language (there was none in theirs) are asked to read and sign this one."
        ),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["language"], condition=Q(active=True), name="consent_one_active_per_language"
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return gettext("%(title)s, version %(number)s (effective %(date)s)") % {
            "title": self.title,
            "number": self.version,
            "date": f"{self.effective_date:%Y-%m-%d}",
        }

    def has_signatures(self) -> bool:
        return self.pk is not None and self.signatures.exists()

    def clean(self) -> None:
        risks = self.risks or []
        if (
            not isinstance(risks, list)
            or not risks
            or any(not isinstance(r, dict) or not r.get("code") or not r.get("label") for r in risks)
        ):
            raise ValidationError({"risks": 'List each risk as {"code": "...", "label": "..."}; at least one.'})
        if len({r["code"] for r in risks}) != len(risks):
            raise ValidationError({"risks": "Each risk needs its own code."})
        if self.has_signatures():
            stored = ConsentVersion.objects.get(pk=self.pk)
            changed = [name for name in self.FROZEN_FIELDS if getattr(stored, name) != getattr(self, name)]
            if changed:
                raise ValidationError(
                    f"Version {stored.version} has been signed by patients, so its {', '.join(changed)} cannot "
                    "change. Create a new version with the new wording instead."
                )
        self.sha256 = text_sha256(self.text or "")


class ConsentSignature(models.Model):
    """A patient's (or their parent's or guardian's) signature on one consent version."""

    class SignerRole(models.TextChoices):
        PATIENT = "patient", _("Patient")
        PARENT = "parent", _("Parent")
        GUARDIAN = "guardian", _("Legal guardian")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consent_signatures")
    version = models.ForeignKey(ConsentVersion, on_delete=models.PROTECT, related_name="signatures")
    text_sha256 = models.CharField("text hash as signed", max_length=64)
    text_shown = models.TextField("text as shown", help_text=_("The exact consent text the signer read and signed."))
    language = models.CharField(
        "language of the text signed", max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    reader_language = models.CharField(
        "language of the signer's pages",
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_(
            "The language the signer's pages were in. When it differs from the text's, the signer was told "
            "the consent is not available in their language and that they may ask for an interpreter."
        ),
    )
    signer_name = models.CharField(max_length=200)
    signer_role = models.CharField(max_length=10, choices=SignerRole.choices)
    guardian_relationship = models.CharField(max_length=80, blank=True)
    signed_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    risks_acknowledged = models.JSONField(default=list)
    cervical_consent = models.BooleanField("agrees to neck (cervical) procedures")
    signed_by = actor_link()
    via_invitation = models.BooleanField(default=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    discussed_by = models.ForeignKey(Practitioner, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    discussed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["patient", "-signed_at", "-id"]
        indexes = [models.Index(fields=["patient", "-signed_at"])]

    def __str__(self) -> str:
        return f"{self.patient} signed version {self.version.version} on {self.signed_at:%Y-%m-%d}"

    @property
    def hash_matches_version(self) -> bool:
        return self.text_sha256 == self.version.sha256

    @property
    def hash_matches_text_shown(self) -> bool:
        return self.text_sha256 == text_sha256(self.text_shown or "")

    @property
    def read_in_another_language(self) -> bool:
        return self.reader_language != self.language


class IntakeInvitation(models.Model):
    """A link the front desk sends so a patient without an account can fill intake and consent.

    The token is this row's id signed with a TimestampSigner; the link expires after
    settings.INTAKE_INVITATION_DAYS and can be revoked.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="intake_invitations")
    email = models.EmailField()
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["patient", "-sent_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.patient} sent {self.sent_at:%Y-%m-%d}"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and now < self.expires_at
