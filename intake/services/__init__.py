"""Writes of intake and consent, one module per concern. Each service validates, saves, and leaves an audit entry.

`common` (the refusal every service raises, "done once") <- `urgent` (answers that cannot wait) <- `submissions`
(the intake form and the red-flag review); `consent`, `invitations` and `questionnaires` use `common` only.
`from intake import services` keeps working: the public names are re-exported here.
"""

from intake.services.common import IntakeError
from intake.services.consent import (
    consent_record_discussed,
    consent_sign,
    consent_version_activate,
    consent_version_create,
    consent_version_update,
    consent_withdraw,
)
from intake.services.invitations import (
    INVITATION_SALT,
    invitation_from_token,
    invitation_fulfilled,
    invitation_mark_used,
    invitation_max_age,
    invitation_revoke,
    invitation_send,
    invitation_token,
)
from intake.services.questionnaires import questionnaire_load
from intake.services.submissions import (
    intake_missing_steps,
    intake_save_step,
    intake_start,
    intake_submit,
    questionnaire_for_area,
    red_flags_review,
)
from intake.services.urgent import urgent_alert_handle, urgent_alert_raise

__all__ = [
    "INVITATION_SALT",
    "IntakeError",
    "consent_record_discussed",
    "consent_sign",
    "consent_version_activate",
    "consent_version_create",
    "consent_version_update",
    "consent_withdraw",
    "intake_missing_steps",
    "intake_save_step",
    "intake_start",
    "intake_submit",
    "invitation_from_token",
    "invitation_fulfilled",
    "invitation_mark_used",
    "invitation_max_age",
    "invitation_revoke",
    "invitation_send",
    "invitation_token",
    "questionnaire_for_area",
    "questionnaire_load",
    "red_flags_review",
    "urgent_alert_handle",
    "urgent_alert_raise",
]
