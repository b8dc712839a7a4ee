"""The clinic app's models: core people and places (`core`), families (`family`), the clinical record (`notes`),
the outbox (`outbox`).

`core` imports nothing from `intake` or `scheduling`. `notes` points at their rows by string reference
("scheduling.Appointment", "intake.ConsentSignature") and never imports their code.
"""

from clinic.models.careplans import (
    AcceptedHow,
    CarePlan,
    CarePlanStatus,
    GoalKind,
    PlanQuestionnaire,
    RecallNudge,
    RecallOptOut,
    RecallTemplate,
)
from clinic.models.core import (
    AuditEvent,
    Location,
    Patient,
    Practitioner,
    Room,
    User,
    UserManager,
    actor_link,
    colour_validator,
    phone_validator,
    translations_field,
    validate_time_zone,
)
from clinic.models.family import GuardianLink
from clinic.models.notes import BlockLandmark, NoteAddendum, NoteTemplate, PainScale, VisitNote
from clinic.models.outbox import OutgoingNotice
from clinic.models.records import RecordRequest

__all__ = [
    "AcceptedHow",
    "AuditEvent",
    "BlockLandmark",
    "CarePlan",
    "CarePlanStatus",
    "GoalKind",
    "GuardianLink",
    "Location",
    "NoteAddendum",
    "NoteTemplate",
    "OutgoingNotice",
    "PainScale",
    "Patient",
    "PlanQuestionnaire",
    "Practitioner",
    "RecallNudge",
    "RecallOptOut",
    "RecallTemplate",
    "RecordRequest",
    "Room",
    "User",
    "UserManager",
    "VisitNote",
    "actor_link",
    "colour_validator",
    "phone_validator",
    "translations_field",
    "validate_time_zone",
]
