"""The Python reference of the assessment's rules: the oracle the SQL path is held to.

The production path computes the marks in the database (``reports.statement``, run by
``reports.sql``).  This module computes the same marks from plain case histories, rule by rule as
``reports.indicators`` states them, so that tests can compare the two over the same histories
(tests/reports/test_figures_from_the_database.py) and check the rules on hand-made histories
(tests/reports/test_indicators.py).  ``tests.reports.histories_from_database`` loads the histories.

A report is made in two steps:

1. ``case_marks`` reads one case's history *as it stood at the period's end* and yields a
   ``Mark`` for every measure the case counts in (due for disposal, returned, ...), with the
   department charged.
2. ``report_from_marks`` gathers marks into each group's case sets and hands them to the
   production arithmetic (``reports.indicators.report_from_sets``).
"""
from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable, Iterator, NamedTuple, Sequence

from reports.indicators import (
    ANSWERS,
    UNREACHABLE,
    AssessmentRules,
    CaseId,
    GroupKey,
    Measure,
    Report,
    report_from_sets,
)
from routing.periods import Period

STRICT = AssessmentRules()   # the default rules

# The case lifecycle's vocabulary (cases/lifecycle.py), as plain strings so that this module
# depends on nothing but the words.
FILE, DISPATCH, RETURN, DISPOSE, REWORK, CLOSE, SUSPEND, VOID, REOPEN = (
    "file", "dispatch", "return", "dispose", "rework", "close", "suspend", "void", "reopen")
INTAKE, DISPOSED, CLOSED, SUSPENDED, VOIDED = "intake", "disposed", "closed", "suspended", "voided"


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


# --- marks: which measures a case counts in -------------------------------------------------------

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


def case_marks(case: CaseHistory, period: Period, rules: AssessmentRules = STRICT) -> Iterator[Mark]:
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


GROUP_KEYS: dict[str, Callable[[CaseHistory, Mark], GroupKey]] = {
    "department": lambda case, mark: mark.department,
    "line": lambda case, mark: case.line_id,
    "channel": lambda case, mark: case.channel,   # the hotline beside open311, web, inspectors
    "category": lambda case, mark: case.category_code,
    "priority": lambda case, mark: case.priority,
}


def report_from_marks(period: Period, by: str, keyed_marks: Iterable[tuple[GroupKey, Mark]]) -> Report:
    """Rows of figures from marks already given their group key."""
    groups: dict[GroupKey, tuple[dict[Measure, set[CaseId]], dict[CaseId, float]]] = defaultdict(
        lambda: (defaultdict(set), {}))
    for key, mark in keyed_marks:
        cases, hours = groups[key]
        cases[mark.measure].add(mark.case_id)
        if mark.hours is not None:
            hours[mark.case_id] = mark.hours
    return report_from_sets(period, by, groups)


def build_report(cases: Iterable[CaseHistory], period: Period, by: str = "department",
                 rules: AssessmentRules = STRICT) -> Report:
    """The period's figures per department, line, channel, category or priority, with a total row.

    For one channel's departments (the hotline listed separately), pass only that channel's cases.
    """
    if by not in GROUP_KEYS:
        raise ValueError(f"cannot group by {by!r}; choose one of {', '.join(GROUP_KEYS)}")
    group_key = GROUP_KEYS[by]
    keyed_marks = ((group_key(case, mark), mark) for case in cases for mark in case_marks(case, period, rules))
    return report_from_marks(period, by, keyed_marks)
