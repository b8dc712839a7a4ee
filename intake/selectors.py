"""Reads of intake and consent that other apps ask for (the check-in gate, the calendar flags, notes).

Contract used by `scheduling` and the visit notes: `readiness_for_patients(ids)` answers for many patients
in a fixed number of queries (two); `patient_readiness(patient)` for one.

What counts as `missing` (paperwork the front desk must get before treatment): the intake form not
submitted, and a consent that is absent, withdrawn or out of date. Unreviewed red flags are NOT in
`missing`: the paperwork is complete, but the practitioner must look before treating; it is reported
separately as `red_flags_unreviewed` so the calendar and chart can show an alert without blocking check-in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.models import Patient
from intake import content
from intake.models import (
    ConsentSignature,
    ConsentVersion,
    IntakeInvitation,
    IntakeSubmission,
    OutcomeScore,
    RedFlagReview,
    UrgentAnswerAlert,
)


@dataclass(frozen=True)
class Readiness:
    """Is this patient's paperwork ready for treatment? `missing` says exactly what is not."""

    intake_status: str = "not_started"  # not_started | in_progress | submitted
    intake_submitted_at: object | None = None  # aware datetime of the latest submission
    consent_status: str = "missing"  # missing | current | out_of_date | withdrawn
    consent_covers_cervical: bool = False
    red_flags_unreviewed: bool = False
    missing: tuple[str, ...] = field(default_factory=tuple)
    # The current (signed, not withdrawn, active version) signature a visit note may point at; else None.
    consent_signature_id: int | None = None
    # The version of the patient's latest signature, whatever its status ("" when never signed).
    consent_version_label: str = ""

    @property
    def ready(self) -> bool:
        return not self.missing


def _consent_state(
    signature: ConsentSignature, active: dict[str, ConsentVersion], patient_language: str
) -> tuple[str, str]:
    """ "current" or "out_of_date" for a signature that is not withdrawn, with why it is out of date.

    A signature is current while its version is the active version of its own language: a new version in one
    language asks for consent again only from the patients who signed in that language. A version whose clinic
    ticked `asks_other_language_signers` also asks the patients of its language who signed another language's
    text (there was none in theirs)."""
    own = active.get(signature.version.language)
    if own is None or signature.version_id != own.pk:
        if own is None:
            why = _("Consent out of date (signed version %(signed)s; no version is active in its language)")
        else:
            why = _("Consent out of date (signed version %(signed)s; version %(current)s is current)")
        return "out_of_date", why % {"signed": signature.version.version, "current": own.version if own else ""}
    theirs = active.get(patient_language)
    if (
        theirs is not None
        and theirs.pk != signature.version_id
        and theirs.asks_other_language_signers
        and signature.version.language != patient_language
    ):
        return "out_of_date", _(
            "Consent out of date (signed version %(signed)s; version %(current)s is now available in the patient's "
            "language)"
        ) % {"signed": signature.version.version, "current": theirs.version}
    return "current", ""


def _readiness(
    *,
    submitted_at,
    has_draft: bool,
    signature: ConsentSignature | None,
    active: dict[str, ConsentVersion],
    patient_language: str,
    red_flags: bool,
) -> Readiness:
    missing = []
    if submitted_at is not None:
        intake_status = "submitted"
    elif has_draft:
        intake_status = "in_progress"
        missing.append(_("Intake form not submitted (in progress)"))
    else:
        intake_status = "not_started"
        missing.append(_("Intake form not started"))

    signature_id, label, cervical = None, "", False
    if signature is None:
        consent_status = "missing"
        missing.append(_("No signed consent"))
    else:
        label = signature.version.label
        if signature.withdrawn_at is not None:
            consent_status = "withdrawn"
            missing.append(
                _("Consent withdrawn on %(date)s") % {"date": f"{timezone.localtime(signature.withdrawn_at):%Y-%m-%d}"}
            )
        else:
            consent_status, why = _consent_state(signature, active, patient_language)
            if why:
                missing.append(why)
            else:
                signature_id = signature.pk
                cervical = signature.cervical_consent
    if not active and consent_status == "missing":
        missing[-1] = _("No signed consent (and no consent version is active: a clinic admin must activate one)")
    return Readiness(
        intake_status=intake_status,
        intake_submitted_at=submitted_at,
        consent_status=consent_status,
        consent_covers_cervical=cervical,
        red_flags_unreviewed=red_flags,
        missing=tuple(missing),
        consent_signature_id=signature_id,
        consent_version_label=label,
    )


def active_consent_versions() -> dict[str, ConsentVersion]:
    """The active consent version of each language that has one (one query)."""
    rows = ConsentVersion.objects.filter(active=True).only("id", "version", "language", "asks_other_language_signers")
    return {v.language: v for v in rows}


# The latest signature's columns, read beside the patient (`readiness_for_patients`).
_SIGNATURE_COLUMNS = (
    "id",
    "version_id",
    "withdrawn_at",
    "cervical_consent",
    "version__title",
    "version__version",
    "version__language",
    "version__effective_date",
)


def readiness_for_patients(patient_ids: Iterable[int]) -> dict[int, Readiness]:
    """Readiness per patient id, in two queries whatever the number of patients: the active consent versions,
    and one row per patient's signature (a row of NULLs for none) carrying the patient's intake (latest
    submission, a draft, an unreviewed red flag) as subqueries on the patient's own rows. A calendar day asks
    for 200 patients at once; three queries with their id lists were a fifth of its time (issue 15 item 6)."""
    ids = sorted(set(patient_ids))
    if not ids:
        return {}
    submissions = IntakeSubmission.objects.filter(patient_id=OuterRef("pk")).order_by()
    rows = (
        Patient.objects.filter(pk__in=ids)
        .annotate(
            last_submitted=Subquery(
                submissions.filter(status=IntakeSubmission.Status.SUBMITTED, submitted_at__isnull=False)
                .order_by("-submitted_at")
                .values("submitted_at")[:1]
            ),
            has_draft=Exists(submissions.filter(status=IntakeSubmission.Status.DRAFT)),
            # Every red-flag review belongs to one of the patient's submissions.
            open_flags=Exists(
                RedFlagReview.objects.filter(submission__patient_id=OuterRef("pk"), reviewed_at__isnull=True)
            ),
        )
        # Each of the patient's signatures (LEFT JOIN), the latest first.
        .order_by("pk", F("consent_signatures__signed_at").desc(nulls_last=True), F("consent_signatures__id").desc())
        .values_list(
            "pk",
            "language",
            "last_submitted",
            "has_draft",
            "open_flags",
            *(f"consent_signatures__{name}" for name in _SIGNATURE_COLUMNS),
        )
    )
    active = active_consent_versions()
    # Readiness is frozen: patients with no signature and the same intake share one (a busy day's 200 new
    # patients are one), as its texts are translated once.
    unsigned: dict[tuple, Readiness] = {}

    def without_signature(submitted_at, has_draft: bool, red_flags: bool) -> Readiness:
        key = (submitted_at, has_draft, red_flags)
        if key not in unsigned:
            unsigned[key] = _readiness(
                submitted_at=submitted_at,
                has_draft=has_draft,
                signature=None,
                active=active,
                patient_language="",
                red_flags=red_flags,
            )
        return unsigned[key]

    result = {}
    for pk, language, submitted_at, has_draft, open_flags, *signed in rows:
        if pk in result:
            continue  # an earlier signature of the patient's: only the latest counts
        if signed[0] is None:
            result[pk] = without_signature(submitted_at, has_draft, open_flags)
            continue
        sig_id, version_id, withdrawn_at, cervical, title, number, version_language, effective = signed
        version = ConsentVersion(
            pk=version_id, title=title, version=number, language=version_language, effective_date=effective
        )
        signature = ConsentSignature(pk=sig_id, version=version, withdrawn_at=withdrawn_at, cervical_consent=cervical)
        result[pk] = _readiness(
            submitted_at=submitted_at,
            has_draft=has_draft,
            signature=signature,
            active=active,
            patient_language=language,
            red_flags=open_flags,
        )
    # An id with no patient row answers as a patient with nothing done.
    return {pid: result.get(pid) or without_signature(None, False, False) for pid in ids}


def patient_readiness(patient: Patient) -> Readiness:
    return readiness_for_patients([patient.pk])[patient.pk]


# --- Pages of this app --------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentToRead:
    """The consent version a patient is shown, and whether it is in a language other than theirs."""

    version: ConsentVersion | None
    language: str  # the language the patient reads (the page's)

    @property
    def in_another_language(self) -> bool:
        return self.version is not None and self.version.language != self.language


def consent_version_for(language: str) -> ConsentToRead:
    """The active version in `language`, else the default language's active version (the page then says it is
    not available in the patient's language and that they may ask the clinic for an interpreter before signing)."""
    versions = {v.language: v for v in ConsentVersion.objects.filter(active=True)}
    version = versions.get(language) or versions.get(settings.LANGUAGE_CODE)
    return ConsentToRead(version=version, language=language)


def intake_draft(patient: Patient) -> IntakeSubmission | None:
    return IntakeSubmission.objects.filter(patient=patient, status=IntakeSubmission.Status.DRAFT).first()


def intake_submissions(patient: Patient) -> QuerySet[IntakeSubmission]:
    """Every intake of the patient, newest first, with what the history list shows."""
    return (
        IntakeSubmission.objects.filter(patient=patient)
        .select_related("questionnaire", "outcome_score", "red_flag_review", "red_flag_review__reviewed_by")
        .order_by("-created_at", "-id")
    )


def intake_latest_submitted(patient: Patient) -> IntakeSubmission | None:
    return intake_submissions(patient).filter(status=IntakeSubmission.Status.SUBMITTED).first()


def consent_signatures(patient: Patient) -> QuerySet[ConsentSignature]:
    return (
        ConsentSignature.objects.filter(patient=patient)
        .select_related("version", "discussed_by", "signed_by")
        .order_by("-signed_at", "-id")
    )


def red_flags_open(patient: Patient) -> QuerySet[RedFlagReview]:
    return RedFlagReview.objects.filter(patient=patient, reviewed_at__isnull=True).select_related("submission")


def outcome_scores(patient: Patient) -> QuerySet[OutcomeScore]:
    return OutcomeScore.objects.filter(patient=patient).select_related("questionnaire").order_by("-scored_at")


def invitations_sent(patient: Patient) -> QuerySet[IntakeInvitation]:
    return IntakeInvitation.objects.filter(patient=patient).select_related("sent_by").order_by("-sent_at")[:10]


def patients_intake_page(*, query: str = "", page: int | str = 1, per_page: int = 50) -> tuple[Page, dict]:
    """A page of patients for the front desk, with each one's readiness (a fixed number of queries)."""
    patients = Patient.objects.order_by("last_name", "first_name", "id")
    query = (query or "").strip()
    if query:
        condition = Q()
        for word in query.split():
            condition &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
        patients = patients.filter(condition)
    paginator = Paginator(patients, per_page)
    page_obj = paginator.get_page(page)
    readiness = readiness_for_patients([p.pk for p in page_obj.object_list])
    return page_obj, readiness


def submission_summary(submission: IntakeSubmission) -> dict:
    """What the practitioner's summary shows, in words: answers with their question, flags with labels."""
    data = submission.data or {}
    visit = data.get("visit") or {}
    health = data.get("health") or {}
    redflags = data.get("redflags") or {}
    # Texts in the active language, as plain strings (the records export and the PDFs read them too).
    causes = {code: str(label) for code, label in content.CAUSES}
    areas = {code: str(label) for code, label in content.COMPLAINT_AREAS}
    conditions = {code: str(label) for code, label in content.HEALTH_CONDITIONS}
    pregnancy = {code: str(label) for code, label in content.PREGNANCY}
    outcome_items = []
    if submission.questionnaire_id:
        stored = data.get("outcome") or {}
        items = submission.questionnaire.items.prefetch_related("options")
        for item in items:
            chosen = stored.get(item.code)
            text = next((o.local_text for o in item.options.all() if o.score == chosen), None)
            outcome_items.append({"item": item, "score": chosen, "answer": text, "skipped": chosen == "skip"})
    return {
        "about": data.get("about") or {},
        "visit": visit,
        "complaint_area": areas.get(visit.get("complaint_area"), ""),
        "cause": causes.get(visit.get("cause"), ""),
        "pain_regions": set(visit.get("pain_regions") or []),
        "pain_region_labels": [
            str(content.REGION_BY_CODE[c].label) for c in visit.get("pain_regions") or [] if c in content.REGION_BY_CODE
        ],
        "health": health,
        "conditions": [conditions.get(c, c) for c in health.get("conditions") or [] if c != "none"],
        "pregnant": pregnancy.get(health.get("pregnant"), ""),
        "red_flag_answers": [
            {
                "code": code,
                "question": str(question),
                "label": str(content.RED_FLAG_LABELS[code]),
                "answer": redflags.get(code),
            }
            for code, question, _area in content.RED_FLAGS
        ],
        "red_flags": [str(content.RED_FLAG_LABELS[c]) for c, _q, _a in content.RED_FLAGS if redflags.get(c) == "yes"],
        "red_flag_details": redflags.get("details", ""),
        # What the patient is told about their answers (their own review page and confirmation).
        "advice": content.advice_for(redflags),
        "other_yes_questions": [
            str(q) for c, q, _a in content.RED_FLAGS if redflags.get(c) == "yes" and c not in content.ADVICE_BY_CODE
        ],
        "outcome_items": outcome_items,
        "outcome_preview": _outcome_preview(submission, outcome_items),
    }


def _outcome_preview(submission: IntakeSubmission, outcome_items: list[dict]):
    """The score the questionnaire will get, by the same rules as on submission (shown before submitting)."""
    if not outcome_items:
        return None
    questionnaire = submission.questionnaire
    return questionnaire.score(
        {o["item"].code: o["score"] if isinstance(o["score"], int) else None for o in outcome_items}
    )


def submission_by_id(raw: str) -> IntakeSubmission | None:
    """The submission named by a form's id field, or None when the id is not a number or there is no such row."""
    return IntakeSubmission.objects.filter(pk=int(raw)).first() if raw.isdecimal() and len(raw) <= 18 else None


def urgent_alerts_open() -> list[UrgentAnswerAlert]:
    """Urgent intake answers nobody has yet recorded contacting the patient about, oldest first (the front
    desk's day view shows them above the calendar)."""
    return list(
        UrgentAnswerAlert.objects.filter(handled_at__isnull=True).select_related("patient").order_by("raised_at", "id")
    )
