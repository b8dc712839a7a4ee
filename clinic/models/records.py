"""A patient's request for a copy of their whole record: asked for on /account/, produced and released by a
clinic admin (the patient then gets an e-mail and downloads it from their account)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from clinic.models.core import Patient, actor_link


class RecordRequest(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="record_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    released_by = actor_link()
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"Records request {self.pk} of patient {self.patient_id}"

    @property
    def is_released(self) -> bool:
        return self.released_at is not None
