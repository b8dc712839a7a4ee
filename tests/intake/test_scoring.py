from decimal import Decimal

import pytest

from intake.questionnaire_data import NDI, ODI
from intake.scoring import band_for, score_answers

ODI_BANDS = ODI["bands"]


def test_all_items_answered_scores_percent_of_fifty():
    answers = {f"i{n}": 2 for n in range(10)}  # total 20 of 50
    score = score_answers(answers, max_item_score=5, bands=ODI_BANDS)
    assert (score.total, score.items_answered, score.percent, score.band) == (
        20,
        10,
        Decimal("40.0"),
        "Moderate disability",
    )


def test_unanswered_items_are_left_out_of_the_denominator():
    answers = {"a": 5, "b": 4, "c": None, "d": 3, "e": None, "f": 0, "g": 1, "h": 2, "i": None, "j": 3}
    score = score_answers(answers, max_item_score=5, bands=ODI_BANDS)
    # total 18 over 7 answered items: 18 / 35 x 100 = 51.43 -> 51.4
    assert (score.total, score.items_answered, score.percent) == (18, 7, Decimal("51.4"))
    assert score.band == "Severe disability"


def test_nothing_answered_gives_no_percent_and_no_band():
    score = score_answers({"a": None, "b": None}, max_item_score=5, bands=ODI_BANDS)
    assert (score.total, score.items_answered, score.percent, score.band) == (0, 0, None, "")


@pytest.mark.parametrize(
    ("percent", "band"),
    [
        (0, "Minimal disability"),
        (20, "Minimal disability"),
        (20.5, "Moderate disability"),
        (60, "Severe disability"),
        (61, "Crippled"),
        (81, "Bed-bound"),
        (100, "Bed-bound"),
    ],
)
def test_odi_band_edges(percent, band):
    assert band_for(Decimal(str(percent)), ODI_BANDS) == band


def test_ndi_bands_cover_zero_to_hundred():
    assert band_for(Decimal("0"), NDI["bands"]) == "No disability"
    assert band_for(Decimal("100"), NDI["bands"]) == "Complete"


def test_an_out_of_range_item_score_is_refused():
    with pytest.raises(ValueError, match="between 0 and 5"):
        score_answers({"a": 6}, max_item_score=5, bands=ODI_BANDS)


def test_each_questionnaire_has_ten_items_with_six_options():
    for definition in (NDI, ODI):
        assert len(definition["items"]) == 10
        assert all(len(item["options"]) == 6 for item in definition["items"])
