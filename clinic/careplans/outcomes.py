"""Outcomes over time (issue 16, item 5): the plan's questionnaire is sent before the visits it is due at, answered
through a signed link (no login), scored with the intake's rule, and drawn on the plan's trend.

- `questionnaires_queue_due` (the `queue_careplan_questionnaires` command, run on a timer like the reminders):
  for every booked visit of an accepted or active plan starting within CAREPLAN_QUESTIONNAIRE_HOURS_BEFORE, if
  the plan's questionnaire is due at that visit (every N visits, every N weeks, and at the re-examination), one
  `PlanQuestionnaire` row (unique per plan and visit number: running it twice sends nothing twice) and one
  e-mail in the outbox, sent by the worker.
- The link is signed like the intake invitation's (`TimestampSigner`, its own salt) and lasts
  CAREPLAN_QUESTIONNAIRE_LINK_DAYS; once answered it no longer opens the form.
- Answering: as in the intake, every question needs an answer or "Skip this question" (asked next to it).
- Scoring: `Questionnaire.score`, with the questionnaire's missing-item rule (`max_missing_items`, 1 for the
  NDI and ODI): within it the form is scored over the items answered; beyond it the patient is warned
  and asked, and a form sent anyway is kept "not scored".
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, pgettext

from clinic import outbox
from clinic.careplans import selectors, trend
from clinic.family import notice_address
from clinic.languages import supported_language
from clinic.models import CarePlan, CarePlanStatus, OutgoingNotice, PlanQuestionnaire, VisitNote
from clinic.notes import selectors as notes_selectors
from clinic.services import audit_record
from intake import selectors as intake_selectors
from intake.models import Questionnaire
from scheduling import dates
from scheduling.models import Appointment

SALT = "clinic.careplans.questionnaire"
# States in which the plan's questionnaire is sent (a proposed plan is not agreed yet).
SENDING_STATES = (CarePlanStatus.ACCEPTED, CarePlanStatus.ACTIVE)
# An "every N weeks" questionnaire is due at the first visit at least N weeks after the last one, less this
# much, so a visit at 10:00 a week after one at 10:30 still counts as a week later.
WEEK_SLACK = dt.timedelta(hours=12)


class QuestionnaireLinkError(ValidationError):
    """The link cannot open a questionnaire; the message is for the patient."""


class IncompleteAnswers(ValidationError):
    """More questions skipped than the questionnaire allows: the patient is asked before it is kept unscored."""


def hours_before() -> dt.timedelta:
    return dt.timedelta(hours=settings.CAREPLAN_QUESTIONNAIRE_HOURS_BEFORE)


def link_max_age() -> dt.timedelta:
    return dt.timedelta(days=settings.CAREPLAN_QUESTIONNAIRE_LINK_DAYS)


def questionnaire_token(row: PlanQuestionnaire) -> str:
    return signing.TimestampSigner(salt=SALT).sign(str(row.pk))


def questionnaire_path(row: PlanQuestionnaire) -> str:
    return reverse("clinic:careplan_questionnaire", args=[questionnaire_token(row)])


def questionnaire_link(row: PlanQuestionnaire) -> str:
    return settings.CLINIC_SITE_URL + questionnaire_path(row)


def questionnaire_from_token(token: str) -> PlanQuestionnaire:
    """The questionnaire a link names; `QuestionnaireLinkError` with a message for the patient otherwise."""
    try:
        pk = signing.TimestampSigner(salt=SALT).unsign(token, max_age=link_max_age())
    except signing.SignatureExpired:
        raise QuestionnaireLinkError(
            gettext("This link has expired. Call the clinic on %(phone)s and we will send you a new one.")
            % {"phone": settings.CLINIC_PHONE}
        ) from None
    except signing.BadSignature:
        raise QuestionnaireLinkError(
            gettext("This link is not valid. Check that you copied all of it, or ask the clinic for a new one.")
        ) from None
    row = PlanQuestionnaire.objects.select_related("patient", "plan").filter(pk=pk).first()
    if row is None:
        raise QuestionnaireLinkError(gettext("This link is no longer valid. Ask the clinic for a new one."))
    return row


def questionnaire_for(code: str) -> Questionnaire | None:
    """The questionnaire (items and options) a plan names by code, as the clinic loaded it."""
    return Questionnaire.objects.filter(code=code).prefetch_related("items__options").first()


def is_due(plan: CarePlan, number: int, start: dt.datetime, last_due: dt.datetime | None) -> bool:
    """Is the plan's questionnaire due at visit `number` (starting at `start`)? At the re-examination, every N
    visits, and every N weeks (at the first visit N weeks after the last questionnaire, or the plan's first)."""
    if not plan.questionnaire_code:
        return False
    if plan.re_exam_visit and number == plan.re_exam_visit:
        return True
    if plan.questionnaire_every_visits and number % plan.questionnaire_every_visits == 0:
        return True
    if plan.questionnaire_every_weeks:
        weeks = dt.timedelta(weeks=plan.questionnaire_every_weeks)
        return last_due is None or start - last_due >= weeks - WEEK_SLACK
    return False


def _message(row: PlanQuestionnaire, questionnaire: Questionnaire | None, link: str, guardian: str) -> tuple[str, str]:
    """The e-mail's subject and body, in the active language (`questionnaire_send` sets the patient's)."""
    start = timezone.localtime(row.due_at)
    title = questionnaire.local_title if questionnaire else row.questionnaire_code.upper()
    name = row.patient.preferred_name or row.patient.first_name
    # A child's notice goes to their guardian (clinic.family.notice_address), greeted by name.
    words = {
        "name": name,
        # Translators: date format: 4 December.
        "day": formats.date_format(start, pgettext("date format", "j F")),
        "long_day": dates.day_medium(start),
        "time": dates.clock(start),
        "title": title,
    }
    if guardian:
        subject = gettext("A short questionnaire before %(name)s's visit on %(day)s") % words
        before = gettext("Before %(name)s's visit on %(long_day)s at %(time)s") % words
    else:
        subject = gettext("A short questionnaire before your visit on %(day)s") % words
        before = gettext("Before your visit on %(long_day)s at %(time)s") % words
    body = (
        gettext("Hello %(name)s,") % {"name": guardian or name}
        + "\n\n"
        + gettext(
            "%(before)s, please answer a short questionnaire (%(title)s). It takes about five minutes and shows "
            "your practitioner how your care plan is going:"
        )
        % {"before": before, "title": title}
        + f"\n\n{link}\n\n"
        + gettext("The link works for %(days)s days and needs no password.") % {"days": link_max_age().days}
        + f"\n\n{settings.CLINIC_NAME} · {settings.CLINIC_PHONE}"
    )
    return subject, body


@transaction.atomic
def questionnaire_send(*, row: PlanQuestionnaire, now: dt.datetime | None = None) -> OutgoingNotice | None:
    """Record the e-mail with the link in the outbox (the worker sends it) and mark the row sent. None when the
    patient has no e-mail address (the plan page says so)."""
    now = now or timezone.now()
    recipient, guardian = notice_address(row.patient)
    if not recipient:
        return None
    questionnaire = Questionnaire.objects.filter(code=row.questionnaire_code).first()
    with translation.override(supported_language(row.patient.language)):  # the patient's, whoever sends it
        subject, body = _message(row, questionnaire, questionnaire_link(row), guardian)
    notice = outbox.notice_queue(
        kind=OutgoingNotice.Kind.CAREPLAN_QUESTIONNAIRE,
        patient=row.patient,
        recipient=recipient,
        context={"plan_questionnaire": row.pk},
        subject=subject,
        body=body,
        now=now,
    )
    PlanQuestionnaire.objects.filter(pk=row.pk).update(sent_at=now, recipient=recipient)
    row.sent_at, row.recipient = now, recipient
    audit_record(action="careplan.q_sent", obj=row, detail=f"{row.questionnaire_code} before visit {row.visit_number}")
    return notice


def questionnaires_queue_due(*, now: dt.datetime | None = None) -> int:
    """Queue the plan questionnaires due at visits starting within the lead time (see the module docstring).
    Returns how many were queued; running it again queues none of them again."""
    now = now or timezone.now()
    plans = {
        p.patient_id: p
        for p in CarePlan.objects.filter(status__in=SENDING_STATES)
        .exclude(questionnaire_code="")
        .select_related("patient")
    }
    if not plans:
        return 0
    upcoming = list(
        Appointment.objects.filter(
            patient_id__in=plans.keys(),
            status=Appointment.Status.BOOKED,
            start__gt=now,
            start__lte=now + hours_before(),
        ).order_by("start", "pk")
    )
    positions = selectors.plan_positions(upcoming)
    last_due: dict[int, dt.datetime] = {}
    existing: set[tuple[int, int]] = set()
    for plan_id, number, due_at in PlanQuestionnaire.objects.filter(plan__in=plans.values()).values_list(
        "plan_id", "visit_number", "due_at"
    ):
        existing.add((plan_id, number))
        last_due[plan_id] = max(due_at, last_due.get(plan_id, due_at))
    queued = 0
    for appointment in upcoming:
        position = positions.get(appointment.pk)
        plan = plans.get(appointment.patient_id)
        if position is None or plan is None or position.plan_id != plan.pk:
            continue
        if (plan.pk, position.number) in existing:
            continue
        if not is_due(plan, position.number, appointment.start, last_due.get(plan.pk)):
            continue
        with transaction.atomic():
            row, created = PlanQuestionnaire.objects.get_or_create(
                plan=plan,
                visit_number=position.number,
                defaults={
                    "patient": plan.patient,
                    "questionnaire_code": plan.questionnaire_code,
                    "due_at": appointment.start,
                    "appointment_ref": appointment.pk,
                },
            )
            if created:
                row.patient = plan.patient
                questionnaire_send(row=row, now=now)
                queued += 1
        existing.add((plan.pk, position.number))
        last_due[plan.pk] = appointment.start
    return queued


def _missing(answers: dict) -> int:
    return sum(1 for value in answers.values() if value is None)


@transaction.atomic
def questionnaire_answer(
    *, row: PlanQuestionnaire, answers: dict, send_incomplete: bool = False, request=None
) -> PlanQuestionnaire:
    """Score and keep the patient's answers (item code -> score, None: skipped) with `Questionnaire.score`.
    Answering again returns the first answers unchanged (a double submit); more questions skipped than the
    questionnaire's `max_missing_items` raise `IncompleteAnswers` unless the patient chose to send it as it is,
    and it is then kept "not scored"; every question skipped is refused."""
    locked = PlanQuestionnaire.objects.select_for_update().select_related("patient").get(pk=row.pk)
    if locked.is_answered:
        return locked
    questionnaire = questionnaire_for(locked.questionnaire_code)
    if questionnaire is None:
        raise ValidationError(
            gettext("This questionnaire is not available. Call the clinic on %(phone)s.")
            % {"phone": settings.CLINIC_PHONE}
        )
    given = {item.code: answers.get(item.code) for item in questionnaire.items.all()}
    missing = _missing(given)
    if missing == len(given):
        raise ValidationError(
            gettext(
                "Every question is skipped: answer the ones you can, then send the questionnaire. If none of them "
                "applies to you, call the clinic on %(phone)s."
            )
            % {"phone": settings.CLINIC_PHONE}
        )
    if missing > questionnaire.max_missing_items and not send_incomplete:
        limit = questionnaire.max_missing_items
        raise IncompleteAnswers(
            gettext(
                "You skipped %(missing)s questions. With more than %(limit)s skipped, the questionnaire cannot be "
                "scored, so your practitioner will not get a score from it. Answer them if you can; if you cannot, "
                "tick this box and send it as it is."
            )
            % {"missing": missing, "limit": limit}
        )
    # The questionnaire's own missing-item rule (data, as the intake uses it): beyond it, "not scored".
    result = questionnaire.score(given)
    scored = result.percent is not None
    locked.answers = given
    locked.items_answered = result.items_answered
    locked.total = result.total
    locked.percent = result.percent
    locked.band = result.band
    locked.answered_at = timezone.now()
    locked.full_clean()
    locked.save()
    audit_record(
        action="careplan.q_answer",
        obj=locked,
        request=request,
        detail=f"{locked.questionnaire_code} {locked.percent if scored else 'not scored'}",
    )
    return locked


# --- The trend ---------------------------------------------------------------------------------------------


def outcome_results(plan: CarePlan) -> list[trend.Result]:
    """The plan's questionnaire over time: the intake's scores of that questionnaire (the baseline) and every
    answered plan questionnaire, oldest first; unscored ones left out. Two queries."""
    if not plan.questionnaire_code:
        return []
    return trend.questionnaire_results(
        plan,
        intake_scores=intake_selectors.outcome_scores(plan.patient),
        plan_rows=PlanQuestionnaire.objects.filter(
            patient=plan.patient, questionnaire_code=plan.questionnaire_code, percent__isnull=False
        ),
    )


def pain_results(plan: CarePlan) -> list[trend.Result]:
    """Every visit note's pain today (NRS 0-10), oldest first. One query."""
    return trend.note_pain(
        VisitNote.objects.filter(patient=plan.patient, pain_today__isnull=False)
        .select_related("appointment")
        .only("pain_today", "appointment__start")
    )


def plan_trend(plan: CarePlan) -> dict:
    """The plan's outcome trend as one chart (`trend.build`, which the patient chart draws too). Five queries."""
    questionnaire = Questionnaire.objects.filter(code=plan.questionnaire_code).only("meaningful_change").first()
    return trend.build(
        plan,
        scores=outcome_results(plan),
        pain=pain_results(plan),
        meaningful_change=questionnaire.meaningful_change if questionnaire else None,
        pain_change=notes_selectors.pain_meaningful_change(),
    )


def questionnaires_of_plan(plan: CarePlan) -> list[PlanQuestionnaire]:
    """The plan's questionnaires (sent, answered or waiting), by visit."""
    return list(PlanQuestionnaire.objects.filter(plan=plan).order_by("visit_number"))
