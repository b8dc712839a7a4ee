"""The waitlist: who wants an earlier time, and the e-mail offering them a time that became free."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext

from clinic import outbox
from clinic.models import AuditEvent, OutgoingNotice, Patient, Practitioner
from clinic.services import audit_record, update_audited
from scheduling import dates, selectors
from scheduling.models import Appointment, AppointmentType, WaitlistEntry
from scheduling.services.common import SchedulingError, when_text

Status = Appointment.Status


@transaction.atomic
def waitlist_add(
    *,
    patient: Patient,
    appointment_type: AppointmentType,
    practitioners: Sequence[Practitioner] = (),
    earliest_date: dt.date,
    latest_date: dt.date,
    time_from: dt.time = dt.time(7, 0),
    time_to: dt.time = dt.time(20, 0),
    notes: str = "",
    actor=None,
    request=None,
) -> WaitlistEntry:
    """Put a patient on the waitlist for a type, with the practitioners, dates and times of day acceptable."""
    entry = WaitlistEntry(
        patient=patient,
        appointment_type=appointment_type,
        earliest_date=earliest_date,
        latest_date=latest_date,
        time_from=time_from,
        time_to=time_to,
        notes=notes,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    try:
        entry.full_clean()
    except ValidationError as exc:
        raise SchedulingError(
            exc.message_dict if hasattr(exc, "error_dict") else {"latest_date": exc.messages}
        ) from exc
    entry.save()
    entry.practitioners.set(practitioners)
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=entry, request=request, detail="waitlist")
    return entry


@transaction.atomic
def waitlist_offer(*, entry: WaitlistEntry, appointment: Appointment, actor=None, request=None) -> WaitlistEntry:
    """E-mail the patient that a matching time became free (first to call the clinic gets it). The e-mail is
    recorded in the outbox with the offer and sent here; if the mail server fails, the outbox sends it later."""
    if appointment.status != Status.CANCELLED:
        raise SchedulingError(gettext("Only the time of a cancelled appointment can be offered."))
    if not entry.patient.email:
        raise SchedulingError(gettext("This patient has no e-mail address on file; call them instead."))
    start = timezone.localtime(appointment.start)
    # The message is fixed now (the outbox sends it as it is): write it in the language on the patient's record,
    # whatever the language of whoever cancelled.
    with translation.override(entry.patient.language or settings.LANGUAGE_CODE):
        body = render_to_string(
            "scheduling/email/waitlist_offer.txt",
            {
                "patient": entry.patient,
                "appointment_type": appointment.appointment_type,
                "practitioner": appointment.practitioner,
                "start": start,
                "clinic_name": settings.CLINIC_NAME,
                "clinic_phone": settings.CLINIC_PHONE,
            },
        )
        subject = gettext("%(clinic)s: a time is free on %(day)s at %(time)s") % {
            "clinic": settings.CLINIC_NAME,
            "day": dates.day_short_padded(start),
            "time": dates.clock(start),
        }
    notice = outbox.notice_record(
        kind=OutgoingNotice.Kind.WAITLIST_OFFER,
        patient=entry.patient,
        recipient=entry.patient.email,
        context={"waitlist_entry": entry.pk, "appointment": appointment.pk},
        subject=subject,
        body=body,
    )
    update_audited(
        entry,
        {"offered_at": timezone.now()},
        actor=actor,
        request=request,
        detail=f"offered {when_text(appointment.start)} by e-mail",
    )
    outbox.notice_deliver(notice.pk)
    return entry


@transaction.atomic
def waitlist_remove(*, entry: WaitlistEntry, actor=None, request=None) -> WaitlistEntry:
    update_audited(entry, {"active": False}, actor=actor, request=request, detail="left waitlist")
    return entry


def waitlist_offer_freed(*, appointment_id: int) -> int:
    """Offer a cancelled appointment's time to every matching waitlist entry with an e-mail address."""
    appointment = selectors.appointment_detail(appointment_id)
    offered = 0
    for entry in selectors.waitlist_matches(appointment):
        if not entry.patient.email:
            continue
        try:
            waitlist_offer(entry=entry, appointment=appointment)
        except SchedulingError:
            continue
        offered += 1
    return offered
