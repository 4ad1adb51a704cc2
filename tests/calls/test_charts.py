"""The pieces of the server-side line chart: scale, axes, series and legend."""

import datetime
import itertools
import re

import pytest
from django.utils.formats import date_format

from qmi.calls import charts


def test_scale_fits_the_peak_and_never_divides_by_zero():
    series = [
        charts.Series("a", [0, 4, 2], "#000", "a"),
        charts.Series("b", [1, 1, 8], "#111", "b"),
    ]
    scale = charts.Scale.fit(3, series)
    assert scale.top == 8
    assert scale.x(0) == charts.MARGIN_LEFT
    assert scale.x(2) == charts.MARGIN_LEFT + scale.plot_w
    assert scale.y(0) == scale.bottom
    assert scale.y(8) == charts.MARGIN_TOP
    flat = charts.Scale.fit(1, [charts.Series("a", [0], "#000", "a")])
    assert flat.top == 1
    assert flat.x(0) == charts.MARGIN_LEFT + flat.plot_w / 2


def test_first_and_last_day_labels_align_inwards():
    assert [charts.tick_anchor(i, 5) for i in (0, 2, 4)] == ["start", "middle", "end"]
    assert charts.tick_anchor(0, 1) == "middle"


def test_axes_label_the_maximum_and_the_chosen_days():
    days = [datetime.date(2026, 3, 1) + datetime.timedelta(days=n) for n in range(3)]
    scale = charts.Scale(count=3, top=5)
    svg = "".join(charts.chart_axes(scale, days, lambda day: day.strftime("%d/%m")))
    assert svg.startswith('<g class="chart-axes">') and svg.endswith("</g>")
    assert 'class="chart-max">5</text>' in svg
    assert [label in svg for label in ("01/03", "02/03", "03/03")] == [True] * 3


def test_series_has_markers_only_while_days_are_few():
    few = charts.Series("a", [1] * charts.MAX_MARKERS, "#000", "a b")
    many = charts.Series("a", [1] * (charts.MAX_MARKERS + 1), "#000", "a")
    drawn = "".join(charts.chart_series(charts.Scale(count=len(few.values), top=1), few))
    assert drawn.count("<circle") == charts.MAX_MARKERS
    assert drawn.startswith('<g class="chart-series a b">')
    crowded = "".join(charts.chart_series(charts.Scale(count=len(many.values), top=1), many))
    assert "<circle" not in crowded and "<polyline" in crowded
    empty = "".join(
        charts.chart_series(charts.Scale(count=0, top=1), charts.Series("a", [], "#0", "a"))
    )
    assert empty == '<g class="chart-series a"></g>'


def test_legend_gives_each_series_total_escaped():
    legend = "".join(
        charts.chart_legend([charts.Series("Déposés <tous>", [1, 2], "#000", "a", dash="6 3")])
    )
    assert "Déposés &lt;tous&gt; (3)" in legend
    assert 'stroke-dasharray="6 3"' in legend


def _drawn_labels(svg):
    """(left, right) of each day label in the SVG, by the chart's own width estimate."""
    found = re.findall(
        r'<text x="([0-9.]+)" y="[0-9.]+" text-anchor="(\w+)"[^>]*class="chart-day">([^<]*)</text>',
        svg,
    )
    return [charts.label_extent(float(x), text, anchor) for x, anchor, text in found]


@pytest.mark.parametrize("count", [2, 8, 31, 61, 92, 100, 183, 365])
def test_long_day_labels_never_overlap_nor_leave_the_chart(count):
    days = [datetime.date(2026, 1, 1) + datetime.timedelta(days=n) for n in range(count)]
    svg = charts.line_chart(
        chart_id="c",
        title="t",
        description="d",
        days=days,
        series=[charts.Series("a", [1] * count, "#000", "a")],
        day_label=lambda day: date_format(day, "MONTH_DAY_FORMAT"),
    )
    labels = _drawn_labels(str(svg))
    assert len(labels) >= 2
    assert "1 janvier" in svg
    assert date_format(days[-1], "MONTH_DAY_FORMAT") in svg
    for (_left, right), (left, _right) in itertools.pairwise(labels):
        assert right + charts.LABEL_GAP <= left, labels
    assert labels[0][0] >= 0 and labels[-1][1] <= charts.WIDTH


def test_short_labels_keep_up_to_seven_ticks():
    days = [datetime.date(2026, 3, 1) + datetime.timedelta(days=n) for n in range(30)]
    scale = charts.Scale(count=30, top=1)
    ticks = charts.day_ticks(scale, days, lambda day: day.strftime("%d/%m"))
    assert len(ticks) == charts.MAX_LABELS
    assert ticks[0][0] == 0 and ticks[-1][0] == 29
