"""Reads of care plans (a constant number of queries whatever the number of plans or versions)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext, pgettext

from clinic.models import CarePlan, PlanQuestionnaire
from clinic.models.careplans import CURRENT_STATES
from scheduling.models import Appointment


def careplan_detail(pk: int) -> CarePlan:
    return CarePlan.objects.select_related("patient", "practitioner", "accepted_by", "created_by", "previous").get(
        pk=pk
    )


def careplans_of_patient(patient) -> list[CarePlan]:
    """Every plan and version of the patient, newest first."""
    return list(CarePlan.objects.filter(patient=patient).select_related("practitioner").order_by("-created_at", "-pk"))


def careplan_versions(plan: CarePlan) -> list[CarePlan]:
    return list(CarePlan.objects.filter(lineage=plan.lineage).select_related("practitioner").order_by("-version"))


def plan_questionnaires_answered(patient) -> list[PlanQuestionnaire]:
    """The patient's answered plan questionnaires (every plan and questionnaire), oldest first. One query."""
    return list(
        PlanQuestionnaire.objects.filter(patient=patient, answered_at__isnull=False).order_by("answered_at", "pk")
    )


def careplan_current(patient) -> CarePlan | None:
    """The patient's current plan (proposed, accepted or active), if any."""
    return CarePlan.objects.filter(patient=patient, status__in=CURRENT_STATES).select_related("practitioner").first()


@dataclass(frozen=True)
class PlanPosition:
    """Where one appointment falls in the patient's current plan: visit `number` of `total`."""

    plan_id: int
    number: int
    total: int
    re_exam_visit: int | None
    re_exam_date: dt.date | None
    day: dt.date

    @property
    def is_re_exam(self) -> bool:
        return self.re_exam_visit == self.number or (
            self.re_exam_date is not None and self.re_exam_date == self.day and self.re_exam_visit is None
        )

    @property
    def past_plan(self) -> bool:
        return self.number > self.total

    @property
    def re_exam_overdue(self) -> bool:
        by_visit = self.re_exam_visit is not None and self.number > self.re_exam_visit
        by_date = self.re_exam_date is not None and self.day > self.re_exam_date
        return by_visit or by_date

    @property
    def label(self) -> str:
        """visit 7 of 12 · re-exam due at visit 12, in the active language (dates in its month names)."""
        text = gettext("visit %(number)s of %(total)s") % {"number": self.number, "total": self.total}
        if self.is_re_exam:
            return gettext("%(position)s · re-exam visit") % {"position": text}
        if self.re_exam_visit and self.number < self.re_exam_visit:
            return gettext("%(position)s · re-exam due at visit %(visit)s") % {
                "position": text,
                "visit": self.re_exam_visit,
            }
        if self.re_exam_date and self.day < self.re_exam_date:
            # Translators: date format: 4 Dec.
            day = formats.date_format(self.re_exam_date, pgettext("date format", "j M"))
            return gettext("%(position)s · re-exam due %(day)s") % {"position": text, "day": day}
        return text

    @property
    def short(self) -> str:
        """The label with its warnings in a few words, for a calendar block."""
        words = [self.label]
        if self.past_plan:
            words.append(gettext("past the plan"))
        if self.re_exam_overdue:
            words.append(gettext("re-exam overdue"))
        return " · ".join(words)

    @property
    def warnings(self) -> list[str]:
        out = []
        if self.past_plan:
            out.append(
                ngettext(
                    "Visits have run past the plan (%(total)s visit): review or change the plan.",
                    "Visits have run past the plan (%(total)s visits): review or change the plan.",
                    self.total,
                )
                % {"total": self.total}
            )
        if self.re_exam_overdue:
            if self.re_exam_visit:
                out.append(
                    gettext("Re-examination overdue (it was due at visit %(visit)s).") % {"visit": self.re_exam_visit}
                )
            else:
                # Translators: date format: 4 Dec 2026.
                day = formats.date_format(self.re_exam_date, pgettext("date format", "j M Y"))
                out.append(gettext("Re-examination overdue (it was due on %(day)s).") % {"day": day})
        return out


COUNTED_OUT = ("cancelled", "no_show")


def plan_positions(appointments) -> dict[int, PlanPosition]:
    """For each appointment of a patient with a current plan: its visit number in the plan (the patient's
    appointments since the plan was proposed, cancelled and missed ones left out). Two queries whatever the
    number of appointments and plans."""
    appointments = list(appointments)
    patient_ids = {a.patient_id for a in appointments}
    if not patient_ids:
        return {}
    plans = {
        p.patient_id: p
        for p in CarePlan.objects.filter(patient_id__in=patient_ids, status__in=CURRENT_STATES).only(
            "id", "patient_id", "phases", "re_exam_visit", "re_exam_date", "created_at"
        )
    }
    if not plans:
        return {}
    since = min(p.created_at for p in plans.values())
    numbers: dict[int, int] = {}
    counts: dict[int, int] = {}
    for pk, patient_id, start in (
        Appointment.objects.filter(patient_id__in=plans.keys(), start__gte=since)
        .exclude(status__in=COUNTED_OUT)
        .order_by("start", "pk")
        .values_list("pk", "patient_id", "start")
    ):
        if start < plans[patient_id].created_at:
            continue
        counts[patient_id] = counts.get(patient_id, 0) + 1
        numbers[pk] = counts[patient_id]
    out = {}
    for a in appointments:
        plan = plans.get(a.patient_id)
        if plan is None or a.pk not in numbers:
            continue
        out[a.pk] = PlanPosition(
            plan_id=plan.pk,
            number=numbers[a.pk],
            total=plan.total_visits,
            re_exam_visit=plan.re_exam_visit,
            re_exam_date=plan.re_exam_date,
            day=timezone.localtime(a.start).date(),
        )
    return out


def annotate_positions(appointments) -> None:
    """Set `careplan_position` (a PlanPosition or None) on each appointment, for the templates."""
    appointments = list(appointments)
    positions = plan_positions(appointments)
    for a in appointments:
        a.careplan_position = positions.get(a.pk)


# The days a phase's visits are suggested on, by visits per week (the desk can change them on the series page).
SUGGESTED_WEEKDAYS = {1: [0], 2: [1, 3], 3: [0, 2, 4], 4: [0, 1, 3, 4], 5: [0, 1, 2, 3, 4], 6: [0, 1, 2, 3, 4, 5]}


def phase_progress(plan: CarePlan) -> list[dict]:
    """Each phase with booked (still to come), attended, missed and remaining visits. A visit belongs to the phase
    its number falls in (see `plan_positions`); a missed visit to the phase the patient was in. Two queries."""
    rows = plan.phase_rows()
    for row in rows:
        row.update(booked=0, attended=0, missed=0)
        row["weekdays"] = SUGGESTED_WEEKDAYS.get(int(row["visits_per_week"]), [0, 2, 4])
    if not rows:
        return rows
    number = 0
    for status in (
        Appointment.objects.filter(patient_id=plan.patient_id, start__gte=plan.created_at)
        .exclude(status="cancelled")
        .order_by("start", "pk")
        .values_list("status", flat=True)
    ):
        phase = next((r for r in rows if r["first"] <= number + 1 <= r["last"]), rows[-1])
        if status == "no_show":
            phase["missed"] += 1
            continue
        number += 1
        phase["attended" if status == "completed" else "booked"] += 1
    for row in rows:
        row["remaining"] = max(row["visits"] - row["attended"] - row["booked"], 0)
    return rows
