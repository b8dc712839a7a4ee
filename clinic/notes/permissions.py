"""Who may see and write visit notes.

Practitioners and clinic admins read every note (clinical.read); only the practitioner who wrote a note
changes it while it is a draft (clinical.write plus authorship). Front desk and patients never get a note:
404 for the row, 403 for the pages (role_required). A refusal is audited through `deny_object`.
"""

from __future__ import annotations

from django.http import Http404

from clinic.models import VisitNote
from clinic.notes import selectors
from clinic.permissions import can, deny_object


def get_note_for_user(user, pk: int, *, write: bool = False) -> VisitNote:
    try:
        note = selectors.note_detail(pk)
    except (VisitNote.DoesNotExist, ValueError, TypeError):
        raise Http404("No such note.") from None
    if not can(user, "clinical.read", note.patient):
        deny_object(user, note, "note.read")
    if write:
        practitioner = getattr(user, "practitioner", None)
        if (
            not can(user, "clinical.write", note.patient)
            or practitioner is None
            or practitioner.pk != note.practitioner_id
        ):
            deny_object(user, note, "note.write")
    return note


def get_appointment_for_note(user, pk: int):
    """The appointment `pk` when `user` is its practitioner (the one who may write its note); 404 otherwise."""
    from scheduling import selectors as scheduling_selectors
    from scheduling.models import Appointment

    try:
        appointment = scheduling_selectors.appointment_detail(pk)
    except (Appointment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such appointment.") from None
    practitioner = getattr(user, "practitioner", None)
    if not can(user, "clinical.write") or practitioner is None or practitioner.pk != appointment.practitioner_id:
        deny_object(user, appointment, "note.start")
    return appointment
