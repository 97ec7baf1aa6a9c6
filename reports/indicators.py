"""The national assessment indicators (综合评价, DESIGN.md §5), computed from case histories.

Pure domain code: plain dataclasses in, plain dataclasses out.

A report is made in two steps:

1. ``case_marks`` reads one case's history *as it stood at the period's end* and yields a
   ``Mark`` for every measure the case counts in (due for disposal, returned, ...), with the
   department charged. Events after the period's end are never read, so a period's figures
   cannot change when a case moves later.
2. ``report_from_marks`` gathers marks into rows and turns each row's case sets into figures.
   A database path may produce the same marks with SQL and reuse this step; see "Counting in
   SQL" at the end of this module.

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

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction
from typing import AbstractSet, Callable, Iterable, Iterator, Mapping, NamedTuple, Sequence

from reports.periods import Period

CaseId = int
GroupKey = str | None
ALL = "all"   # the key of a report's total row

# The case lifecycle's vocabulary (cases/lifecycle.py), as plain strings so that this module
# depends on nothing but the words.
FILE, DISPATCH, RETURN, DISPOSE, REWORK, CLOSE, SUSPEND, VOID, REOPEN = (
    "file", "dispatch", "return", "dispose", "rework", "close", "suspend", "void", "reopen")
INTAKE, DISPOSED, CLOSED, SUSPENDED, VOIDED = "intake", "disposed", "closed", "suspended", "voided"

# Callback survey outcomes. UNREACHABLE is recorded, but it is not an answer.
SATISFIED, BASICALLY_SATISFIED, UNSATISFIED, UNREACHABLE = (
    "satisfied", "basically_satisfied", "unsatisfied", "unreachable")
ANSWERS = frozenset({SATISFIED, BASICALLY_SATISFIED, UNSATISFIED})


# --- what goes in ------------------------------------------------------------------------------

@dataclass(frozen=True)
class EventRecord:
    """One step in a case's life. All datetimes are timezone-aware (UTC)."""

    at: datetime
    action: str
    from_status: str | None
    to_status: str
    department: str | None = None               # where a dispatch sent the case
    disposal_due_at: datetime | None = None     # a new disposal deadline this event set
    closing_due_at: datetime | None = None      # a new closing deadline this event set


@dataclass(frozen=True)
class Survey:
    """A callback's outcome: one of ANSWERS, or UNREACHABLE."""

    at: datetime
    answer: str

    def __post_init__(self) -> None:
        # A mistyped answer would silently drop out of the denominator; refuse it instead.
        if self.answer not in ANSWERS | {UNREACHABLE}:
            raise ValueError(f"unknown survey answer {self.answer!r}")


@dataclass(frozen=True)
class CaseHistory:
    """Everything the indicators need to know about one case.

    ``events`` are in the order they happened (for equal times, the order given is kept).
    The two deadlines are those set at intake (urgent cases) or at first filing; later ones
    come on the events that set them, so that past periods keep the deadline they had.
    """

    case_id: CaseId
    line_id: str | None
    channel: str                     # "hotline", "open311", "web", "inspector", ...
    category_code: str | None
    priority: str
    created_at: datetime
    disposal_due_at: datetime | None
    closing_due_at: datetime | None
    events: Sequence[EventRecord] = ()
    surveys: Sequence[Survey] = ()


@dataclass(frozen=True)
class AssessmentRules:
    """The counting rules a city chooses. The defaults are the strict reading of DESIGN.md §5."""

    subtract_suspended: bool = False
    """Leave a deadline out of the due counts when the case was suspended (缓办) as it passed.
    Off by default: parking hard cases was how they used to vanish (DESIGN.md §3, story 5).
    A case suspended only after its deadline passed stays due either way."""

    voided_count_as_valid_reports: bool = False
    """Count voided reports (duplicates, out of scope, pranks) among the valid reports of
    the filing rate. Off by default: a report voided by the period's end was not valid."""

    basically_satisfied_counts: bool = True
    """Count "basically satisfied" as satisfied, as cities usually publish 满意率."""

    check_time_limit: timedelta = timedelta(hours=24)
    """The inspector's check time limit (核查时限): a case falls due for closing this long, by the
    clock, after it fell due for disposal. The lifecycle has no closing deadline of its own, so
    the sources that read histories from the database (reports.sources, reports.sql) derive it
    from each disposal deadline; the arithmetic here takes whatever closing deadlines it is given."""

    @property
    def satisfied_answers(self) -> frozenset[str]:
        return frozenset({SATISFIED, BASICALLY_SATISFIED} if self.basically_satisfied_counts else {SATISFIED})


# --- marks: which measures a case counts in -------------------------------------------------------

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


class Mark(NamedTuple):
    """One case counted in one measure, charged to one department (None: the centre)."""

    measure: Measure
    case_id: CaseId
    department: str | None
    hours: float | None = None   # HANDLED only


_EVENT_MEASURES = {
    DISPATCH: Measure.DISPATCHED, RETURN: Measure.RETURNED, DISPOSE: Measure.DISPOSED,
    REWORK: Measure.REWORKED, CLOSE: Measure.CLOSED, SUSPEND: Measure.SUSPENDED,
    VOID: Measure.VOIDED, REOPEN: Measure.REOPENED,
}


class _State(NamedTuple):
    status: str
    holder: str | None             # the department that has the case; None while the centre has it
    disposed_at: datetime | None   # the latest disposal so far
    closed_at: datetime | None     # the latest closing so far


def _next_state(state: _State, event: EventRecord) -> _State:
    holder = state.holder
    if event.action == DISPATCH:
        holder = event.department
    elif event.action == RETURN:
        holder = None
    return _State(
        status=event.to_status,
        holder=holder,
        disposed_at=event.at if event.action == DISPOSE else state.disposed_at,
        closed_at=event.at if event.action == CLOSE else state.closed_at,
    )


class _Timeline:
    """A case's state after each of its events, to ask how it stood just before a moment."""

    def __init__(self, events: Sequence[EventRecord]) -> None:
        self._times = [event.at for event in events]
        self._states = [_State(INTAKE, None, None, None)]
        for event in events:
            self._states.append(_next_state(self._states[-1], event))

    def before(self, moment: datetime) -> _State:
        return self._states[bisect_left(self._times, moment)]

    def before_event(self, index: int) -> _State:
        # By position rather than time, so that events recorded at the same instant keep their order.
        return self._states[index]

    @property
    def final(self) -> _State:
        return self._states[-1]


@dataclass(frozen=True)
class _DeadlineKind:
    field: str                                   # the attribute on CaseHistory and EventRecord
    met_statuses: frozenset[str]
    met_at: Callable[[_State], datetime | None]
    due: Measure
    missed: Measure
    late: Measure


_DISPOSAL = _DeadlineKind("disposal_due_at", frozenset({DISPOSED, CLOSED}), lambda state: state.disposed_at,
                          Measure.DUE_FOR_DISPOSAL, Measure.DISPOSAL_MISSED, Measure.DISPOSAL_LATE)
_CLOSING = _DeadlineKind("closing_due_at", frozenset({CLOSED}), lambda state: state.closed_at,
                         Measure.DUE_FOR_CLOSING, Measure.CLOSING_MISSED, Measure.CLOSING_LATE)


def case_marks(case: CaseHistory, period: Period, rules: AssessmentRules = AssessmentRules()) -> Iterator[Mark]:
    """Every measure ``case`` counts in for ``period``, read from its history up to the period's end.

    The work is linear in the case's events. Only a case created, moved, due or surveyed in the
    period yields anything, so a caller may load just those cases (with their earlier events).
    """
    if case.created_at >= period.end:
        return
    # sorted() is stable: events recorded at the same instant keep the order they were given in.
    events = [event for event in sorted(case.events, key=lambda event: event.at) if event.at < period.end]
    timeline = _Timeline(events)
    yield from _report_marks(case, events, timeline, period, rules)
    yield from _event_marks(case, events, timeline, period)
    yield from _handling_marks(case, events, timeline, period)
    for kind in (_DISPOSAL, _CLOSING):
        yield from _deadline_marks(case, events, timeline, period, rules, kind)
    yield from _survey_marks(case, timeline, period, rules)


def _report_marks(case: CaseHistory, events: list[EventRecord], timeline: _Timeline, period: Period,
                  rules: AssessmentRules) -> Iterator[Mark]:
    if case.created_at not in period:
        return
    if timeline.final.status == VOIDED and not rules.voided_count_as_valid_reports:
        return
    yield Mark(Measure.REPORTED, case.case_id, None)
    if any(event.action == FILE for event in events):
        yield Mark(Measure.FILED, case.case_id, None)


def _event_marks(case: CaseHistory, events: list[EventRecord], timeline: _Timeline,
                 period: Period) -> Iterator[Mark]:
    for index, event in enumerate(events):
        measure = _EVENT_MEASURES.get(event.action)
        if measure is None or event.at not in period:
            continue
        department = event.department if event.action == DISPATCH else timeline.before_event(index).holder
        yield Mark(measure, case.case_id, department)


def _handling_marks(case: CaseHistory, events: list[EventRecord], timeline: _Timeline,
                    period: Period) -> Iterator[Mark]:
    """Hours from filing to the case's last disposal in the period: after a rework, the work
    was done when it was disposed again. A re-filed case is timed from its latest filing."""
    filed_at, last = None, None
    for index, event in enumerate(events):
        if event.action == FILE:
            filed_at = event.at
        elif event.action == DISPOSE and event.at in period and filed_at is not None:
            last = index, (event.at - filed_at).total_seconds() / 3600
    if last is not None:
        index, hours = last
        yield Mark(Measure.HANDLED, case.case_id, timeline.before_event(index).holder, hours)


def _deadlines_due(case: CaseHistory, events: list[EventRecord], period: Period,
                   kind: _DeadlineKind) -> Iterator[tuple[datetime, datetime]]:
    """Each deadline of ``kind`` that fell due in the period, with the moment it is judged at:
    when a newer deadline or a void replaced it, else the period's end."""
    changes = [(event.at, None if event.action == VOID else getattr(event, kind.field))
               for event in events if event.action == VOID or getattr(event, kind.field) is not None]
    deadlines = [getattr(case, kind.field)] + [due for _, due in changes]
    replaced = [at for at, _ in changes] + [period.end]
    for due, judged_at in zip(deadlines, replaced, strict=True):
        if due is not None and due in period and due < judged_at:
            yield due, judged_at


def _deadline_marks(case: CaseHistory, events: list[EventRecord], timeline: _Timeline, period: Period,
                    rules: AssessmentRules, kind: _DeadlineKind) -> Iterator[Mark]:
    for due, judged_at in _deadlines_due(case, events, period, kind):
        as_it_passed = timeline.before(due)
        if rules.subtract_suspended and as_it_passed.status == SUSPENDED:
            continue
        judged = timeline.before(judged_at)
        met_at = kind.met_at(judged) if judged.status in kind.met_statuses else None
        department = as_it_passed.holder
        yield Mark(kind.due, case.case_id, department)
        if met_at is None:
            yield Mark(kind.missed, case.case_id, department)
        if met_at is None or met_at > due:
            yield Mark(kind.late, case.case_id, department)


def _survey_marks(case: CaseHistory, timeline: _Timeline, period: Period,
                  rules: AssessmentRules) -> Iterator[Mark]:
    answered = [survey for survey in case.surveys if survey.at in period and survey.answer in ANSWERS]
    if not answered:
        return
    latest = max(answered, key=lambda survey: survey.at)
    department = timeline.before(latest.at).holder
    yield Mark(Measure.SURVEYED, case.case_id, department)
    if latest.answer in rules.satisfied_answers:
        yield Mark(Measure.SATISFIED, case.case_id, department)


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


class _Tally:
    def __init__(self) -> None:
        self.cases: dict[Measure, set[CaseId]] = defaultdict(set)
        self.hours: dict[CaseId, float] = {}

    def add(self, mark: Mark) -> None:
        self.cases[mark.measure].add(mark.case_id)
        if mark.hours is not None:
            self.hours[mark.case_id] = mark.hours

    def row(self, key: GroupKey) -> Row:
        return _row(key, self.cases, self.hours)


def _row(key: GroupKey, cases: Mapping[Measure, AbstractSet[CaseId]], hours: Mapping[CaseId, float]) -> Row:
    sets = {measure: frozenset(cases.get(measure, _EMPTY)) for measure in MEASURES}
    return Row(key, sets, _figures(sets), HandlingTime(dict(hours)))


GROUP_KEYS: dict[str, Callable[[CaseHistory, Mark], GroupKey]] = {
    "department": lambda case, mark: mark.department,
    "line": lambda case, mark: case.line_id,
    "channel": lambda case, mark: case.channel,   # the hotline beside open311, web, inspectors
    "category": lambda case, mark: case.category_code,
    "priority": lambda case, mark: case.priority,
}


def report_from_marks(period: Period, by: str, keyed_marks: Iterable[tuple[GroupKey, Mark]]) -> Report:
    """Rows of figures from marks already given their group key: the seam for a SQL path."""
    groups: dict[GroupKey, _Tally] = defaultdict(_Tally)
    everything = _Tally()
    for key, mark in keyed_marks:
        groups[key].add(mark)
        everything.add(mark)
    keys = sorted(groups, key=lambda key: (key is None, key or ""))
    return Report(period, by, tuple(groups[key].row(key) for key in keys), everything.row(ALL))


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


def build_report(cases: Iterable[CaseHistory], period: Period, by: str = "department",
                 rules: AssessmentRules = AssessmentRules()) -> Report:
    """The period's figures per department, line, channel, category or priority, with a total row.

    For one channel's departments (the hotline listed separately), pass only that channel's cases.
    """
    if by not in GROUP_KEYS:
        raise ValueError(f"cannot group by {by!r}; choose one of {', '.join(GROUP_KEYS)}")
    group_key = GROUP_KEYS[by]
    keyed_marks = ((group_key(case, mark), mark) for case in cases for mark in case_marks(case, period, rules))
    return report_from_marks(period, by, keyed_marks)


# --- ranking ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Placing:
    place: int | None   # equal figures share a place (1, 2, 2, 4); None when there is no figure
    key: GroupKey
    figure: Figure


def rank(report: Report, indicator: Indicator | str) -> list[Placing]:
    """The report's rows best first by one indicator (lowest first for the rework rate).

    Made for departments, and works for any grouping. The unattributed row (key None) is not
    ranked; rows with nothing in the denominator come last, without a place.
    """
    indicator = Indicator(indicator)
    better_first = 1 if indicator in LOWER_IS_BETTER else -1
    scored = [(row.figures[indicator], row.key) for row in report.rows if row.key is not None]
    placed = sorted((item for item in scored if item[0].exact is not None),
                    key=lambda item: (better_first * item[0].exact, item[1]))
    placings: list[Placing] = []
    for position, (figure, key) in enumerate(placed, start=1):
        tied = bool(placings) and placings[-1].figure.exact == figure.exact
        placings.append(Placing(placings[-1].place if tied else position, key, figure))
    unplaced = sorted(key for figure, key in scored if figure.exact is None)
    return placings + [Placing(None, key, report.row(key).figures[indicator]) for key in unplaced]


# --- counting in SQL ---------------------------------------------------------------------------------
#
# reports/statement.py computes the same marks in the database (reports/sql.py runs it and makes
# the reports with ``report_from_sets``); reports/sources.py feeds ``case_marks`` from the database.
# The two paths are held to identical reports over the same histories by
# tests/reports/test_figures_from_the_database.py, on SQLite and PostgreSQL. A change to a rule
# here needs the same change there.
