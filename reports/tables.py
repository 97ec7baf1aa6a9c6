"""The report's tables, once: the page renders them, and the CSV and XLSX exports write them, so
an export always says what the page says.

Every word a person reads is in the console's catalogue (``translations/``), said in the
reader's language when the table is made: Chinese by default (so the CLI's exports are in
Chinese), English too.

A ``Table`` is columns and rows of ``Cell``s. A cell holds the text shown (and written to CSV),
the value written to XLSX (numbers as numbers, percentages as fractions), whether it meets its
target, and the drill-down it links to.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable, Mapping, Sequence

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from config.catalog import HotlineConfig
from console.labels import STATUS, word
from reports.callcentre import TARGETS as CALL_TARGETS
from reports.callcentre import CallIndicator, CallMeasure, CallReport, seconds_text
from reports.callcentre import meets_target as meets_call_target
from reports.indicators import ALL, LOWER_IS_BETTER, TOO_FEW, Figure, GroupKey, Indicator, Measure, Placing, Row
from reports.services import Assessment, CaseLine, Lateness

INDICATOR_TITLES: Mapping[Indicator, str] = {
    Indicator.FILING_RATE: _l("Filing rate"),
    Indicator.DISPATCH_ACCURACY: _l("Dispatch accuracy"),
    Indicator.DISPOSAL_RATE: _l("Disposal rate"),
    Indicator.ON_TIME_DISPOSAL_RATE: _l("On-time disposal"),
    Indicator.CLOSING_RATE: _l("Closing rate"),
    Indicator.ON_TIME_CLOSING_RATE: _l("On-time closing"),
    Indicator.REWORK_RATE: _l("Rework rate"),
    Indicator.SATISFACTION: _l("Satisfaction"),
}
# The CLI's narrow columns (the terminal's, for the city's IT staff).
SHORT_TITLES: Mapping[Indicator, str] = {
    Indicator.FILING_RATE: "Filing", Indicator.DISPATCH_ACCURACY: "Dispatch accuracy",
    Indicator.DISPOSAL_RATE: "Disposal", Indicator.ON_TIME_DISPOSAL_RATE: "On-time disposal",
    Indicator.CLOSING_RATE: "Closing", Indicator.ON_TIME_CLOSING_RATE: "On-time closing",
    Indicator.REWORK_RATE: "Rework", Indicator.SATISFACTION: "Satisfaction",
}
# The counts shown beside the indicators, each linking to its cases.
COUNTS: Mapping[Measure, str] = {
    Measure.REPORTED: _l("Cases reported"), Measure.FILED: _l("Cases filed"),
    Measure.DISPATCHED: _l("Cases dispatched"), Measure.RETURNED: _l("Cases returned"),
    Measure.DUE_FOR_DISPOSAL: _l("Due for disposal"), Measure.DISPOSED: _l("Cases disposed"),
    Measure.REWORKED: _l("Cases reworked"), Measure.CLOSED: _l("Cases closed"),
    Measure.SUSPENDED: _l("Cases suspended"), Measure.VOIDED: _l("Cases voided"),
    Measure.REOPENED: _l("Cases reopened"), Measure.SURVEYED: _l("Surveys answered"),
}
CHANNEL_NAMES = {"hotline": _l("Hotline"), "open311": _l("Open311 (online)"), "web": _l("Web"),
                 "inspector": _l("Inspectors"), "api": _l("API")}
VIEW_TITLES = {
    "departments": _l("Departments, all channels"),
    "hotline": _l("Departments, hotline cases"),
    "others": _l("Departments, other channels"),
    "channels": _l("By channel"),
    "lines": _l("By line"),
    "categories": _l("By category"),
}
KEY_TITLES = {"department": _l("Department"), "channel": _l("Channel"), "line": _l("Line"),
              "category": _l("Category")}


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
    """Display names for row keys, from the configuration, in ``language`` (zh-CN or en-US)."""

    def __init__(self, config: HotlineConfig, language: str = "zh-CN") -> None:
        self.config = config
        self.language = language

    def key(self, by: str, key: GroupKey) -> str:
        if key == ALL:
            return _("All cases")
        if key is None:
            return _("Centre (no department)") if by == "department" else _("(none)")
        if by == "department":
            department = self.config.departments.get(key)
            return f"{department.name(self.language)} ({key})" if department else key
        if by == "channel":
            return str(CHANNEL_NAMES.get(key, key))
        if by == "line":
            line = self.config.lines.get(key)
            return line.name(self.language) if line else key
        if by == "category":
            category = self.config.categories.get(key)
            return f"{key} {category.name(self.language)}" if category else key
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
    columns = ([Column(_("Rank"), numeric=True)] if ranked else []) + [Column(str(KEY_TITLES.get(by, by)))]
    groups = [("", len(columns))]
    indicators = shown_indicators(by)
    for indicator in indicators:
        columns += _figure_columns(indicator)
        groups.append((str(INDICATOR_TITLES[indicator]), 3))
    columns += [Column(_("Average handling hours"), numeric=True)]
    groups.append(("", 1))
    if ranked:
        columns.append(Column(_("Why not placed")))
        groups.append(("", 1))
    rows, classes = [], []
    chosen: Iterable[Row] = report.rows if only is None else [row for row in report.rows if row.key == only]
    if ranked:   # best first; the centre's own row (no department) after the ranked ones
        chosen = sorted(chosen, key=lambda row: order.index(row.key) if row.key in order else len(order))
    for row in chosen:
        cells = []
        if ranked:
            place = places.get(row.key)
            text = "" if place is None else (_("%(place)d of %(count)d", place=place, count=ranked_count)
                                             if only is not None else str(place))
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
        note = _("Ranked by %(indicator)s; a department with fewer than %(minimum)d cases behind that figure is "
                 "not placed and is listed below the ranking. Rows below its target (%(target)s) are highlighted.",
                 indicator=INDICATOR_TITLES[rank_by], minimum=minimum, target=_target_text(settings, rank_by))
    return Table(view, f"{VIEW_TITLES[view]} · {assessment.label}", tuple(columns), tuple(rows), tuple(classes),
                 note, tuple(groups))


def unplaced_text(placing: Placing, minimum: int) -> str:
    """Why a row has no place, in the reader's language."""
    if placing.unplaced == TOO_FEW:
        return ngettext("not placed: %(num)d case, fewer than %(minimum)d",
                        "not placed: %(num)d cases, fewer than %(minimum)d",
                        len(placing.figure.denominator), minimum=minimum)
    return _("not placed: no case to count this month")


def summary_table(assessment: Assessment, names: Names) -> Table:
    """The hotline's cases beside the other channels' and all cases (as Taizhou reported them)."""
    settings = assessment.settings
    columns = [Column(_("Cases"))]
    groups = [("", 1)]
    for indicator in Indicator:
        columns += _figure_columns(indicator)
        groups.append((str(INDICATOR_TITLES[indicator]), 3))
    rows = []
    for view, title in (("hotline", _("Hotline cases")), ("others", _("Other channels")),
                        ("departments", _("All cases"))):
        rows.append((Cell(title, title), *_figure_cells(assessment.reports[view].all, view, settings, key=ALL)))
    return Table("summary", _("The hotline beside the other channels") + f" · {assessment.label}", tuple(columns),
                 tuple(rows), ("", "", "total"), "", tuple(groups))


def counts_table(assessment: Assessment, view: str, names: Names, only: GroupKey | None = None) -> Table:
    report = assessment.reports[view]
    columns = [Column(str(KEY_TITLES.get(report.by, report.by)))]
    columns += [Column(str(title), numeric=True) for title in COUNTS.values()]
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
    return Table(f"{view}-counts", _("Case counts: %(view)s", view=VIEW_TITLES[view]) + f" · {assessment.label}",
                 tuple(columns), tuple(rows), classes)


def cases_table(title: str, lines: Sequence[CaseLine], names: Names, time_zone: str,
                counted: frozenset[int] | None = None, lateness: Mapping[int, Lateness] | None = None,
                now: datetime | None = None) -> Table:
    """The cases behind a figure; with ``lateness`` (and ``now``), each one's disposal deadline
    and how late it was disposed, or has been so far."""
    from zoneinfo import ZoneInfo
    zone = ZoneInfo(time_zone)
    columns = [Column(_("Case")), Column(_("Created")), Column(_("Channel")), Column(_("Category")),
               Column(_("Department now")), Column(_("Status now"))]
    if counted is not None:
        columns.append(Column(_("Counted in the numerator")))
    if lateness is not None:
        columns += [Column(_("Deadline")), Column(_("Late by"), numeric=True)]
    rows = []
    for line in lines:
        created = line.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        cells = [Cell(line.number, line.number), Cell(created, created),
                 Cell(str(CHANNEL_NAMES.get(line.channel, line.channel)), line.channel),
                 Cell(names.category(line.category_code), line.category_code or ""),
                 Cell(names.department(line.department_code), line.department_code or ""),
                 Cell(word(STATUS, line.status), line.status)]
        if counted is not None:
            yes = line.id in counted
            said = _("yes") if yes else _("no")
            cells.append(Cell(said, said, status="ok" if yes else "bad"))
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
    text = late_text(span) if late.disposed_at is not None else _("not disposed yet, late by %(span)s",
                                                                   span=late_text(span))
    return [Cell(due, due), Cell(text, hours, number_format="0.0")]


def late_text(span: timedelta) -> str:
    """A lateness in days, hours and minutes, in the reader's language: "1天 3小时" or "1 d 3 h"."""
    minutes = int(span.total_seconds() // 60)
    days, hours, minutes = minutes // (24 * 60), minutes // 60 % 24, minutes % 60
    parts = [_("%(num)d d", num=days) if days else "", _("%(num)d h", num=hours) if hours else "",
             _("%(num)d min", num=minutes) if minutes or not (days or hours) else ""]
    return " ".join(part for part in parts if part)


def _figure_columns(indicator: Indicator) -> list[Column]:
    """An indicator's three columns: percent, numerator, denominator."""
    title = INDICATOR_TITLES[indicator]
    return [Column(_("%(indicator)s %%", indicator=title), indicator.value, True),
            Column(_("%(indicator)s numerator", indicator=title), indicator.value, True),
            Column(_("%(indicator)s denominator", indicator=title), indicator.value, True)]


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
        return _("none")
    if indicator in LOWER_IS_BETTER:
        return _("at most %(target)s%%", target=target)
    return _("at least %(target)s%%", target=target)


# --- call-centre figures ------------------------------------------------------------------------

CALL_TITLES: Mapping[CallIndicator, str] = {
    CallIndicator.ANSWER_RATE: _l("Answer rate"),
    CallIndicator.ABANDON_RATE: _l("Abandon rate"),
    CallIndicator.ANSWERED_WITHIN_15S: _l("Answered within 15 s"),
    CallIndicator.CONNECTION_RATE_24H: _l("24-hour connection rate"),
    CallIndicator.CALLBACKS_MADE: _l("Callbacks made"),
    CallIndicator.REFUSAL_RATE: _l("Refused a person rate"),
}
CALL_COUNTS: Mapping[CallMeasure, str] = {
    CallMeasure.OFFERED: _l("Calls offered"), CallMeasure.ANSWERED: _l("Calls answered"),
    CallMeasure.ABANDONED: _l("Calls abandoned"), CallMeasure.LEFT_FOR_CALLBACK: _l("Left for a callback"),
    CallMeasure.REFUSED: _l("Refused a person"), CallMeasure.REFUSED_CLOSED: _l("Refused: outside hours"),
    CallMeasure.REFUSED_QUEUE_FULL: _l("Refused: queue full"),
    CallMeasure.REFUSED_WAIT_TOO_LONG: _l("Refused: wait too long"),
}
CALL_VIEW_TITLES = {"line": _l("Calls by line"), "operator": _l("Calls by operator"), "day": _l("Calls by day"),
                    "hour": _l("Calls by hour of the day")}
CALL_KEY_TITLES = {"line": _l("Line"), "operator": _l("Operator"), "day": _l("Day"), "hour": _l("Hour")}
CALL_TABLES = {f"calls-{by}": by for by in CALL_VIEW_TITLES}
# Excel keeps a span as a fraction of a day; this shows it as minutes and seconds, as the page does.
MINUTES_SECONDS = "[m]:ss"


def call_table(report: CallReport, names: Names, label: str) -> Table:
    """A month's call-centre figures grouped by line, operator, day or hour: the counts, each
    share with its numerator and denominator, the average wait and handling time (m:ss)."""
    by = report.by
    columns = [Column(str(CALL_KEY_TITLES[by]))]
    groups = [("", 1)]
    columns += [Column(str(title), numeric=True) for title in CALL_COUNTS.values()]
    groups.append(("", len(CALL_COUNTS)))
    for indicator in CallIndicator:
        title = CALL_TITLES[indicator]
        columns += [Column(_("%(indicator)s %%", indicator=title), indicator.value, True),
                    Column(_("%(indicator)s numerator", indicator=title), indicator.value, True),
                    Column(_("%(indicator)s denominator", indicator=title), indicator.value, True)]
        groups.append((str(title), 3))
    columns += [Column(_("Average wait (m:ss)"), numeric=True), Column(_("Average handling time (m:ss)"), numeric=True)]
    groups.append(("", 2))
    rows = []
    for row in (*report.rows, report.all):
        name = call_key_name(names, by, row.key)
        cells = [Cell(name, name)]
        cells += [Cell(str(row.count(measure)), row.count(measure)) for measure in CALL_COUNTS]
        figures = row.figures
        for indicator in CallIndicator:
            figure = figures[indicator]
            meets = meets_call_target(indicator, figure)
            cells += [Cell(percent(figure), _ratio(figure), None, None if meets is None else ("ok" if meets else "bad"),
                           "0.00%"),
                      Cell(str(len(figure.numerator)), len(figure.numerator)),
                      Cell(str(len(figure.denominator)), len(figure.denominator))]
        for seconds in (row.average_wait, row.average_handling):
            cells.append(Cell(seconds_text(seconds), None if seconds is None else _rounded_seconds(seconds) / 86400,
                              number_format=MINUTES_SECONDS))
        rows.append(tuple(cells))
    classes = tuple("" for _ in report.rows) + ("total",)
    note = _("Offered: calls that joined an operator queue in the month. Answered within 15 s and the 24-hour "
             "connection rate are shares of the calls offered; GB/T 33358 asks for at least %(target)s%% connected "
             "within 24 hours. See docs/reports.md.", target=CALL_TARGETS["connection_rate_24h"]) + " " + _(
        "Refused a person: callers who asked for a person and were refused (outside hours, queue full, wait too "
        "long), once per call, by the first refusal; not offered unless they joined the queue later in the call. "
        "The refused a person rate is over the callers who asked for a person (offered or refused).")
    return Table(f"calls-{by}", f"{CALL_VIEW_TITLES[by]} · {label}", tuple(columns), tuple(rows), classes, note,
                 tuple(groups))


def call_key_name(names: Names, by: str, key: str | None) -> str:
    """A call-centre row's name: the line's, the operator's user name, the day, or the hour as a span."""
    if key == ALL:
        return _("All calls")
    if by == "line":
        return names.key("line", key) if key is not None else _("(none)")
    if by == "operator":
        return key if key is not None else _("Not answered")
    if by == "hour":
        return f"{key}:00–{int(key) + 1:02d}:00" if key is not None else _("(none)")
    return key or _("(none)")


def _rounded_seconds(seconds: float) -> int:
    return int(Decimal(str(seconds)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
