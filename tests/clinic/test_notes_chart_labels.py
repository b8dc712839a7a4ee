"""The trend chart labels enough dates to read the trend and marks the meaningful-change threshold: 2 points on
the 0-10 pain rating, the questionnaires' own thresholds as data (issue 13, item 22)."""

import datetime as dt
import itertools
import re
import zoneinfo
from dataclasses import dataclass

import pytest

from clinic.notes import charts
from intake import services as intake_services
from intake.models import Questionnaire
from intake.questionnaire_data import DEFINITIONS

NY = zoneinfo.ZoneInfo("America/New_York")


@dataclass
class P:
    at: dt.datetime
    value: float


def points(days, values):
    start = dt.datetime(2026, 11, 2, 10, tzinfo=NY)
    return [P(start + dt.timedelta(days=d), v) for d, v in zip(days, values, strict=True)]


def labels(svg: str) -> list[tuple[float, str]]:
    return [(float(x), text) for x, text in re.findall(r'<text x="([\d.]+)"[^>]*class="date-label">([^<]+)<', svg)]


@pytest.fixture(autouse=True)
def _zone(settings):
    settings.TIME_ZONE = "America/New_York"


def test_six_visits_get_more_than_the_first_and_last_date_and_none_overlap():
    series = [charts.Series("Visit notes", points([0, 4, 7, 11, 14, 28], [8, 7, 6, 5, 4, 3]))]
    svg = charts.trend_svg(series, y_max=10, y_step=2, y_label="Pain", title="Pain over time", empty_text="none")
    shown = labels(svg)
    assert len(shown) >= 4
    assert shown[0][1] == "2 Nov 2026" and shown[-1][1] == "30 Nov 2026"
    xs = [x for x, _ in shown]
    assert xs == sorted(xs)
    # middle labels (centred) keep clear of each other and of the end labels
    middle = xs[1:-1]
    for left, right in itertools.pairwise(middle):
        assert right - left >= charts.LABEL_WIDTH
    assert middle[0] - charts.LABEL_WIDTH / 2 >= xs[0] + charts.END_LABEL_WIDTH
    assert middle[-1] + charts.LABEL_WIDTH / 2 <= xs[-1] - charts.END_LABEL_WIDTH


def test_three_close_days_are_all_labelled():
    series = [charts.Series("Visit notes", points([0, 10, 20], [8, 6, 4]))]
    svg = charts.trend_svg(series, y_max=10, y_step=2, y_label="Pain", title="Pain", empty_text="none")
    assert [t for _, t in labels(svg)] == ["2 Nov 2026", "12 Nov", "22 Nov 2026"]


def test_pain_line_is_two_points_below_the_first_rating():
    pain = points([0, 7, 14], [7, 6, 4])
    line = charts.meaningful_change_line(pain, change=2, unit="points", name="Pain")
    assert line.value == 5
    svg = charts.trend_svg(
        [charts.Series("Visit notes", pain)],
        y_max=10,
        y_step=2,
        y_label="Pain",
        title="Pain over time",
        empty_text="none",
        thresholds=[line],
    )
    assert 'class="threshold"' in svg and "Pain: 2 points better than first" in svg
    assert "Meaningful change for Pain: 2 points below the first value (7 on 2026-11-02), at 5" in svg


def test_no_line_when_the_first_value_is_already_near_zero():
    assert charts.meaningful_change_line(points([0], [1]), change=2, unit="points", name="Pain") is None


@pytest.mark.django_db
def test_questionnaires_carry_their_threshold_as_data():
    for definition in DEFINITIONS:
        intake_services.questionnaire_load(definition=definition)
    assert {q.code: float(q.meaningful_change) for q in Questionnaire.objects.all()} == {"ndi": 10.0, "odi": 10.0}
