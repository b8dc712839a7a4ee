"""The server-side SVG trend chart: 0, 1 and many points, well-formed, escaped, readable without colour."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from clinic.notes.charts import Series, trend_svg
from clinic.notes.selectors import Point

SVG = "{http://www.w3.org/2000/svg}"


def points(*values):
    start = dt.datetime(2026, 5, 1, 14, 0, tzinfo=dt.UTC)
    return [Point(start + dt.timedelta(days=7 * i), float(v), "visit note") for i, v in enumerate(values)]


def draw(*series):
    return str(
        trend_svg(list(series), y_max=10, y_step=2, y_label="Pain", title="Pain over time", empty_text="No ratings yet")
    )


def parse(svg):
    return ET.fromstring(svg)  # raises on malformed XML


@pytest.mark.parametrize(
    ("values", "markers", "lines"),
    [((), 0, 0), ((6,), 1, 0), ((7, 5, 6, 3, 2, 2, 1, 0), 8, 1)],
    ids=["no points", "one point", "many points"],
)
def test_chart_renders_0_1_and_many_points(values, markers, lines):
    svg = draw(Series("Visit notes", points(*values)))
    root = parse(svg)
    assert root.get("role") == "img" and root.get("data-points") == str(len(values))
    circles = root.findall(f".//{SVG}circle")
    assert len(circles) == markers + (1 if values else 0)  # plus the legend's marker
    polylines = root.findall(f".//{SVG}polyline")
    assert len(polylines) == lines
    if lines:
        assert len(polylines[0].get("points").split()) == len(values)
    assert ("No ratings yet" in svg) == (not values)
    description = root.find(f"{SVG}desc").text
    assert ("no values yet" in description) == (not values)


def test_points_are_placed_by_date_and_value():
    svg = draw(Series("Visit notes", points(10, 0)))
    root = parse(svg)
    first, last = root.findall(f".//{SVG}polyline")[0].get("points").split()
    (x1, y1), (x2, y2) = (map(float, first.split(",")), map(float, last.split(",")))
    assert x1 < x2 and y1 < y2  # 10 is drawn at the top, 0 at the bottom (SVG y grows downwards)


def test_second_series_gets_another_shape_and_dash_for_print():
    svg = draw(Series("NDI", points(40, 30)), Series("ODI", points(60, 50)))
    root = parse(svg)
    polylines = root.findall(f".//{SVG}polyline")
    assert {p.get("stroke-dasharray") for p in polylines} == {"none", "6 4"}
    assert root.findall(f".//{SVG}rect[@width='8']")  # squares for the second series


def test_labels_are_escaped():
    svg = draw(Series('<script>alert("x")</script>', points(3)))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    parse(svg)
