"""Trend charts as server-rendered SVG: no JavaScript, no external assets.

Pure functions over plain data. A chart has a title, a y axis in percent with gridlines, the
months along the x axis, a dashed target line, one line per series with a marker per month, a
tooltip per point (the counts behind it), the latest value written beside each line, and a
legend. The markup is built with ElementTree, so every label is escaped.
"""
from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Sequence

MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Colour and marker per series, in order; told apart by marker shape as well as colour.
STYLES = (("#0b5cad", "circle"), ("#c15f00", "square"), ("#6a3d9a", "diamond"), ("#1a7f37", "triangle"))
TARGET_COLOUR = "#c62828"


@dataclass(frozen=True)
class ChartWords:
    """The words a chart writes itself, in the reader's language (the pages pass them in from the
    catalogue; the defaults are English). ``target`` has {sign} and {value}; ``description`` has
    {series}, {first}, {first_month}, {last} and {last_month}."""

    months: Sequence[str] = MONTH_NAMES
    y_title: str = "% of cases"
    target: str = "target {sign} {value}"
    description: str = "{series}: from {first} in {first_month} to {last} in {last_month}"
    nothing: str = "no figures in these months"


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]     # ratios from 0 to 1, one per month; None where nothing was due
    notes: Sequence[str] = ()          # a tooltip per month, e.g. "911 of 972 cases"


@dataclass(frozen=True)
class Frame:
    width: int = 560
    height: int = 300
    left: int = 56
    right: int = 64
    top: int = 58
    bottom: int = 48

    @property
    def plot_width(self) -> int:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> int:
        return self.height - self.top - self.bottom


def trend_chart(title: str, months: Sequence[str], series: Sequence[Series], target: float | None = None,
                lower_is_better: bool = False, chart_id: str = "chart", frame: Frame = Frame(),
                words: ChartWords = ChartWords()) -> str:
    """An SVG line chart of ``series`` over ``months`` ("YYYY-MM"), with ``target`` as a ratio."""
    low, high, step = axis_range([v for s in series for v in s.values if v is not None]
                                 + ([target] if target is not None else []), lower_is_better)
    svg = ET.Element("svg", {
        "xmlns": "http://www.w3.org/2000/svg", "viewBox": f"0 0 {frame.width} {frame.height}",
        "role": "img", "aria-labelledby": f"{chart_id}-title {chart_id}-desc", "class": "trend-chart",
        "font-family": "system-ui, 'Noto Sans CJK SC', 'PingFang SC', sans-serif", "font-size": "12",
    })
    ET.SubElement(svg, "title", {"id": f"{chart_id}-title"}).text = title
    ET.SubElement(svg, "desc", {"id": f"{chart_id}-desc"}).text = _description(months, series, target, words,
                                                                                lower_is_better)
    ET.SubElement(svg, "rect", {"x": "0", "y": "0", "width": str(frame.width), "height": str(frame.height),
                                "fill": "#ffffff"})
    ET.SubElement(svg, "text", {"x": str(frame.left - 44), "y": "20", "font-size": "15",
                                "font-weight": "600", "fill": "#1d2733"}).text = title

    def x(index: int) -> float:
        if len(months) == 1:
            return frame.left + frame.plot_width / 2
        return frame.left + frame.plot_width * index / (len(months) - 1)

    def y(value: float) -> float:
        return frame.top + frame.plot_height * (high - value) / (high - low)

    _axes(svg, frame, months, low, high, step, x, y, words)
    if target is not None:
        _target(svg, frame, target, y)
    _legend(svg, frame, series, target, lower_is_better, words)
    latest = [_line(svg, line, number, months, x, y) for number, line in enumerate(series)]
    _latest_values(svg, frame, series, latest, x, y)
    return ET.tostring(svg, encoding="unicode")


def count_chart(title: str, periods: Sequence[str], series: Sequence[Series], y_title: str,
                chart_id: str = "chart", frame: Frame = Frame()) -> str:
    """An SVG line chart of counts (reports per week, say): ``periods`` are the x axis's labels as
    they are to be shown, ``series`` hold a count per period; the y axis runs from 0 to a round
    number above the highest count.  Drawn like ``trend_chart``: legend, markers, tooltips,
    the latest value beside each line."""
    top = max([v for s in series for v in s.values if v is not None] + [1])
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000) if top / s <= 5) \
        if top <= 5000 else 10 ** math.ceil(math.log10(top / 5))
    high = step * math.ceil(top / step)
    svg = ET.Element("svg", {
        "xmlns": "http://www.w3.org/2000/svg", "viewBox": f"0 0 {frame.width} {frame.height}",
        "role": "img", "aria-labelledby": f"{chart_id}-title {chart_id}-desc", "class": "trend-chart count-chart",
        "font-family": "system-ui, 'Noto Sans CJK SC', 'PingFang SC', sans-serif", "font-size": "12",
    })
    ET.SubElement(svg, "title", {"id": f"{chart_id}-title"}).text = title
    ET.SubElement(svg, "desc", {"id": f"{chart_id}-desc"}).text = "; ".join(
        f"{line.name}: " + ", ".join(f"{p} {_count(v)}" for p, v in zip(periods, line.values, strict=False)
                                     if v is not None) for line in series)
    ET.SubElement(svg, "rect", {"x": "0", "y": "0", "width": str(frame.width), "height": str(frame.height),
                                "fill": "#ffffff"})
    ET.SubElement(svg, "text", {"x": str(frame.left - 44), "y": "20", "font-size": "15",
                                "font-weight": "600", "fill": "#1d2733"}).text = title

    def x(index: int) -> float:
        if len(periods) == 1:
            return frame.left + frame.plot_width / 2
        return frame.left + frame.plot_width * index / (len(periods) - 1)

    def y(value: float) -> float:
        return frame.top + frame.plot_height * (high - value) / high

    grid = ET.SubElement(svg, "g", {"class": "grid"})
    for number in range(int(high // step) + 1):
        value = number * step
        position = f"{y(value):.1f}"
        ET.SubElement(grid, "line", {"x1": str(frame.left), "x2": str(frame.left + frame.plot_width),
                                     "y1": position, "y2": position,
                                     "stroke": "#9aa5b1" if number == 0 else "#e3e8ee", "stroke-width": "1"})
        ET.SubElement(grid, "text", {"x": str(frame.left - 8), "y": f"{y(value) + 4:.1f}", "text-anchor": "end",
                                     "fill": "#5f6b7a"}).text = _count(value)
    labels = ET.SubElement(svg, "g", {"class": "periods", "fill": "#5f6b7a", "text-anchor": "middle"})
    for index, label in enumerate(periods):
        ET.SubElement(labels, "text", {"x": f"{x(index):.1f}", "y": str(frame.top + frame.plot_height + 17)}
                      ).text = label
    ET.SubElement(svg, "text", {
        "x": "14", "y": str(frame.top + frame.plot_height / 2), "fill": "#5f6b7a", "text-anchor": "middle",
        "transform": f"rotate(-90 14 {frame.top + frame.plot_height / 2})"}).text = y_title
    _legend(svg, frame, series, None, False)
    latest = [_line(svg, line, number, periods, x, y, _count) for number, line in enumerate(series)]
    _latest_values(svg, frame, series, latest, x, y, _count)
    return ET.tostring(svg, encoding="unicode")


def _count(value: float) -> str:
    return f"{value:g}"


def axis_range(values: Sequence[float], from_zero: bool = False) -> tuple[float, float, float]:
    """The y axis (low, high, gridline step) as ratios. Up to 100%, down to a round number a
    little below the lowest value, so that small differences near the top stay visible; or, for
    a figure where lower is better (``from_zero``), from 0% up to a round number above the
    highest value."""
    if not values:
        return 0.0, 1.0, 0.2
    if from_zero:
        high = min(1.0, max(0.1, math.ceil((max(values) + 0.02) * 10) / 10))
        step = next(s for s in (0.02, 0.05, 0.1, 0.2, 0.25) if high / s <= 6)
        return 0.0, round(step * math.ceil(round(high / step, 6)), 6), step
    low = max(0.0, math.floor((min(values) - 0.05) * 10) / 10)
    low = min(low, 0.8)
    span = 1.0 - low
    step = next(s for s in (0.05, 0.1, 0.2, 0.25) if span / s <= 6)
    low = 1.0 - step * math.ceil(round(span / step, 6))
    return max(0.0, round(low, 6)), 1.0, step


def _axes(svg, frame: Frame, months, low, high, step, x, y, words: ChartWords) -> None:
    grid = ET.SubElement(svg, "g", {"class": "grid"})
    ticks = int(round((high - low) / step))
    for number in range(ticks + 1):
        value = low + number * step
        position = f"{y(value):.1f}"
        ET.SubElement(grid, "line", {"x1": str(frame.left), "x2": str(frame.left + frame.plot_width),
                                     "y1": position, "y2": position,
                                     "stroke": "#9aa5b1" if number == 0 else "#e3e8ee", "stroke-width": "1"})
        ET.SubElement(grid, "text", {"x": str(frame.left - 8), "y": f"{y(value) + 4:.1f}", "text-anchor": "end",
                                     "fill": "#5f6b7a"}).text = f"{value * 100:g}%"
    labels = ET.SubElement(svg, "g", {"class": "months", "fill": "#5f6b7a", "text-anchor": "middle"})
    for index, label in enumerate(months):
        year, number = label.split("-")
        ET.SubElement(labels, "text", {"x": f"{x(index):.1f}", "y": str(frame.top + frame.plot_height + 17)}
                      ).text = words.months[int(number) - 1]
        if index == 0 or number == "01":
            ET.SubElement(labels, "text", {"x": f"{x(index):.1f}", "y": str(frame.top + frame.plot_height + 32),
                                           "font-weight": "600"}).text = year
    ET.SubElement(svg, "text", {
        "x": "14", "y": str(frame.top + frame.plot_height / 2), "fill": "#5f6b7a", "text-anchor": "middle",
        "transform": f"rotate(-90 14 {frame.top + frame.plot_height / 2})"}).text = words.y_title


def _target(svg, frame: Frame, target: float, y) -> None:
    position = f"{y(target):.1f}"
    ET.SubElement(svg, "line", {"x1": str(frame.left), "x2": str(frame.left + frame.plot_width),
                                "y1": position, "y2": position, "stroke": TARGET_COLOUR, "stroke-width": "1.5",
                                "stroke-dasharray": "6 4", "class": "target"})


def _legend(svg, frame: Frame, series, target, lower_is_better: bool, words: ChartWords = ChartWords()) -> None:
    legend = ET.SubElement(svg, "g", {"class": "legend"})
    left = frame.left - 44
    for number, line in enumerate(series):
        colour, marker = STYLES[number % len(STYLES)]
        ET.SubElement(legend, "line", {"x1": str(left), "x2": str(left + 20), "y1": "39", "y2": "39",
                                       "stroke": colour, "stroke-width": "2.5"})
        _marker(legend, marker, left + 10, 39, colour)
        text = ET.SubElement(legend, "text", {"x": str(left + 26), "y": "43", "fill": "#1d2733"})
        text.text = line.name
        left += 34 + 7 * _width(line.name)
    if target is not None:
        ET.SubElement(legend, "line", {"x1": str(left), "x2": str(left + 20), "y1": "39", "y2": "39",
                                       "stroke": TARGET_COLOUR, "stroke-width": "1.5", "stroke-dasharray": "6 4"})
        ET.SubElement(legend, "text", {"x": str(left + 26), "y": "43", "fill": TARGET_COLOUR,
                                       "font-weight": "600"}).text = _target_text(words, target, lower_is_better)


def _line(svg, line: Series, number: int, months, x, y, shown=None) -> int | None:
    """The line, its markers with their tooltips; returns the index of its latest value."""
    colour, marker = STYLES[number % len(STYLES)]
    group = ET.SubElement(svg, "g", {"class": f"series series-{number}"})
    segment: list[str] = []
    segments = []
    for index, value in enumerate(line.values):
        if value is None:
            if segment:
                segments.append(segment)
            segment = []
        else:
            segment.append(f"{x(index):.1f},{y(value):.1f}")
    if segment:
        segments.append(segment)
    for points in segments:
        ET.SubElement(group, "polyline", {"points": " ".join(points), "fill": "none", "stroke": colour,
                                          "stroke-width": "2.5", "stroke-linejoin": "round"})
    for index, value in enumerate(line.values):
        if value is None:
            continue
        point = _marker(group, marker, x(index), y(value), colour)
        note = line.notes[index] if index < len(line.notes) else ""
        ET.SubElement(point, "title").text = f"{line.name}, {months[index]}: {(shown or _percent)(value)}" + (
            f" ({note})" if note else "")
    return next((i for i in range(len(line.values) - 1, -1, -1) if line.values[i] is not None), None)


def _latest_values(svg, frame: Frame, series, latest, x, y, shown=None) -> None:
    """Each line's latest value, written in the right margin beside it, nudged apart so that
    labels of lines ending close together do not overlap."""
    labels = []
    for number, (line, index) in enumerate(zip(series, latest, strict=True)):
        if index is not None:
            labels.append([y(line.values[index]) + 4, number, line.values[index], index])
    labels.sort()
    for earlier, later in zip(labels, labels[1:], strict=False):
        later[0] = max(later[0], earlier[0] + 14)
    overflow = labels[-1][0] - (frame.top + frame.plot_height + 4) if labels else 0
    for label in labels:
        label[0] -= max(0, overflow)
    for position, number, value, index in labels:
        colour = STYLES[number % len(STYLES)][0]
        ET.SubElement(svg, "text", {"x": f"{x(index) + 9:.1f}", "y": f"{position:.1f}", "fill": colour,
                                    "font-weight": "600"}).text = (shown or _percent)(value)


def _marker(parent, shape: str, cx: float, cy: float, colour: str):
    size = 4.5
    if shape == "circle":
        return ET.SubElement(parent, "circle", {"cx": f"{cx:.1f}", "cy": f"{cy:.1f}", "r": f"{size}",
                                                "fill": colour, "stroke": "#fff", "stroke-width": "1.5"})
    if shape == "square":
        return ET.SubElement(parent, "rect", {"x": f"{cx - size:.1f}", "y": f"{cy - size:.1f}",
                                              "width": f"{2 * size}", "height": f"{2 * size}",
                                              "fill": colour, "stroke": "#fff", "stroke-width": "1.5"})
    corners = {"diamond": [(0, -1.3), (1.3, 0), (0, 1.3), (-1.3, 0)],
               "triangle": [(0, -1.3), (1.2, 1), (-1.2, 1)]}[shape]
    points = " ".join(f"{cx + dx * size:.1f},{cy + dy * size:.1f}" for dx, dy in corners)
    return ET.SubElement(parent, "polygon", {"points": points, "fill": colour, "stroke": "#fff",
                                             "stroke-width": "1.5"})


def _percent(ratio: float) -> str:
    return f"{ratio * 100:.1f}%"


def _width(text: str) -> int:
    """Roughly how many Latin letters wide ``text`` is (CJK characters count twice)."""
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def _target_text(words: ChartWords, target: float, lower_is_better: bool) -> str:
    return words.target.format(sign="≤" if lower_is_better else "≥", value=f"{target * 100:g}%")


def _description(months, series, target, words: ChartWords, lower_is_better: bool) -> str:
    parts = []
    for line in series:
        known = [(months[i], v) for i, v in enumerate(line.values) if v is not None]
        if known:
            parts.append(words.description.format(series=line.name, first=_percent(known[0][1]),
                                                  first_month=known[0][0], last=_percent(known[-1][1]),
                                                  last_month=known[-1][0]))
    if target is not None:
        parts.append(_target_text(words, target, lower_is_better))
    return "; ".join(parts) or words.nothing
