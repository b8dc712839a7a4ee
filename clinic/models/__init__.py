"""The clinic app's models: core people and places (`core`), and the clinical record (`notes`).

`core` imports nothing from `intake` or `scheduling`. `notes` points at their rows by string reference
("scheduling.Appointment", "intake.ConsentSignature") and never imports their code.
"""

from clinic.models.core import (
    AuditEvent,
    Location,
    Patient,
    Practitioner,
    Room,
    User,
    UserManager,
    colour_validator,
    phone_validator,
    validate_time_zone,
)
from clinic.models.notes import BlockLandmark, NoteAddendum, NoteTemplate, VisitNote

__all__ = [
    "AuditEvent",
    "BlockLandmark",
    "Location",
    "NoteAddendum",
    "NoteTemplate",
    "Patient",
    "Practitioner",
    "Room",
    "User",
    "UserManager",
    "VisitNote",
    "colour_validator",
    "phone_validator",
    "validate_time_zone",
]
