"""The report's tables, once: the page renders them, and the CSV and XLSX exports write them, so
an export always says what the page says.

A ``Table`` is columns and rows of ``Cell``s. A cell holds the text shown (and written to CSV),
the value written to XLSX (numbers as numbers, percentages as fractions), whether it meets its
target, and the drill-down it links to.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable, Mapping, Sequence

from config.catalog import HotlineConfig
from reports.indicators import ALL, LOWER_IS_BETTER, TOO_FEW, Figure, GroupKey, Indicator, Measure, Placing, Row
from reports.services import Assessment, CaseLine, Lateness

INDICATOR_TITLES: Mapping[Indicator, str] = {
    Indicator.FILING_RATE: "Filing rate 立案率",
    Indicator.DISPATCH_ACCURACY: "Dispatch accuracy 派遣准确率",
    Indicator.DISPOSAL_RATE: "Disposal rate 处置率",
    Indicator.ON_TIME_DISPOSAL_RATE: "On-time disposal 按期处置率",
    Indicator.CLOSING_RATE: "Closing rate 结案率",
    Indicator.ON_TIME_CLOSING_RATE: "On-time closing 按期结案率",
    Indicator.REWORK_RATE: "Rework rate 返工率",
    Indicator.SATISFACTION: "Satisfaction 满意率",
}
SHORT_TITLES: Mapping[Indicator, str] = {
    Indicator.FILING_RATE: "Filing", Indicator.DISPATCH_ACCURACY: "Dispatch accuracy",
    Indicator.DISPOSAL_RATE: "Disposal", Indicator.ON_TIME_DISPOSAL_RATE: "On-time disposal",
    Indicator.CLOSING_RATE: "Closing", Indicator.ON_TIME_CLOSING_RATE: "On-time closing",
    Indicator.REWORK_RATE: "Rework", Indicator.SATISFACTION: "Satisfaction",
}
# The counts shown beside the indicators, each linking to its cases.
COUNTS: Mapping[Measure, str] = {
    Measure.REPORTED: "Reported", Measure.FILED: "Filed", Measure.DISPATCHED: "Dispatched",
    Measure.RETURNED: "Returned", Measure.DUE_FOR_DISPOSAL: "Due for disposal", Measure.DISPOSED: "Disposed",
    Measure.REWORKED: "Reworked", Measure.CLOSED: "Closed", Measure.SUSPENDED: "Suspended",
    Measure.VOIDED: "Voided", Measure.REOPENED: "Reopened", Measure.SURVEYED: "Surveys answered",
}
CHANNEL_NAMES = {"hotline": "Hotline 热线", "open311": "Open311 (online)", "web": "Web",
                 "inspector": "Inspectors 监督员", "api": "API"}
VIEW_TITLES = {
    "departments": "Departments, all channels",
    "hotline": "Departments, hotline cases",
    "others": "Departments, other channels",
    "channels": "By channel",
    "lines": "By line",
    "categories": "By category",
}
KEY_TITLES = {"department": "Department", "channel": "Channel", "line": "Line", "category": "Category"}


@dataclass(frozen=True)
class Link:
    """A drill-down: the cases behind one figure (``indicator`` and ``part``) or one count."""

    view: str
    key: str                   # the row's key, "all" for the total row, "" for the centre's row
    indicator: str | None = None
    part: str | None = None    # numerator | denominator | shortfall
    measure: str | None = None

    def query(self) -> dict[str, str]:
        return {name: value for name, value in (("view", self.view), ("key", self.key),
                                                ("indicator", self.indicator), ("part", self.part),
                                                ("measure", self.measure)) if value is not None}


@dataclass(frozen=True)
class Cell:
    text: str
    value: object = None            # for XLSX; None writes an empty cell
    link: Link | None = None
    status: str | None = None       # "ok" or "bad" against the target
    number_format: str | None = None


@dataclass(frozen=True)
class Column:
    title: str
    group: str | None = None        # an indicator's three columns share its title on the page
    numeric: bool = False


@dataclass(frozen=True)
class Table:
    id: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    row_classes: tuple[str, ...] = ()
    note: str = ""
    groups: tuple[tuple[str, int], ...] = field(default=())   # (group title, columns), in order

    def segments(self) -> list[tuple[str | None, tuple[int, ...]]]:
        """The page's columns: an indicator's three (percent, numerator, denominator) as one,
        under the indicator's title; the others one by one (title None)."""
        segments, index = [], 0
        while index < len(self.columns):
            group = self.columns[index].group
            if group:
                members = tuple(i for i in range(index, len(self.columns)) if self.columns[i].group == group)
                segments.append((group, members))
                index = members[-1] + 1
            else:
                segments.append((None, (index,)))
                index += 1
        return segments


class Names:
    """Display names for row keys, from the configuration."""

    def __init__(self, config: HotlineConfig) -> None:
        self.config = config

    def key(self, by: str, key: GroupKey) -> str:
        if key == ALL:
            return "All cases"
        if key is None:
            return "Centre (no department)" if by == "department" else "(none)"
        if by == "department":
            department = self.config.departments.get(key)
            return f"{department.name('zh-CN')} ({key})" if department else key
        if by == "channel":
            return CHANNEL_NAMES.get(key, key)
        if by == "line":
            line = self.config.lines.get(key)
            return line.name("zh-CN") if line else key
        if by == "category":
            category = self.config.categories.get(key)
            return f"{key} {category.name('zh-CN')}" if category else key
        return key

    def department(self, code: str | None) -> str:
        return self.key("department", code) if code else ""

    def category(self, code: str | None) -> str:
        return self.key("category", code) if code else ""


def shown_indicators(by: str) -> tuple[Indicator, ...]:
    """Filing is the centre's work, charged to no department: department tables leave it out."""
    return tuple(i for i in Indicator if not (by == "department" and i is Indicator.FILING_RATE))


def percent(figure: Figure) -> str:
    return figure.percent or "–"


def indicator_table(assessment: Assessment, view: str, names: Names, only: GroupKey | None = None,
                    ranked: bool = False, rank_by: Indicator | None = None) -> Table:
    """A report's rows with every indicator (percent, numerator, denominator) and the handling
    time, best first when ``ranked``; for department staff (``only``), just their row, with their
    place. Rows below the ranking indicator's target are marked "below-target"."""
    report = assessment.reports[view]
    settings = assessment.settings
    rank_by = rank_by or settings.rank_by
    by = report.by
    ranking = assessment.ranking(view, rank_by) if ranked else []
    order = [placing.key for placing in ranking]
    places = {placing.key: placing.place for placing in ranking}
    unplaced = {placing.key: placing for placing in ranking if placing.place is None}
    ranked_count = sum(1 for place in places.values() if place is not None)
    columns = ([Column("Place", numeric=True)] if ranked else []) + [Column(KEY_TITLES.get(by, by))]
    groups = [("", len(columns))]
    indicators = shown_indicators(by)
    for indicator in indicators:
        title = INDICATOR_TITLES[indicator]
        columns += [Column(f"{title} %", indicator.value, True), Column(f"{title} numerator", indicator.value, True),
                    Column(f"{title} denominator", indicator.value, True)]
        groups.append((title, 3))
    columns += [Column("Average handling hours", numeric=True)]
    groups.append(("", 1))
    if ranked:
        columns.append(Column("未排名原因 Why not placed"))
        groups.append(("", 1))
    rows, classes = [], []
    chosen: Iterable[Row] = report.rows if only is None else [row for row in report.rows if row.key == only]
    if ranked:   # best first; the centre's own row (no department) after the ranked ones
        chosen = sorted(chosen, key=lambda row: order.index(row.key) if row.key in order else len(order))
    for row in chosen:
        cells = []
        if ranked:
            place = places.get(row.key)
            text = "" if place is None else (f"{place} of {ranked_count}" if only is not None else str(place))
            cells.append(Cell(text, place if only is None else text))
        cells.append(Cell(names.key(by, row.key), names.key(by, row.key)))
        cells += _figure_cells(row, view, settings, indicators=indicators)
        cells.append(_hours_cell(row, view))
        if ranked:
            reason = unplaced_text(unplaced[row.key], settings.minimum_to_rank) if row.key in unplaced else ""
            cells.append(Cell(reason, reason))
        rows.append(tuple(cells))
        below = settings.meets_target(rank_by, row.figures[rank_by]) is False
        marks = ["below-target" if below and row.key is not None else ""]
        marks.append("unplaced" if row.key in unplaced else "")
        classes.append(" ".join(mark for mark in marks if mark))
    if only is None:
        cells = ([Cell("")] if ranked else []) + [Cell(names.key(by, ALL), names.key(by, ALL))]
        cells += _figure_cells(report.all, view, settings, key=ALL, indicators=indicators)
        cells.append(_hours_cell(report.all, view, key=ALL))
        if ranked:
            cells.append(Cell(""))
        rows.append(tuple(cells))
        classes.append("total")
    note = ""
    if ranked:
        minimum = settings.minimum_to_rank
        note = (f"按{INDICATOR_TITLES[rank_by].split()[-1]}排名；少于 {minimum} 件案件的部门不排名，列在排名之后。"
                f" · Ranked by {INDICATOR_TITLES[rank_by]}; a department with fewer than {minimum} "
                f"cases behind that figure is not placed and is listed below the ranking. Rows below its target "
                f"({_target_text(settings, rank_by)}) are highlighted.")
    return Table(view, f"{VIEW_TITLES[view]} · {assessment.label}", tuple(columns), tuple(rows), tuple(classes),
                 note, tuple(groups))


def unplaced_text(placing: Placing, minimum: int) -> str:
    """Why a row has no place, Chinese first."""
    if placing.unplaced == TOO_FEW:
        count = len(placing.figure.denominator)
        return (f"未排名：仅 {count} 件案件，不足 {minimum} 件 · "
                f"not placed: {count} case{'s' if count != 1 else ''}, fewer than {minimum}")
    return "未排名：本月没有可计算的案件 · not placed: no case to count this month"


def summary_table(assessment: Assessment, names: Names) -> Table:
    """The hotline's cases beside the other channels' and all cases (as Taizhou reported them)."""
    settings = assessment.settings
    columns = [Column("Cases")]
    groups = [("", 1)]
    for indicator in Indicator:
        title = INDICATOR_TITLES[indicator]
        columns += [Column(f"{title} %", indicator.value, True), Column(f"{title} numerator", indicator.value, True),
                    Column(f"{title} denominator", indicator.value, True)]
        groups.append((title, 3))
    rows = []
    for view, title in (("hotline", "Hotline cases 热线案件"), ("others", "Other channels 其他渠道"),
                        ("departments", "All cases 全部案件")):
        rows.append((Cell(title, title), *_figure_cells(assessment.reports[view].all, view, settings, key=ALL)))
    return Table("summary", f"The hotline beside the other channels · {assessment.label}", tuple(columns),
                 tuple(rows), ("", "", "total"), "", tuple(groups))


def counts_table(assessment: Assessment, view: str, names: Names, only: GroupKey | None = None) -> Table:
    report = assessment.reports[view]
    columns = [Column(KEY_TITLES.get(report.by, report.by))]
    columns += [Column(title, numeric=True) for title in COUNTS.values()]
    rows = []
    chosen = report.rows if only is None else [row for row in report.rows if row.key == only]
    for row in [*chosen, *([report.all] if only is None else [])]:
        key = ALL if row is report.all else row.key
        cells = [Cell(names.key(report.by, key), names.key(report.by, key))]
        for measure in COUNTS:
            count = row.count(measure)
            cells.append(Cell(str(count), count, Link(view, _key(key), measure=measure.value)))
        rows.append(tuple(cells))
    classes = tuple("" for _ in chosen) + (("total",) if only is None else ())
    return Table(f"{view}-counts", f"Case counts, {VIEW_TITLES[view].lower()} · {assessment.label}",
                 tuple(columns), tuple(rows), classes)


def cases_table(title: str, lines: Sequence[CaseLine], names: Names, time_zone: str,
                counted: frozenset[int] | None = None, lateness: Mapping[int, Lateness] | None = None,
                now: datetime | None = None) -> Table:
    """The cases behind a figure; with ``lateness`` (and ``now``), each one's disposal deadline
    and how late it was disposed, or has been so far."""
    from zoneinfo import ZoneInfo
    zone = ZoneInfo(time_zone)
    columns = [Column("Case"), Column("Created"), Column("Channel"), Column("Category"),
               Column("Department now"), Column("Status now")]
    if counted is not None:
        columns.append(Column("Counted in the numerator"))
    if lateness is not None:
        columns += [Column("处置期限 Deadline"), Column("超期 Late by", numeric=True)]
    rows = []
    for line in lines:
        created = line.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        cells = [Cell(line.number, line.number), Cell(created, created),
                 Cell(CHANNEL_NAMES.get(line.channel, line.channel), line.channel),
                 Cell(names.category(line.category_code), line.category_code or ""),
                 Cell(names.department(line.department_code), line.department_code or ""),
                 Cell(line.status, line.status)]
        if counted is not None:
            yes = line.id in counted
            cells.append(Cell("yes" if yes else "no", "yes" if yes else "no", status="ok" if yes else "bad"))
        if lateness is not None:
            cells += _lateness_cells(lateness.get(line.id), zone, now)
        rows.append(tuple(cells))
    return Table("cases", title, tuple(columns), tuple(rows))


def _lateness_cells(late: Lateness | None, zone, now: datetime | None) -> list[Cell]:
    if late is None:
        return [Cell("–"), Cell("–")]
    due = late.due_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    span = late.late_by(now or late.due_at)
    hours = round(span.total_seconds() / 3600, 1)
    text = late_text(span) if late.disposed_at is not None else f"未处置，已超期 {late_text(span)} · not disposed yet"
    return [Cell(due, due), Cell(text, hours, number_format="0.0")]


def late_text(span: timedelta) -> str:
    """A lateness in days, hours and minutes, Chinese first: "1天3小时 (1 d 3 h)"."""
    minutes = int(span.total_seconds() // 60)
    days, hours, minutes = minutes // (24 * 60), minutes // 60 % 24, minutes % 60
    chinese = "".join(f"{n}{unit}" for n, unit in ((days, "天"), (hours, "小时"), (minutes, "分钟")) if n) or "0分钟"
    english = " ".join(f"{n} {unit}" for n, unit in ((days, "d"), (hours, "h"), (minutes, "min")) if n) or "0 min"
    return f"{chinese} ({english})"


def _figure_cells(row: Row, view: str, settings, key: GroupKey | None = None,
                  indicators: Sequence[Indicator] = tuple(Indicator)) -> list[Cell]:
    key = row.key if key is None else key
    cells = []
    for indicator in indicators:
        figure = row.figures[indicator]
        meets = settings.meets_target(indicator, figure)
        status = None if meets is None else ("ok" if meets else "bad")
        ratio = _ratio(figure)
        cells += [
            Cell(percent(figure), ratio, Link(view, _key(key), indicator.value, "denominator"), status, "0.00%"),
            Cell(str(len(figure.numerator)), len(figure.numerator),
                 Link(view, _key(key), indicator.value, "numerator")),
            Cell(str(len(figure.denominator)), len(figure.denominator),
                 Link(view, _key(key), indicator.value, "denominator")),
        ]
    return cells


def _hours_cell(row: Row, view: str, key: GroupKey | None = None) -> Cell:
    average = row.handling_time.average
    if average is None:
        return Cell("–", None, Link(view, _key(row.key if key is None else key), measure=Measure.HANDLED.value))
    rounded = float(Decimal(str(average)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    return Cell(f"{rounded:.1f}", rounded, Link(view, _key(row.key if key is None else key),
                                                measure=Measure.HANDLED.value), number_format="0.0")


def _ratio(figure: Figure) -> float | None:
    """The fraction XLSX stores, rounded as the page's percentage is (two decimals of a percent)."""
    if not figure.denominator:
        return None
    return float(Decimal(figure.percent.rstrip("%")) / 100)


def _key(key: GroupKey) -> str:
    return "" if key is None else str(key)


def _target_text(settings, indicator: Indicator) -> str:
    target = settings.targets.get(indicator)
    if target is None:
        return "none"
    return f"{'at most' if indicator in LOWER_IS_BETTER else 'at least'} {target}%"
