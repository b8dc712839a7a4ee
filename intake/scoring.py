"""Scoring of outcome questionnaires (NDI, ODI and any clinic-loaded one with the same rule)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Score:
    total: int
    items_answered: int
    percent: Decimal | None  # None when nothing was answered: a score of 0% would be a false statement
    band: str


def band_for(percent: Decimal | None, bands: Sequence[Mapping]) -> str:
    """The label of the first band whose upper limit is not below `percent`; "" if none applies."""
    if percent is None:
        return ""
    for band in bands:
        if percent <= Decimal(str(band["max"])):
            return str(band["label"])
    return ""


def score_answers(answers: Mapping[str, int | None], *, max_item_score: int, bands: Sequence[Mapping]) -> Score:
    """percent = total / (max item score x items answered) x 100, one decimal; unanswered items are left out."""
    given = [int(value) for value in answers.values() if value is not None]
    if any(value < 0 or value > max_item_score for value in given):
        raise ValueError(f"Item scores must be between 0 and {max_item_score}.")
    total = sum(given)
    if not given:
        return Score(total=0, items_answered=0, percent=None, band="")
    percent = (Decimal(total) * 100 / (Decimal(max_item_score) * len(given))).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    return Score(total=total, items_answered=len(given), percent=percent, band=band_for(percent, bands))
