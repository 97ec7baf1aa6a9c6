"""The trend charts are well-formed SVG a manager can read: title, axes, months, target, values."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from web.charts import ChartWords, Series, axis_range, count_chart, trend_chart

SVG = "{http://www.w3.org/2000/svg}"
MONTHS = [f"2025-{m:02d}" for m in (11, 12)] + [f"2026-{m:02d}" for m in range(1, 11)]


def chart(**kwargs) -> ET.Element:
    values = [0.62, 0.65, None, 0.7, 0.71, 0.68, 0.72, 0.74, 0.73, 0.75, 0.74, 0.75]
    series = [Series("Hotline 热线", values, [f"{int(v * 100)} of 100 cases" if v else "" for v in values]),
              Series("All cases", [0.8] * 12)]
    return ET.fromstring(trend_chart("Disposal rate 处置率", MONTHS, series, 0.9, **kwargs))


def texts(svg: ET.Element) -> list[str]:
    return [element.text for element in svg.iter(f"{SVG}text") if element.text]


def test_a_chart_has_a_title_axis_labels_month_names_and_a_legend():
    svg = chart()
    assert svg.find(f"{SVG}title").text == "Disposal rate 处置率"
    labels = texts(svg)
    assert "Disposal rate 处置率" in labels and "% of cases" in labels
    assert [label for label in labels if label in ("Nov", "Dec", "Jan", "Oct")] == ["Nov", "Dec", "Jan", "Oct"]
    assert "2025" in labels and "2026" in labels              # the year under its first month
    assert {"Hotline 热线", "All cases", "target ≥ 90%"} <= set(labels)
    assert "100%" in labels and "60%" in labels


def test_the_target_is_a_dashed_line_and_each_latest_value_is_written_out():
    svg = chart()
    target = svg.find(f".//{SVG}line[@class='target']")
    assert target is not None and target.get("stroke-dasharray")
    assert {"75.0%", "80.0%"} <= set(texts(svg))


def test_a_month_without_a_figure_leaves_a_gap_and_points_carry_their_counts():
    svg = chart()
    hotline = svg.find(f".//{SVG}g[@class='series series-0']")
    assert len(hotline.findall(f"{SVG}polyline")) == 2           # broken at January
    tips = [title.text for title in hotline.iter(f"{SVG}title")]
    assert len(tips) == 11 and tips[0] == "Hotline 热线, 2025-11: 62.0% (62 of 100 cases)"


def test_labels_are_escaped():
    svg = trend_chart("<script>", ["2026-10"], [Series("a & b", [0.5])])
    assert "<script>" not in svg and "&lt;script&gt;" in svg and ET.fromstring(svg) is not None


def test_the_axis_starts_low_enough_to_show_the_lowest_value_and_ends_at_100_percent():
    low, high, step = axis_range([0.93, 0.97, 0.9])
    assert (low, high) == (0.8, 1.0) and step == 0.05
    low, high, step = axis_range([0.21, 0.9])
    assert (low, high, step) == (0.0, 1.0, 0.2)


def test_where_lower_is_better_the_axis_starts_at_zero():
    low, high, _ = axis_range([0.05, 0.24, 0.66], from_zero=True)
    assert low == 0.0 and 0.66 < high <= 0.8
    labels = texts(ET.fromstring(trend_chart("Rework", ["2026-10"], [Series("a", [0.2])], 0.05,
                                             lower_is_better=True)))
    assert "target ≤ 5%" in labels


def test_a_chart_writes_its_own_words_in_the_language_it_is_given():
    words = ChartWords(months=tuple(f"{n}月" for n in range(1, 13)), y_title="案件占比", target="目标 {sign} {value}",
                       description="{series}：从 {first_month} 的 {first} 到 {last_month} 的 {last}", nothing="无数据")
    svg = ET.fromstring(trend_chart("处置率", MONTHS, [Series("热线", [0.5] * 12)], 0.9, words=words))
    labels = texts(svg)
    assert "11月" in labels and "案件占比" in labels and "目标 ≥ 90%" in labels and "Nov" not in labels
    assert svg.find(f"{SVG}desc").text.startswith("热线：从 2025-11 的 50.0%")


def test_a_count_chart_runs_from_zero_to_a_round_number_with_the_periods_as_given():
    svg = ET.fromstring(count_chart("每周反映次数", ["09-21", "09-28", "10-05"],
                                    [Series("东风路口", [1, 4, 7]), Series("C0118 路灯", [0, 2, None])], "反映次数"))
    labels = texts(svg)
    assert ["09-21", "09-28", "10-05"] == [label for label in labels if label.startswith(("09-", "10-"))]
    assert "0" in labels and "8" in labels and "反映次数" in labels and {"东风路口", "C0118 路灯"} <= set(labels)
    assert len(svg.findall(f".//{SVG}polyline")) == 2
    assert "7" in labels                                           # the latest count, beside its line
