"""The national assessment indicators (综合评价, docs/reports.md): what counts, and the figures.

Pure domain code: the measures a case counts in, the rules a city chooses, and the arithmetic that
turns case sets into figures, reports and rankings.  ``reports.statement`` computes the measures in
the database (``reports.sql`` runs it, and makes reports with ``report_from_sets``): that is the
one production path.  The tests hold it to a Python reference of the same rules
(tests/reports/oracle.py) over the same histories.

A case's measures are read from its history *as it stood at the period's end*, with the department
charged. Events after the period's end are never read, so a period's figures cannot change when a
case moves later.

Which department is charged
    The department that *held* the case at the moment that is counted: the one it was last
    dispatched to, until that department returns it. From a return until the re-dispatch the
    centre holds the case and no department is charged (the row keyed ``None``). So a deadline
    is charged to whoever held the case when the deadline passed; a disposal, return or rework
    to the department that had the case just before; a dispatch to the department it went to;
    a survey to the department that held the case when the complainant answered. Filing is the
    centre's work and is charged to no department.

Deadlines
    A case carries the deadlines set at intake or first filing; an event may set a new one (the
    clock restarts on re-filing after a reopen, or on reactivation). A deadline *falls due* in
    the period when its moment lies in the period while it is still in force: a deadline that a
    newer one, or a void, replaced before it passed never falls due. Each deadline that falls
    due is judged on the case as it stood when that deadline was replaced, or at the period's
    end: disposed if the case was then disposed or closed, on time if that disposal was
    reported no later than the deadline. A rework therefore undoes a disposal until the next
    one. When two deadlines of one case fall due in the same period, the case counts as
    disposed (or on time) only if it met both.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction
from typing import AbstractSet, Mapping

from routing.periods import Period

CaseId = int
GroupKey = str | None
ALL = "all"   # the key of a report's total row

# Callback survey outcomes. UNREACHABLE is recorded, but it is not an answer.
SATISFIED, BASICALLY_SATISFIED, UNSATISFIED, UNREACHABLE = (
    "satisfied", "basically_satisfied", "unsatisfied", "unreachable")
ANSWERS = frozenset({SATISFIED, BASICALLY_SATISFIED, UNSATISFIED})


@dataclass(frozen=True)
class AssessmentRules:
    """The counting rules a city chooses. The defaults are the strict reading of the national
    indicators (docs/reports.md)."""

    subtract_suspended: bool = False
    """Leave a deadline out of the due counts when the case was suspended (缓办) as it passed.
    Off by default: parking hard cases was how they used to vanish (story 5 of the Taizhou report:
    only about half of hotline cases used to be disposed of; hard ones were suspended or voided).
    A case suspended only after its deadline passed stays due either way."""

    voided_count_as_valid_reports: bool = False
    """Count voided reports (duplicates, out of scope, pranks) among the valid reports of
    the filing rate. Off by default: a report voided by the period's end was not valid."""

    basically_satisfied_counts: bool = True
    """Count "basically satisfied" as satisfied, as cities usually publish 满意率."""

    check_time_limit: timedelta = timedelta(hours=24)
    """The inspector's check time limit (核查时限): a case falls due for closing this long, by the
    clock, after it fell due for disposal. The lifecycle has no closing deadline of its own, so
    the database path (reports.statement) derives it
    from each disposal deadline; the arithmetic here takes whatever closing deadlines it is given."""

    @property
    def satisfied_answers(self) -> frozenset[str]:
        return frozenset({SATISFIED, BASICALLY_SATISFIED} if self.basically_satisfied_counts else {SATISFIED})


# --- measures: the sets of cases that figures are made of ----------------------------------------

class Measure(StrEnum):
    """A set of cases that figures are made of, each with the rule that puts a case in it."""

    REPORTED = "reported"                   # created in the period, and a valid report (see rules)
    FILED = "filed"                         # a REPORTED case filed by the period's end
    DISPATCHED = "dispatched"               # dispatched in the period
    RETURNED = "returned"                   # returned in the period
    DISPOSED = "disposed"                   # reported disposed in the period
    REWORKED = "reworked"                   # sent back for rework in the period
    CLOSED = "closed"                       # closed in the period
    SUSPENDED = "suspended"                 # suspended in the period
    VOIDED = "voided"                       # voided in the period
    REOPENED = "reopened"                   # reopened in the period
    DUE_FOR_DISPOSAL = "due_for_disposal"   # a disposal deadline fell due in the period
    DISPOSAL_MISSED = "disposal_missed"     # ... and was judged not disposed
    DISPOSAL_LATE = "disposal_late"         # ... or disposed after the deadline (includes missed)
    DUE_FOR_CLOSING = "due_for_closing"
    CLOSING_MISSED = "closing_missed"
    CLOSING_LATE = "closing_late"
    SURVEYED = "surveyed"                   # answered a survey in the period (the latest answer counts)
    SATISFIED = "satisfied"                 # ... and that answer was satisfied
    HANDLED = "handled"                     # disposed in the period; carries hours since filing


MEASURES = tuple(Measure)   # iterating a tuple is much quicker than iterating the enum
_EMPTY: frozenset = frozenset()


# --- figures and reports ---------------------------------------------------------------------------

class Indicator(StrEnum):
    FILING_RATE = "filing_rate"                        # 立案率
    DISPATCH_ACCURACY = "dispatch_accuracy"            # 派遣准确率
    DISPOSAL_RATE = "disposal_rate"                    # 处置率
    ON_TIME_DISPOSAL_RATE = "on_time_disposal_rate"    # 按期处置率
    CLOSING_RATE = "closing_rate"                      # 结案率
    ON_TIME_CLOSING_RATE = "on_time_closing_rate"      # 按期结案率
    REWORK_RATE = "rework_rate"                        # 返工率
    SATISFACTION = "satisfaction"                      # 满意率


LOWER_IS_BETTER = frozenset({Indicator.REWORK_RATE})


@dataclass(frozen=True)
class Figure:
    """One indicator of one row, with the cases behind it so a department can check them."""

    numerator: frozenset[CaseId]
    denominator: frozenset[CaseId]

    @property
    def exact(self) -> Fraction | None:
        return Fraction(len(self.numerator), len(self.denominator)) if self.denominator else None

    @property
    def ratio(self) -> float | None:
        return None if self.exact is None else float(self.exact)

    @property
    def percent(self) -> str | None:
        """Two decimals, rounded half up as published figures are ("93.72%"); None when undefined."""
        if not self.denominator:
            return None
        value = Decimal(100 * len(self.numerator)) / Decimal(len(self.denominator))
        return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"


@dataclass(frozen=True)
class HandlingTime:
    hours: Mapping[CaseId, float]   # filing to disposal, per case disposed in the period

    @property
    def average(self) -> float | None:
        return sum(self.hours.values()) / len(self.hours) if self.hours else None


@dataclass(frozen=True)
class Row:
    key: GroupKey
    cases: Mapping[Measure, frozenset[CaseId]]   # every measure, for counts and drill-down
    figures: Mapping[Indicator, Figure]          # in Indicator order
    handling_time: HandlingTime

    def count(self, measure: Measure) -> int:
        return len(self.cases[measure])


@dataclass(frozen=True)
class Report:
    period: Period
    by: str                  # the dimension the rows are keyed by; see GROUP_KEYS
    rows: tuple[Row, ...]    # by key, the unattributed row (None) last
    all: Row                 # the whole period; its case sets are the union of the rows'

    def row(self, key: GroupKey) -> Row:
        for row in self.rows:
            if row.key == key:
                return row
        raise KeyError(key)


def _figures(cases: Mapping[Measure, frozenset[CaseId]]) -> dict[Indicator, Figure]:
    def share(part: Measure, whole: Measure) -> Figure:
        # Intersected so that a figure never exceeds 100%, whatever produced the marks.
        return Figure(cases[part] & cases[whole], cases[whole])

    def whole_less(whole: Measure, failed: Measure) -> Figure:
        # Counting failures rather than successes makes one failure decide for the whole case,
        # also in the total row, where a case can arrive from two departments' rows.
        return Figure(cases[whole] - cases[failed], cases[whole])

    return {
        Indicator.FILING_RATE: share(Measure.FILED, Measure.REPORTED),
        # "Returned or re-dispatched": a re-dispatch always follows a return in this lifecycle, so
        # counting returns counts each wrong dispatch once. A case returned in a later period is
        # counted there, when it is dispatched again.
        Indicator.DISPATCH_ACCURACY: whole_less(Measure.DISPATCHED, Measure.RETURNED),
        Indicator.DISPOSAL_RATE: whole_less(Measure.DUE_FOR_DISPOSAL, Measure.DISPOSAL_MISSED),
        Indicator.ON_TIME_DISPOSAL_RATE: whole_less(Measure.DUE_FOR_DISPOSAL, Measure.DISPOSAL_LATE),
        Indicator.CLOSING_RATE: whole_less(Measure.DUE_FOR_CLOSING, Measure.CLOSING_MISSED),
        Indicator.ON_TIME_CLOSING_RATE: whole_less(Measure.DUE_FOR_CLOSING, Measure.CLOSING_LATE),
        Indicator.REWORK_RATE: share(Measure.REWORKED, Measure.DISPOSED),
        Indicator.SATISFACTION: share(Measure.SATISFIED, Measure.SURVEYED),
    }


def _row(key: GroupKey, cases: Mapping[Measure, AbstractSet[CaseId]], hours: Mapping[CaseId, float]) -> Row:
    sets = {measure: frozenset(cases.get(measure, _EMPTY)) for measure in MEASURES}
    return Row(key, sets, _figures(sets), HandlingTime(dict(hours)))


def report_from_sets(period: Period, by: str,
                     groups: Mapping[GroupKey, tuple[Mapping[Measure, AbstractSet[CaseId]], Mapping[CaseId, float]]],
                     ) -> Report:
    """Rows of figures from each group's case sets and handling hours, for a caller that already
    holds sets (reports.sql): the same report as ``report_from_marks`` over the marks they hold.
    The total row is the union of the groups."""
    keys = sorted(groups, key=lambda key: (key is None, key or ""))
    rows = tuple(_row(key, *groups[key]) for key in keys)
    everything = {measure: _EMPTY.union(*(row.cases[measure] for row in rows)) for measure in MEASURES}
    hours = {case: h for key in keys for case, h in groups[key][1].items()}
    return Report(period, by, rows, _row(ALL, everything, hours))


# --- ranking ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Placing:
    place: int | None   # equal figures share a place (1, 2, 2, 4); None when not placed
    key: GroupKey
    figure: Figure
    unplaced: str | None = None   # why not placed: NO_FIGURE, or TOO_FEW cases behind the figure


NO_FIGURE, TOO_FEW = "no_figure", "too_few"


def rank(report: Report, indicator: Indicator | str, minimum: int = 1) -> list[Placing]:
    """The report's rows best first by one indicator (lowest first for the rework rate).

    Made for departments, and works for any grouping. The unattributed row (key None) is not
    ranked. A row is placed only when its figure counts at least ``minimum`` cases (the
    indicator's denominator), so that one case out of one cannot outrank 376 out of 395; the
    others come last, without a place, each with the reason (``Placing.unplaced``): those with
    too few cases first, most cases first, then those with nothing in the denominator.
    """
    indicator = Indicator(indicator)
    better_first = 1 if indicator in LOWER_IS_BETTER else -1
    scored = [(row.figures[indicator], row.key) for row in report.rows if row.key is not None]
    placed = sorted((item for item in scored if item[0].exact is not None and len(item[0].denominator) >= minimum),
                    key=lambda item: (better_first * item[0].exact, item[1]))
    placings: list[Placing] = []
    for position, (figure, key) in enumerate(placed, start=1):
        tied = bool(placings) and placings[-1].figure.exact == figure.exact
        placings.append(Placing(placings[-1].place if tied else position, key, figure))
    too_few = sorted(((figure, key) for figure, key in scored
                      if figure.exact is not None and len(figure.denominator) < minimum),
                     key=lambda item: (-len(item[0].denominator), item[1]))
    no_figure = sorted(key for figure, key in scored if figure.exact is None)
    return (placings + [Placing(None, key, figure, TOO_FEW) for figure, key in too_few]
            + [Placing(None, key, report.row(key).figures[indicator], NO_FIGURE) for key in no_figure])


# --- counting in SQL ---------------------------------------------------------------------------------
#
# reports/statement.py computes the measures in the database and reports/sql.py makes the reports
# with ``report_from_sets``.  tests/reports/oracle.py is the same rules in Python, the tests' oracle:
# tests/reports/test_figures_from_the_database.py holds the two to identical reports over the same
# histories, on SQLite and PostgreSQL. A change to a rule needs the same change in both.
