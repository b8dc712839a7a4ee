"""Invitation links: signed, sent through the outbox, revoked, and ended once their intake is submitted."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clinic import outbox
from clinic.models import AuditEvent, OutgoingNotice, Patient
from clinic.services import audit_record, update_audited
from intake.models import IntakeInvitation, IntakeSubmission
from intake.services.common import IntakeError

INVITATION_SALT = "intake.invitation"


def invitation_max_age() -> dt.timedelta:
    return dt.timedelta(days=settings.INTAKE_INVITATION_DAYS)


def invitation_token(invitation: IntakeInvitation) -> str:
    return signing.TimestampSigner(salt=INVITATION_SALT).sign(str(invitation.pk))


def invitation_from_token(token: str) -> IntakeInvitation:
    """The invitation a link names. Raises IntakeError with a message for the patient when it cannot be used."""
    signer = signing.TimestampSigner(salt=INVITATION_SALT)
    try:
        pk = signer.unsign(token, max_age=invitation_max_age())
    except signing.SignatureExpired:
        raise IntakeError(_("This link has expired. Ask the clinic to send you a new one.")) from None
    except signing.BadSignature:
        raise IntakeError(
            _("This link is not valid. Check that you copied all of it, or ask the clinic for a new one.")
        ) from None
    invitation = IntakeInvitation.objects.select_related("patient").filter(pk=pk).first()
    if invitation is None or invitation.revoked_at is not None:
        raise IntakeError(_("This link is no longer valid. Ask the clinic to send you a new one."))
    if not invitation.is_usable():
        raise IntakeError(_("This link has expired. Ask the clinic to send you a new one."))
    if invitation_fulfilled(invitation):
        raise IntakeError(
            _(
                "The intake form this link was sent for has been submitted, so the link no longer opens it. "
                "To change an answer, call the clinic on %(phone)s."
            )
            % {"phone": settings.CLINIC_PHONE}
        )
    return invitation


def invitation_fulfilled(invitation: IntakeInvitation) -> bool:
    """An invitation has done its job once the patient submits an intake after it was sent."""
    return IntakeSubmission.objects.filter(
        patient_id=invitation.patient_id,
        status=IntakeSubmission.Status.SUBMITTED,
        submitted_at__gte=invitation.sent_at,
    ).exists()


@transaction.atomic
def invitation_send(*, patient: Patient, email: str, actor, request=None) -> tuple[IntakeInvitation, str]:
    """Create an invitation link and e-mail it to the patient. Returns the invitation and the full link.

    The e-mail is recorded in the core outbox with the invitation and sent here; if the mail server fails,
    the outbox's sweep sends it later. The link is built from CLINIC_SITE_URL, never from the request's Host.
    """
    now = timezone.now()
    invitation = IntakeInvitation(
        patient=patient, email=email, sent_by=actor, sent_at=now, expires_at=now + invitation_max_age()
    )
    invitation.full_clean()
    invitation.save()
    link = settings.CLINIC_SITE_URL + reverse("intake:invitation_accept", args=[invitation_token(invitation)])
    days = settings.INTAKE_INVITATION_DAYS
    # In the patient's language (stored on their record), whoever at the clinic sends it.
    with translation.override(patient.language or settings.LANGUAGE_CODE):
        facts = {
            "clinic": settings.CLINIC_NAME,
            "phone": settings.CLINIC_PHONE,
            "name": patient.first_name,
            "link": link,
            "days": days,
        }
        subject = _("Your intake form for %(clinic)s") % facts
        body = (
            _("Hello %(name)s,") % facts
            + "\n\n"
            + _("Before your first visit, please fill in the intake form and read the consent document here:")
            + f"\n\n{link}\n\n"
            + ngettext(
                "The link works for %(days)s day. Your answers are saved as you go, so you can stop and come back.",
                "The link works for %(days)s days. Your answers are saved as you go, so you can stop and come back.",
                days,
            )
            % facts
            + "\n\n"
            + f"{settings.CLINIC_NAME} · {settings.CLINIC_PHONE}"
        )
    notice = outbox.notice_record(
        kind=OutgoingNotice.Kind.INTAKE_INVITATION,
        patient=patient,
        recipient=email,
        context={"invitation": invitation.pk},
        subject=subject,
        body=body,
        now=now,
    )
    audit_record(
        actor=actor, action=AuditEvent.Action.CREATE, obj=invitation, request=request, detail="invitation sent"
    )
    outbox.notice_deliver(notice.pk)
    return invitation, link


@transaction.atomic
def invitation_revoke(*, invitation: IntakeInvitation, actor, request=None) -> IntakeInvitation:
    """Stop a link from working (sent to a wrong address, or no longer wanted); it stays on record."""
    locked = IntakeInvitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.revoked_at is None:
        update_audited(
            locked, {"revoked_at": timezone.now()}, actor=actor, request=request, detail="invitation revoked"
        )
    return locked


def invitation_mark_used(*, invitation: IntakeInvitation, request=None) -> None:
    IntakeInvitation.objects.filter(pk=invitation.pk).update(last_used_at=timezone.now())
    audit_record(action=AuditEvent.Action.LOGIN, obj=invitation, request=request, detail="invitation link opened")
