"""Who may see and write visit notes.

Practitioners and clinic admins read every note (clinical.read); only the practitioner who wrote a note
changes it while it is a draft (clinical.write plus authorship). Front desk and patients never get a note:
404 for the row, 403 for the pages (role_required). A refusal is audited through `deny_object`.
"""

from __future__ import annotations

from django.http import Http404

from clinic.models import User, VisitNote
from clinic.notes import selectors
from clinic.permissions import can, deny_object
from scheduling import selectors as scheduling_selectors
from scheduling.models import Appointment


def _is_practitioner(user, practitioner) -> bool:
    """Is `practitioner` (a row already read) the one of `user`? Answered without a query; when it is, later
    `user.practitioner` reads (the services' author checks) ask none either."""
    if practitioner is None or not user.is_authenticated or practitioner.user_id != user.pk:
        return False
    User.practitioner.related.set_cached_value(user, practitioner)
    return True


def get_note_for_user(user, pk: int, *, write: bool = False) -> VisitNote:
    try:
        # A draft being written has no addenda (they are for signed notes): not fetched for the writer's pages.
        note = selectors.note_for_writing(pk) if write else selectors.note_detail(pk)
    except (VisitNote.DoesNotExist, ValueError, TypeError):
        raise Http404("No such note.") from None
    if not can(user, "clinical.read", note.patient):
        deny_object(user, note, "note.read")
    if write and (not can(user, "clinical.write", note.patient) or not _is_practitioner(user, note.practitioner)):
        deny_object(user, note, "note.write")
    return note


def get_appointment_for_note(user, pk: int):
    """The appointment `pk` when `user` is its practitioner (the one who may write its note); 404 otherwise."""
    try:
        appointment = scheduling_selectors.appointment_detail(pk)
    except (Appointment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such appointment.") from None
    if not can(user, "clinical.write") or not _is_practitioner(user, appointment.practitioner):
        deny_object(user, appointment, "note.start")
    return appointment
