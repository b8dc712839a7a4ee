"""Recalls (issue 16, item 6): the front desk's list of patients on a plan who have dropped off the calendar, a
one-click e-mail nudge from an editable template (`RecallTemplate`, in the admin), and an opt-out link in that
e-mail that works without logging in.

A patient is on the list when their plan is accepted or active and any of: no future appointment; the
re-examination date has passed with no visit since; no visit for CAREPLAN_RECALL_WEEKS weeks (default 6).
The list is read in a fixed number of queries whatever the number of patients (`recall_rows`). Each nudge is a
`RecallNudge` row with its outbox notice; each opt-out a `RecallOptOut` row; both are audited. The e-mail is in
the language on the patient's record (see `recall_template` for a clinic's own text); the list is in the desk's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Min, Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, gettext_noop, ngettext, pgettext

from clinic import outbox
from clinic.family import notice_address
from clinic.languages import supported_language
from clinic.models import (
    CarePlan,
    CarePlanStatus,
    GuardianLink,
    OutgoingNotice,
    Patient,
    RecallNudge,
    RecallOptOut,
    RecallTemplate,
)
from clinic.services import audit_record
from scheduling.models import Appointment

OPT_OUT_SALT = "clinic.careplans.recall-opt-out"
RECALL_STATES = (CarePlanStatus.ACCEPTED, CarePlanStatus.ACTIVE)
# Appointments that are visits (held, or still to come): a cancelled or missed one is no visit.
NOT_VISITS = (Appointment.Status.CANCELLED, Appointment.Status.NO_SHOW)

# The stock text: used when the clinic has no active template (the migration makes one with this English text;
# an admin may switch it off) and whenever the active one is still that text, translated into the patient's
# language (the placeholders stay in braces in every language).
DEFAULT_SUBJECT = gettext_noop("Time to book your next visit at {clinic_name}")
DEFAULT_BODY = gettext_noop(
    "Hello {first_name},\n\n"
    "You are part-way through your care plan with us, and we have not seen you on the calendar lately "
    "({reason}).\n\n"
    "Book your next visit online here: {book_link}\n"
    "or call us on {clinic_phone}.\n\n"
    "{clinic_name}\n\n"
    "If you would rather not receive these reminders, follow this link: {opt_out_link}"
)


def recall_weeks() -> int:
    return settings.CAREPLAN_RECALL_WEEKS


@dataclass
class RecallRow:
    patient: Patient
    plan: CarePlan
    reasons: list[str]
    last_visit: dt.datetime | None
    next_visit: dt.datetime | None
    last_nudge: dt.datetime | None
    opted_out: dt.datetime | None
    nudges: int = 0
    why_not: str = field(default="")

    @property
    def may_nudge(self) -> bool:
        return not self.why_not


def _day(value: dt.date | dt.datetime) -> str:
    """1 May 2026 (1 may 2026): in the active language's words, never strftime's English."""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value)
    # Translators: date format: 1 May 2026.
    return formats.date_format(value, pgettext("date format", "j M Y"))


def _reasons(plan: CarePlan, *, last: dt.datetime | None, upcoming: dt.datetime | None, now: dt.datetime) -> list[str]:
    """Why the patient is on the list, in the active language (the desk's, or the patient's in the e-mail)."""
    today = timezone.localdate(now)
    reasons = []
    if upcoming is None:
        reasons.append(gettext("no future appointment"))
    if (
        plan.re_exam_date
        and plan.re_exam_date < today
        and (last is None or timezone.localdate(last) < plan.re_exam_date)
    ):
        reasons.append(gettext("re-examination overdue (due %(day)s)") % {"day": _day(plan.re_exam_date)})
    weeks = recall_weeks()
    since = last or plan.accepted_at or plan.created_at
    if since < now - dt.timedelta(weeks=weeks):
        if last:
            reasons.append(
                ngettext("no visit for %(weeks)s week", "no visit for %(weeks)s weeks", weeks) % {"weeks": weeks}
            )
        else:
            reasons.append(
                ngettext(
                    "no visit since the plan was agreed %(weeks)s+ week ago",
                    "no visit since the plan was agreed %(weeks)s+ weeks ago",
                    weeks,
                )
                % {"weeks": weeks}
            )
    return reasons


def recall_rows(*, now: dt.datetime | None = None) -> list[RecallRow]:
    """Every patient to recall, longest without a visit first. Five queries whatever the number of patients:
    the plans with their patients, each patient's last and next visit, their nudges, guardians, opt-outs."""
    now = now or timezone.now()
    plans = {
        p.patient_id: p
        for p in CarePlan.objects.filter(status__in=RECALL_STATES).select_related("patient", "practitioner")
    }
    if not plans:
        return []
    visits = {
        row["patient_id"]: row
        for row in Appointment.objects.filter(patient_id__in=plans.keys())
        .exclude(status__in=NOT_VISITS)
        .values("patient_id")
        .annotate(last=Max("start", filter=Q(start__lt=now)), upcoming=Min("start", filter=Q(start__gte=now)))
    }
    nudges = {
        row["patient_id"]: row
        for row in RecallNudge.objects.filter(patient_id__in=plans.keys())
        .values("patient_id")
        .annotate(last=Max("sent_at"), count=Count("pk"))
    }
    # A child without an address of their own is reached through a guardian (clinic.family.notice_address).
    guarded = set(
        GuardianLink.objects.filter(dependant_id__in=plans.keys(), ended_at__isnull=True).values_list(
            "dependant_id", flat=True
        )
    )
    opt_outs = dict(RecallOptOut.objects.filter(patient_id__in=plans.keys()).values_list("patient_id", "opted_out_at"))
    rows = []
    for patient_id, plan in plans.items():
        seen = visits.get(patient_id, {})
        last, upcoming = seen.get("last"), seen.get("upcoming")
        reasons = _reasons(plan, last=last, upcoming=upcoming, now=now)
        if not reasons:
            continue
        row = RecallRow(
            patient=plan.patient,
            plan=plan,
            reasons=reasons,
            last_visit=last,
            next_visit=upcoming,
            last_nudge=nudges.get(patient_id, {}).get("last"),
            opted_out=opt_outs.get(patient_id),
            nudges=nudges.get(patient_id, {}).get("count", 0),
        )
        if row.opted_out:
            row.why_not = gettext("Asked for no recall e-mails on %(day)s: call instead.") % {
                "day": _day(row.opted_out)
            }
        elif not plan.patient.email and patient_id not in guarded:
            row.why_not = gettext("No e-mail address on file: call instead.")
        rows.append(row)
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    return sorted(rows, key=lambda r: (r.last_visit or epoch, r.patient.last_name, r.patient.pk))


def opt_out_token(patient: Patient) -> str:
    # Not timed: an opt-out link in an old e-mail must still work.
    return signing.Signer(salt=OPT_OUT_SALT).sign(str(patient.pk))


def opt_out_link(patient: Patient) -> str:
    return settings.CLINIC_SITE_URL + reverse("clinic:recall_opt_out", args=[opt_out_token(patient)])


def patient_from_opt_out_token(token: str) -> Patient:
    try:
        pk = signing.Signer(salt=OPT_OUT_SALT).unsign(token)
    except signing.BadSignature:
        raise ValidationError(
            gettext(
                "This link is not valid. Check that you copied all of it, or call the clinic on %(phone)s and we "
                "will stop these e-mails for you."
            )
            % {"phone": settings.CLINIC_PHONE}
        ) from None
    patient = Patient.objects.filter(pk=pk).first()
    if patient is None:
        raise ValidationError(
            gettext("This link is no longer valid. Call the clinic on %(phone)s.") % {"phone": settings.CLINIC_PHONE}
        )
    return patient


def recall_template() -> tuple[str, str]:
    """The subject and body to send, in the active language (recall_nudge makes it the patient's).

    The clinic's active template, when it has its own text, is written in one language, the clinic's
    (settings.LANGUAGE_CODE): a patient who reads another one gets the stock text in their language instead. The
    stock text (no active template, or the one the migration made, unedited) is translated for every patient.
    """
    template = RecallTemplate.objects.filter(active=True).order_by("pk").first()
    own = template is not None and (template.subject, template.body) != (DEFAULT_SUBJECT, DEFAULT_BODY)
    if own and translation.get_language() == settings.LANGUAGE_CODE:
        return template.subject, template.body
    return gettext(DEFAULT_SUBJECT), gettext(DEFAULT_BODY)


def _render(text: str, values: dict) -> str:
    try:
        return text.format_map(values)
    except (KeyError, ValueError, IndexError, AttributeError):
        # A template saved with a wrong placeholder (the admin form checks; an old row may not be checked).
        raise ValidationError(
            gettext(
                "The recall e-mail template has a placeholder the clinic does not know: correct it in the settings "
                "(Recall templates) and send again."
            )
        ) from None


def _message(row: RecallRow, *, patient: Patient, guardian: str, now: dt.datetime) -> tuple[str, str]:
    """The e-mail's subject and body in the active language: the template, the reasons and the opt-out line."""
    subject, body = recall_template()
    reasons = _reasons(row.plan, last=row.last_visit, upcoming=row.next_visit, now=now)
    values = {
        "first_name": guardian or patient.preferred_name or patient.first_name,
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "book_link": settings.CLINIC_SITE_URL + reverse("scheduling:book_start"),
        "opt_out_link": opt_out_link(patient),
        "reason": "; ".join(reasons),
    }
    text = _render(body, values)
    if values["opt_out_link"] not in text:
        text += "\n\n" + gettext("No more of these e-mails: %(link)s") % {"link": values["opt_out_link"]}
    return _render(subject, values), text


@transaction.atomic
def recall_nudge(*, patient: Patient, actor, request=None, now: dt.datetime | None = None) -> RecallNudge:
    """E-mail the patient the recall template (the outbox records and sends it) and record the nudge. Refused
    for a patient who opted out, has no e-mail address, or is no longer on the list."""
    now = now or timezone.now()
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    name = {"name": patient.full_name}
    if RecallOptOut.objects.filter(patient=patient).exists():
        raise ValidationError(gettext("%(name)s asked for no recall e-mails: call them instead.") % name)
    recipient, guardian = notice_address(patient)
    if not recipient:
        raise ValidationError(gettext("%(name)s has no e-mail address on file: call them instead.") % name)
    row = next((r for r in recall_rows(now=now) if r.patient.pk == patient.pk), None)
    if row is None:
        raise ValidationError(
            gettext("%(name)s is not due a recall any more (a visit is booked, or the plan ended).") % name
        )
    # In the language on the patient's record (a child's, which the guardian's switch sets too), whoever sends it.
    with translation.override(supported_language(patient.language)):
        subject, text = _message(row, patient=patient, guardian=guardian, now=now)
    # The nudge's own record (the desk's list, the audit trail) keeps the reasons in the clinic's language.
    with translation.override(settings.LANGUAGE_CODE):
        reasons = "; ".join(_reasons(row.plan, last=row.last_visit, upcoming=row.next_visit, now=now))
    notice = outbox.notice_record(
        kind=OutgoingNotice.Kind.RECALL,
        patient=patient,
        recipient=recipient,
        context={"plan": row.plan.pk},
        subject=subject,
        body=text,
        now=now,
    )
    nudge = RecallNudge(
        patient=patient,
        plan=row.plan,
        notice=notice,
        recipient=recipient,
        reasons=reasons[:300],
        sent_by=actor,
        sent_at=now,
    )
    nudge.full_clean()
    nudge.save()
    audit_record(actor=actor, action="recall.nudge", obj=nudge, request=request, detail=nudge.reasons[:200])
    # Sent now, like the intake invitation; if the mail server fails, the outbox's sweep sends it later.
    transaction.on_commit(lambda: outbox.notice_deliver(notice.pk))
    return nudge


def recall_opt_out(*, patient: Patient, request=None, now: dt.datetime | None = None) -> RecallOptOut:
    """The patient asks for no more recall e-mails (from the e-mail's link). Opting out twice keeps the first."""
    now = now or timezone.now()
    existing = RecallOptOut.objects.filter(patient=patient).first()
    if existing is not None:
        return existing
    last = RecallNudge.objects.filter(patient=patient).order_by("-sent_at", "-pk").first()
    try:
        with transaction.atomic():
            row = RecallOptOut.objects.create(patient=patient, opted_out_at=now, nudge=last)
            audit_record(action="recall.opt_out", obj=row, request=request, detail="from the recall e-mail")
    except IntegrityError:  # two clicks at once: the first one's row stands
        return RecallOptOut.objects.get(patient=patient)
    return row


def opted_out(patient: Patient) -> RecallOptOut | None:
    return RecallOptOut.objects.filter(patient=patient).first()
