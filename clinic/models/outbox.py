"""The outbox: one row for every e-mail the clinic has promised a patient (see clinic/outbox.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clinic.models.core import Patient


class OutgoingNotice(models.Model):
    """An e-mail decided by a change (a booking, a cancellation, an invitation) and written in the same
    transaction, so that it is sent at least once even if the worker dies; the send claims the row first."""

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("Booking confirmation")
        SERIES_CONFIRMATION = "series_confirmation", _("Care-plan series confirmation")
        RESCHEDULE = "reschedule", _("New time")
        CANCELLATION = "cancellation", pgettext_lazy("outgoing notice kind", "Cancellation")
        REMINDER = "reminder", pgettext_lazy("outgoing notice kind", "Reminder")
        WAITLIST_OFFER = "waitlist_offer", _("Waitlist offer")
        INTAKE_INVITATION = "intake_invitation", _("Intake invitation")
        FAMILY = "family", _("Family account")
        RECORDS_READY = "records_ready", _("Copy of the record ready")
        URGENT_ANSWER = "urgent_answer", _("Urgent intake answer (to the clinic)")
        CAREPLAN_QUESTIONNAIRE = "careplan_questionnaire", _("Care-plan questionnaire")
        RECALL = "recall", pgettext_lazy("outgoing notice kind", "Recall")

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", pgettext_lazy("outgoing notice state", "Sent")
        SKIPPED = "skipped", _("Not needed any more")
        FAILED = "failed", _("Failed: call the patient")

    kind = models.CharField(max_length=32, choices=Kind.choices)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="outgoing_notices")
    recipient = models.EmailField()
    # The ids the sender needs (appointment and its sequence, waitlist entry, invitation): the notice names
    # them without the core importing the apps that own them.
    context = models.JSONField(default=dict, blank=True)
    # Filled when the message is fixed at decision time (invitation, waitlist offer); empty when the sender
    # renders it at send time from the appointment as it is then (a notice for a time since moved is skipped).
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # When it was last handed to the worker: the sweep hands it again if nothing happened for a few minutes.
    queued_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=100, blank=True, help_text=_("Why it was not needed, when skipped."))
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "queued_at"], name="notice_state_queued"),
            models.Index(fields=["state", "claimed_at"], name="notice_state_claimed"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.recipient} ({self.get_state_display()})"
