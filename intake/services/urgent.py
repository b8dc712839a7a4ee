"""Answers that cannot wait: the alert and e-mail to the clinic when the red-flag step is saved, and the
desk recording that the patient was contacted."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from clinic import outbox
from clinic.apphooks import practitioner_for
from clinic.models import AuditEvent, OutgoingNotice
from clinic.services import save_audited
from intake import content
from intake.models import IntakeSubmission, UrgentAnswerAlert
from intake.services.common import record_once


def urgent_alert_raise(
    *, submission: IntakeSubmission, answers: dict[str, Any], actor=None, request=None
) -> UrgentAnswerAlert | None:
    """Tell the clinic at once when saved answers need care before the visit (a possible stroke or cauda equina):
    an alert on the front desk's day view and an e-mail, through the outbox, to the practitioner of the patient's
    next (else latest) visit, or to the clinic's address when they have none. An answer already alerted for this
    form is not sent twice; a newly added one is. Returns the new alert, or None when nothing new is urgent."""
    urgent = [
        code for code, _q, _a in content.RED_FLAGS if code in content.URGENT_RED_FLAGS and answers.get(code) == "yes"
    ]
    alerted = {code for codes in submission.urgent_alerts.values_list("codes", flat=True) for code in codes}
    new = [code for code in urgent if code not in alerted]
    if not new:
        return None
    patient = submission.patient
    phone = submission.step_data("about").get("phone") or patient.phone  # typed in this form, else on file
    practitioner = practitioner_for(patient)
    recipient = (practitioner.user.email if practitioner else "") or settings.CLINIC_EMAIL
    alert = save_audited(
        UrgentAnswerAlert(patient=patient, submission=submission, codes=new, notified=recipient),
        actor=actor,
        action=AuditEvent.Action.CREATE,
        request=request,
        detail=f"urgent intake answers: {', '.join(new)}; e-mail to {recipient}",
    )
    # To the clinic, in the clinic's language whatever language the patient's form was in. The clinical labels go
    # to the practitioner only; the clinic's shared address reads what the patient was told.
    with translation.override(settings.LANGUAGE_CODE):
        labels = "\n".join(
            f"- {content.RED_FLAG_LABELS[code] if practitioner else content.RED_FLAG_QUESTIONS[code]}" for code in new
        )
        told = "\n".join(f"- {text}" for text in alert.advice_given)
        link = settings.CLINIC_SITE_URL + reverse("scheduling:frontdesk_home")
        facts = {
            "name": patient.full_name,
            "born": date_format(patient.date_of_birth, "d M Y"),
            "phone": phone or _("not given"),
            "labels": labels,
            "told": told,
            "link": link,
            "clinic": settings.CLINIC_NAME,
        }
        subject = _("Urgent: intake answers of %(name)s need a call today") % facts
        body = (
            _(
                "%(name)s (born %(born)s, phone %(phone)s) has just answered yes in the intake form to:\n"
                "%(labels)s\n\n"
                "The form told them:\n%(told)s\n\n"
                "Please call the patient today, then record it on the front desk's day view:\n"
                "%(link)s\n\n"
                "%(clinic)s"
            )
            % facts
        )
    outbox.notice_queue(
        kind=OutgoingNotice.Kind.URGENT_ANSWER,
        patient=patient,
        recipient=recipient,
        context={"alert": alert.pk},
        subject=subject,
        body=body,
    )
    return alert


@transaction.atomic
def urgent_alert_handle(*, alert: UrgentAnswerAlert, user, note: str = "", request=None) -> UrgentAnswerAlert:
    """Record that someone at the clinic contacted the patient about their urgent answers; the alert then clears."""
    return record_once(
        alert,
        done_at="handled_at",
        refusal=lambda when: (
            _("This alert was already handled on %(when)s.") % {"when": date_format(when, "d M Y, H:i")}
        ),
        changes={"handled_by": user, "handled_note": note.strip()},
        actor=user,
        request=request,
        detail="urgent alert handled",
    )
