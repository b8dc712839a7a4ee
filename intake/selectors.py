"""Reads of intake and consent that other apps ask for (the check-in gate, the calendar flags, notes).

Contract used by `scheduling` and the visit notes: `readiness_for_patients(ids)` answers for many patients
in a fixed number of queries; `patient_readiness(patient)` for one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from clinic.models import Patient


@dataclass(frozen=True)
class Readiness:
    """Is this patient's paperwork ready for treatment? `missing` says exactly what is not."""

    intake_status: str = "not_started"  # not_started | in_progress | submitted
    intake_submitted_at: object | None = None  # aware datetime of the latest submission
    consent_status: str = "missing"  # missing | current | out_of_date | withdrawn
    consent_covers_cervical: bool = False
    red_flags_unreviewed: bool = False
    missing: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ready(self) -> bool:
        return not self.missing


def readiness_for_patients(patient_ids: Iterable[int]) -> dict[int, Readiness]:
    """Readiness per patient id, in a number of queries that does not grow with the number of patients."""
    # No intake or consent models exist yet: every patient is missing both.
    missing = ("Intake form not started", "No signed consent")
    return {pid: Readiness(missing=missing) for pid in set(patient_ids)}


def patient_readiness(patient: Patient) -> Readiness:
    return readiness_for_patients([patient.pk])[patient.pk]
