"""Families: a patient account (the guardian) acting for the patient records of their children."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.models.core import Patient, actor_link


class GuardianLink(models.Model):
    """A login that may book, fill the intake and sign consent for a child's record (the dependant).

    Made by the account holder (adding a child online) or by the front desk (linking an existing record); ended
    by the front desk, or when the child reaches the age of consent. Ended links are kept: who could act for the
    child, and until when, is part of the record."""

    guardian = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="dependant_links")
    dependant = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="guardian_links")
    relationship = models.CharField(max_length=80, help_text=_("e.g. mother, father, legal guardian"))
    created_at = models.DateTimeField(default=timezone.now)
    created_by = actor_link()
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = actor_link()
    end_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["dependant__first_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["guardian", "dependant"],
                condition=Q(ended_at__isnull=True),
                name="guardian_link_one_active_per_pair",
            )
        ]

    def __str__(self) -> str:
        return f"{self.guardian} for {self.dependant} ({self.relationship})"

    @property
    def active(self) -> bool:
        return self.ended_at is None
