"""Outcomes: the share of the patients seen whose pain or questionnaire score improved meaningfully."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import CharField, DecimalField, F, QuerySet, Value
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from clinic.models import VisitNote
from clinic.models.careplans import PlanQuestionnaire
from clinic.notes.selectors import pain_meaningful_change
from intake.models import OutcomeScore, Questionnaire
from reports.selectors.common import ATTENDED, Scope, _bounds, _fmt_number, _sql, appointments_in


@dataclass(frozen=True)
class OutcomeRow:
    label: str  # "Pain", a questionnaire's code, or "Either"
    threshold: str  # the meaningful change, as written for people
    measured: int  # patients with at least two measures (the first, and a later one)
    improved: int  # of which the latest is better than the first by at least the meaningful change

    @property
    def pct(self) -> float:
        return round(100 * self.improved / self.measured, 1) if self.measured else 0.0


@dataclass(frozen=True)
class Outcomes:
    seen: int  # patients with an attended visit in the range
    rows: list[OutcomeRow]


def _measures(scope: Scope, questionnaires: list[tuple[int, str, Decimal]], pain_change: float) -> QuerySet:
    """Every measure up to the end of the range, as rows (patient, measure, value, when, tie-break, meaningful
    change): pain from the visit notes, and each questionnaire's percent from the intake (`OutcomeScore`) and from
    the care plans (`PlanQuestionnaire`, scored by the same rule). One UNION ALL; `_OUTCOMES_SQL` keeps the
    patients seen."""
    _, end = _bounds(scope)
    value = DecimalField(max_digits=5, decimal_places=1)

    def columns(qs: QuerySet, key: str, v: str, when: str, change: Decimal, order: str = "pk") -> QuerySet:
        return (
            qs.order_by()
            .annotate(
                m_p=F("patient_id"),
                m_k=Value(key, output_field=CharField()),
                m_v=Cast(v, value),
                m_at=F(when),
                m_o=F(order),
                m_c=Value(change, output_field=value),
            )
            .values("m_p", "m_k", "m_v", "m_at", "m_o", "m_c")
        )

    # From the notes' side: only the notes with a pain score are read, each finding its appointment's start.
    pain = VisitNote.objects.filter(pain_today__isnull=False, appointment__start__lt=end)
    pain_change = Decimal(str(pain_change))
    parts = [columns(pain, "pain", "pain_today", "appointment__start", pain_change, order="appointment_id")]
    for pk, code, change in questionnaires:
        intake = OutcomeScore.objects.filter(questionnaire_id=pk, percent__isnull=False, scored_at__lt=end)
        plan = PlanQuestionnaire.objects.filter(questionnaire_code=code, percent__isnull=False, answered_at__lt=end)
        parts.append(columns(intake, code, "percent", "scored_at", Decimal(change)))
        parts.append(columns(plan, code, "percent", "answered_at", Decimal(change)))
    return parts[0].union(*parts[1:], all=True)


# The patients seen, once; per patient and measure the first and latest value and how many (one window: one
# sort); whether measured twice and improved; then the counts per measure and over either (a patient counts once).
_OUTCOMES_SQL = """
WITH seen AS (SELECT DISTINCT patient_id FROM ({seen}) s),
m AS ({measures}),
ranked AS (
    SELECT m_p, m_k, m_c,
        ROW_NUMBER() OVER w AS up,
        COUNT(*) OVER w AS n,
        FIRST_VALUE(m_v) OVER w AS first_v,
        LAST_VALUE(m_v) OVER w AS latest_v
    FROM m
    WHERE m_p IN (SELECT patient_id FROM seen)
    WINDOW w AS (PARTITION BY m_p, m_k ORDER BY m_at, m_o ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
),
judged AS (
    SELECT m_p, m_k,
        CASE WHEN n >= 2 THEN 1 ELSE 0 END AS measured,
        CASE WHEN n >= 2 AND first_v >= latest_v + m_c THEN 1 ELSE 0 END AS improved
    FROM ranked
    WHERE up = 1
),
either AS (SELECT m_p, MAX(measured) AS measured, MAX(improved) AS improved FROM judged GROUP BY m_p)
SELECT m_k, SUM(measured), SUM(improved) FROM judged GROUP BY m_k
UNION ALL
SELECT %s, SUM(measured), SUM(improved) FROM either
UNION ALL
SELECT %s, COUNT(*), 0 FROM seen
"""
_EITHER, _SEEN = "either measure", "patients seen"


def outcomes(scope: Scope) -> Outcomes:
    """Of the patients seen in the range (at the location, by the practitioner): the share whose pain or
    questionnaire score improved by at least the meaningful change between their first measure and their latest
    measure up to the end of the range. Lower is better on every measure (pain 0-10, NDI and ODI percents).
    Pain is the visit note's pain today; a questionnaire's measures are the intake's scores and the care plans'
    (the same questionnaire scored by the same rule); the meaningful change of each questionnaire is its
    `meaningful_change`, pain's `PainScale.meaningful_change`. Three queries: the pain scale, the
    questionnaires, then one over every measure of the patients seen, ranked by window functions (no
    per-patient subquery)."""
    questionnaires = list(
        Questionnaire.objects.filter(meaningful_change__isnull=False)
        .order_by("code")
        .values_list("pk", "code", "meaningful_change")
    )
    pain_change = pain_meaningful_change()
    measures_sql, measures_params = _sql(_measures(scope, questionnaires, pain_change))
    seen_sql, seen_params = _sql(appointments_in(scope).filter(status__in=ATTENDED).order_by().values("patient_id"))
    with connection.cursor() as cursor:
        cursor.execute(
            _OUTCOMES_SQL.format(seen=seen_sql, measures=measures_sql),
            [*seen_params, *measures_params, _EITHER, _SEEN],
        )
        figures = {key: (int(measured or 0), int(improved or 0)) for key, measured, improved in cursor.fetchall()}
    measures = [("pain", _("Pain"), _("%(number)s points of 10") % {"number": _fmt_number(pain_change)})]
    percentage = _("%(number)s percentage points")
    measures += [(code, code.upper(), percentage % {"number": _fmt_number(c)}) for _pk, code, c in questionnaires]
    rows = [OutcomeRow(label, text, *figures.get(key, (0, 0))) for key, label, text in measures]
    rows.append(OutcomeRow(_("Either measure"), _("either of the above"), *figures.get(_EITHER, (0, 0))))
    return Outcomes(seen=figures[_SEEN][0], rows=rows)
