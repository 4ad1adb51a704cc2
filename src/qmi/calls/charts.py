"""Server-side SVG charts: plain Python, no database and no JavaScript.

The same markup goes inline in a page, in the `.svg` download and later in a PDF,
so it carries its own colours as presentation attributes (`fill`, `stroke`): no
`style` attribute (the Content-Security-Policy forbids inline styles) and no
dependency on a stylesheet. Classes are there for the page's CSS to refine.

Accessibility: `role="img"` named by the chart's `<title>` and described by its
`<desc>`; pages also show the figures as a table (see calls/staff/_funnel.html).
"""

import dataclasses
import math
from collections.abc import Callable, Sequence
from xml.sax.saxutils import escape, quoteattr

from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
HEIGHT = 260
MARGIN_LEFT = 44
MARGIN_RIGHT = 16
MARGIN_TOP = 20
MARGIN_BOTTOM = 64  # day labels, then the legend
MAX_LABELS = 7  # day labels shown under the axis, at most
# A generous estimate of one character's width at font-size 12: the server cannot measure
# text, and "28 septembre" must not run into its neighbour whatever the font.
CHAR_WIDTH = 7.5
LABEL_GAP = 10  # pixels at least between two day labels
MAX_MARKERS = 62  # a dot on every point up to about two months of days
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
INK = "#1b1b29"
MUTED = "#4a4a5c"
LINE = "#c9cbd6"


@dataclasses.dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[int]
    colour: str
    css_class: str
    dash: str = ""  # e.g. "6 3": a second cue besides colour


def _number(value):
    """Coordinates with at most one decimal, without a useless ".0"."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _attrs(**attributes):
    parts = []
    for name, value in attributes.items():
        if value is None or value == "":
            continue
        parts.append(f"{name.rstrip('_').replace('_', '-')}={quoteattr(str(value))}")
    return " ".join(parts)


def _element(tag, text=None, **attributes):
    opening = f"<{tag} {_attrs(**attributes)}".rstrip()
    if text is None:
        return f"{opening}/>"
    return f"{opening}>{escape(str(text))}</{tag}>"


def label_positions(count, limit=MAX_LABELS):
    """Indexes of the days that get a label: evenly spaced, always the first and the last."""
    if count <= 0:
        return []
    step = max(1, math.ceil((count - 1) / (limit - 1))) if count > limit else 1
    indexes = list(range(0, count, step))
    if indexes[-1] != count - 1:
        # Drop a label that would sit too close to the last one.
        if count - 1 - indexes[-1] < step / 2 and len(indexes) > 1:
            indexes.pop()
        indexes.append(count - 1)
    return indexes


@dataclasses.dataclass(frozen=True)
class Scale:
    """Where a day's index and a count fall in the plot area."""

    count: int  # days
    top: int  # the count drawn at the top of the plot, at least 1
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM

    @classmethod
    def fit(cls, count, series):
        peak = max((max(one.values, default=0) for one in series), default=0)
        return cls(count=count, top=max(peak, 1))

    @property
    def bottom(self):
        return MARGIN_TOP + self.plot_h

    def x(self, index):
        if self.count <= 1:
            return MARGIN_LEFT + self.plot_w / 2
        return MARGIN_LEFT + index * self.plot_w / (self.count - 1)

    def y(self, value):
        return self.bottom - value * self.plot_h / self.top


def line_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    days: Sequence,
    series: Sequence[Series],
    day_label: Callable = lambda day: day.strftime("%d/%m"),
    standalone: bool = False,
) -> SafeString:
    """A line chart of daily counts, one polyline per series.

    Every piece of text is escaped here, so the result is marked safe for templates.
    `standalone` adds the XML declaration, for an `image/svg+xml` response.
    """
    count = len(days)
    for one in series:
        if len(one.values) != count:
            raise ValueError(f"series {one.label!r} has {len(one.values)} values for {count} days")
    scale = Scale.fit(count, series)
    parts = [
        *chart_opening(chart_id=chart_id, title=title, description=description),
        *chart_axes(scale, days, day_label),
        *(part for one in series for part in chart_series(scale, one)),
        *chart_legend(series),
        "</svg>",
    ]
    svg = "".join(parts)
    if standalone:
        svg = '<?xml version="1.0" encoding="UTF-8"?>\n' + svg + "\n"
    # Every text and attribute above is escaped.
    return mark_safe(svg)


def chart_opening(*, chart_id, title, description):
    """The `<svg>` element opened, named and described, on a white background."""
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    return [
        "<svg "
        + _attrs(
            xmlns="http://www.w3.org/2000/svg",
            id=chart_id,
            class_="chart line-chart",
            viewBox=f"0 0 {WIDTH} {HEIGHT}",
            width=WIDTH,
            height=HEIGHT,
            role="img",
            aria_labelledby=title_id,
            aria_describedby=desc_id,
            font_family=FONT,
            font_size=12,
        )
        + ">",
        _element("title", title, id=title_id),
        _element("desc", description, id=desc_id),
        _element("rect", x=0, y=0, width=WIDTH, height=HEIGHT, fill="#fff", class_="chart-bg"),
    ]


def chart_axes(scale, days, day_label):
    """Axes, the line of the maximum labelled with its value, and the labelled day ticks."""
    left, right, bottom, top_y = (
        MARGIN_LEFT,
        MARGIN_LEFT + scale.plot_w,
        scale.bottom,
        scale.y(scale.top),
    )
    parts = [
        '<g class="chart-axes">',
        _element(
            "line",
            x1=left,
            y1=_number(top_y),
            x2=right,
            y2=_number(top_y),
            stroke=LINE,
            stroke_dasharray="2 3",
            class_="chart-grid",
        ),
        _element("line", x1=left, y1=MARGIN_TOP, x2=left, y2=bottom, stroke=MUTED),
        _element("line", x1=left, y1=bottom, x2=right, y2=bottom, stroke=MUTED),
        _element(
            "text",
            scale.top,
            x=left - 6,
            y=_number(top_y + 4),
            text_anchor="end",
            fill=INK,
            class_="chart-max",
        ),
        _element("text", 0, x=left - 6, y=bottom + 4, text_anchor="end", fill=MUTED),
    ]
    for index, text in day_ticks(scale, days, day_label):
        x = _number(scale.x(index))
        parts.append(_element("line", x1=x, y1=bottom, x2=x, y2=bottom + 4, stroke=MUTED))
        parts.append(
            _element(
                "text",
                text,
                x=x,
                y=bottom + 18,
                text_anchor=tick_anchor(index, scale.count),
                fill=MUTED,
                class_="chart-day",
            )
        )
    parts.append("</g>")
    return parts


def label_extent(x, text, anchor):
    """(left, right) of a label drawn at `x` with its anchor, by the width estimate."""
    width = len(text) * CHAR_WIDTH
    if anchor == "start":
        return x, x + width
    if anchor == "end":
        return x - width, x
    return x - width / 2, x + width / 2


def day_ticks(scale, days, day_label):
    """(index, text) of the day labels drawn: as many as fit side by side without touching.

    Long ranges with long labels ("28 septembre") get fewer ticks; a label that would
    still run into its neighbour (the last one comes wherever the range ends) is dropped,
    the first and the last being kept.
    """
    count = scale.count
    if count <= 0:
        return []
    texts = [str(day_label(day)) for day in days]
    widest = max(len(text) for text in texts) * CHAR_WIDTH
    fitting = int(scale.plot_w // (widest + LABEL_GAP)) + 1
    kept = []
    for index in label_positions(count, max(2, min(MAX_LABELS, fitting))):
        extent = label_extent(scale.x(index), texts[index], tick_anchor(index, count))

        def crowds(previous, left=extent[0]):
            return left < previous[2][1] + LABEL_GAP

        if kept and crowds(kept[-1]):
            if index != count - 1:
                continue
            # The last day makes room by dropping its neighbours, never the first day.
            while len(kept) > 1 and crowds(kept[-1]):
                kept.pop()
            if crowds(kept[-1]):
                continue
        kept.append((index, texts[index], extent))
    return [(index, text) for index, text, _extent in kept]


def tick_anchor(index, count):
    """The first and last day labels align inwards so they stay inside the chart."""
    if count > 1 and index == 0:
        return "start"
    if count > 1 and index == count - 1:
        return "end"
    return "middle"


def chart_series(scale, one):
    """One series: its polyline, and a dot per day when the days are few enough to tell apart."""
    parts = [f'<g class="chart-series {escape(one.css_class)}">']
    if scale.count:
        points = " ".join(
            f"{_number(scale.x(i))},{_number(scale.y(value))}" for i, value in enumerate(one.values)
        )
        parts.append(
            _element(
                "polyline",
                points=points,
                fill="none",
                stroke=one.colour,
                stroke_width=2,
                stroke_dasharray=one.dash,
                stroke_linejoin="round",
            )
        )
    if scale.count <= MAX_MARKERS:
        parts.extend(
            _element(
                "circle", cx=_number(scale.x(i)), cy=_number(scale.y(value)), r=3, fill=one.colour
            )
            for i, value in enumerate(one.values)
        )
    parts.append("</g>")
    return parts


def chart_legend(series):
    """The legend, under the day labels: each series' line sample, label and total."""
    legend_y = HEIGHT - 16
    cursor = MARGIN_LEFT
    parts = ['<g class="chart-legend">']
    for one in series:
        parts.append(
            _element(
                "line",
                x1=cursor,
                y1=legend_y - 4,
                x2=cursor + 24,
                y2=legend_y - 4,
                stroke=one.colour,
                stroke_width=3,
                stroke_dasharray=one.dash,
            )
        )
        text = f"{one.label} ({sum(one.values)})"
        parts.append(_element("text", text, x=cursor + 30, y=legend_y, fill=INK))
        cursor += 30 + 7 * len(text) + 24
    parts.append("</g>")
    return parts
