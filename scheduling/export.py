"""Scheduling's part of a patient's records export (see clinic.services.patient_export): appointments,
care-plan series and waitlist entries of that patient, as stored (times in UTC)."""

from __future__ import annotations

from typing import Any

from clinic.models import Patient
from scheduling.models import Appointment, CarePlanSeries, WaitlistEntry


def _who(user) -> str | None:
    return user.email if user is not None else None


def patient_records(patient: Patient) -> dict[str, Any]:
    appointments = (
        Appointment.objects.filter(patient=patient)
        .select_related("practitioner", "room__location", "appointment_type", "booked_by", "cancelled_by")
        .order_by("start", "id")
    )
    series = CarePlanSeries.objects.filter(patient=patient).select_related("practitioner", "appointment_type")
    waitlist = (
        WaitlistEntry.objects.filter(patient=patient)
        .select_related("appointment_type")
        .prefetch_related("practitioners")
        .order_by("created_at", "id")
    )
    return {
        "appointments": [
            {
                "id": a.pk,
                "uid": str(a.uid),
                "type": a.appointment_type.name,
                "practitioner": a.practitioner.display_name,
                "practitioner_id": a.practitioner_id,
                "location": a.room.location.name,
                "location_id": a.room.location_id,
                "room": a.room.name,
                "start": a.start,
                "end": a.end,
                "status": a.status,
                "source": a.source,
                "booked_by": _who(a.booked_by),
                "frontdesk_notes": a.frontdesk_notes,
                "cancellation_reason": a.cancellation_reason,
                "cancelled_by": _who(a.cancelled_by),
                "cancelled_at": a.cancelled_at,
                "checked_in_at": a.checked_in_at,
                "check_in_override_reason": a.check_in_override_reason,
                "series_id": a.series_id,
                "reminder_sent_at": a.reminder_sent_at,
                "created_at": a.created_at,
                "updated_at": a.updated_at,
            }
            for a in appointments
        ],
        "care_plan_series": [
            {
                "id": s.pk,
                "type": s.appointment_type.name,
                "practitioner": s.practitioner.display_name,
                "first_date": s.first_date,
                "weeks": s.weeks,
                "weekdays": s.weekday_list_display,
                "time_of_day": s.time_of_day,
                "notes": s.notes,
                "created_at": s.created_at,
            }
            for s in series.order_by("created_at", "id")
        ],
        "waitlist": [
            {
                "id": w.pk,
                "type": w.appointment_type.name,
                "practitioners": [p.display_name for p in w.practitioners.all()] or "any",
                "earliest_date": w.earliest_date,
                "latest_date": w.latest_date,
                "time_from": w.time_from,
                "time_to": w.time_to,
                "notes": w.notes,
                "active": w.active,
                "offered_at": w.offered_at,
                "created_at": w.created_at,
            }
            for w in waitlist
        ],
    }
