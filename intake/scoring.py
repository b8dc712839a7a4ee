"""Scoring of outcome questionnaires (NDI, ODI and any clinic-loaded one with the same rule).

percent = total / (max item score x items answered) x 100. The NDI and ODI scoring guides score a form with one
item missed out of the rest; with more missing the form is "not scored" (`Questionnaire.max_missing_items`),
because a percentage from half the answers would mislead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Score:
    total: int
    items_answered: int
    percent: Decimal | None  # None when not scored: a score of 0% (or from half the items) would be a false statement
    band: str
    items_missing: int = 0

    @property
    def not_scored_reason(self) -> str:
        return not_scored_reason(self.percent, self.items_answered, self.items_missing)


def not_scored_reason(percent, items_answered: int, items_missing: int) -> str:
    """Why a questionnaire has no score, in the clinic's words; "" when it has one."""
    if percent is not None:
        return ""
    if not items_answered:
        return _("not scored: no question answered")
    return _("not scored: too many questions missing (%(missing)s of %(count)s skipped)") % {
        "missing": items_missing,
        "count": items_answered + items_missing,
    }


def band_for(percent: Decimal | None, bands: Sequence[Mapping]) -> str:
    """The label of the first band whose upper limit is not below `percent`; "" if none applies."""
    if percent is None:
        return ""
    for band in bands:
        if percent <= Decimal(str(band["max"])):
            return str(band["label"])
    return ""


def score_answers(
    answers: Mapping[str, int | None],
    *,
    max_item_score: int,
    bands: Sequence[Mapping],
    max_missing: int | None = None,
) -> Score:
    """Score the answered items (None = not answered, left out of the percent); with more than `max_missing`
    items unanswered (None: no limit) the form is not scored."""
    given = [int(value) for value in answers.values() if value is not None]
    if any(value < 0 or value > max_item_score for value in given):
        raise ValueError(f"Item scores must be between 0 and {max_item_score}.")
    total = sum(given)
    missing = len(answers) - len(given)
    if not given or (max_missing is not None and missing > max_missing):
        return Score(total=total, items_answered=len(given), percent=None, band="", items_missing=missing)
    percent = (Decimal(total) * 100 / (Decimal(max_item_score) * len(given))).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    return Score(
        total=total, items_answered=len(given), percent=percent, band=band_for(percent, bands), items_missing=missing
    )
