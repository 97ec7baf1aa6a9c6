"""The monthly assessment's use cases: each takes a session and the settings.

``assessment`` computes a month's reports from one query (``reports.sql``); ``trend`` the figures
of the months before it, for the charts; ``cases_behind`` the cases a figure is made of.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Iterable, Mapping, Sequence

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from cases.models import Case, CaseEvent
from reports import sql
from reports.callcentre import CallReport
from reports.callcentre_sql import call_reports
from reports.indicators import ALL, GroupKey, Indicator, Measure, Placing, Report, Row, rank
from reports.models import MonthFigures
from reports.settings import AssessmentSettings
from reports.statement import CLOCK_ACTIONS
from routing.periods import Period, month, trailing_months

# The reports of a month, by name: the figures per department over all channels, the hotline's
# cases and the other channels' listed separately (as Taizhou reported them), and the groupings.
VIEWS: Mapping[str, tuple[str, str | None]] = {
    # name: (grouped by, channel: None for all, "hotline" for the hotline, "others" for the rest)
    "departments": ("department", None),
    "hotline": ("department", "hotline"),
    "others": ("department", "others"),
    "channels": ("channel", None),
    "lines": ("line", None),
    "categories": ("category", None),
}


class Reports(Mapping[str, Report]):
    """A month's reports by the names in ``VIEWS``, each made from the marks when first asked for."""

    def __init__(self, sets: sql.MarkSets, hotline: str) -> None:
        self._sets = sets
        self._channels = {None: None, "hotline": {hotline}, "others": sets.channels() - {hotline}}
        self._made: dict[str, Report] = {}

    def __getitem__(self, name: str) -> Report:
        if name not in self._made:
            by, channel = VIEWS[name]
            self._made[name] = self._sets.report(by, channels=self._channels[channel])
        return self._made[name]

    def __iter__(self):
        return iter(VIEWS)

    def __len__(self) -> int:
        return len(VIEWS)


@dataclass(frozen=True)
class Assessment:
    period: Period
    settings: AssessmentSettings
    reports: Mapping[str, Report]   # by the names in VIEWS
    calls: Mapping[str, CallReport] = field(default_factory=dict)   # call-centre figures, by grouping

    @property
    def label(self) -> str:
        return self.period.label

    def ranking(self, view: str = "departments", indicator: Indicator | None = None) -> list[Placing]:
        return rank(self.reports[view], indicator or self.settings.rank_by, self.settings.minimum_to_rank)

    def row(self, view: str, key: GroupKey) -> Row:
        report = self.reports[view]
        return report.all if key == ALL else report.row(key)


def assessment(session: Session, settings: AssessmentSettings, label: str) -> Assessment:
    """A month's marks, from one query (split among ``settings.database_workers`` connections);
    its reports (``VIEWS``) are made from them as they are asked for."""
    period = month(label, settings.time_zone)
    sets = sql.marks(session, [period], settings.rules, workers=settings.database_workers)
    return Assessment(period, settings, Reports(sets, settings.hotline_channel))


def with_calls(session: Session, assessment: Assessment) -> Assessment:
    """The assessment with the month's call-centre figures (``reports.callcentre``) per line,
    operator, day and hour, from one reading of the calls' marks (``reports.callcentre_sql``)."""
    return replace(assessment, calls=call_reports(session, assessment.period, assessment.settings.time_zone))


# --- trends ------------------------------------------------------------------------------------

SERIES_ALL, SERIES_HOTLINE, SERIES_OTHERS = "all", "hotline", "others"
# A month's figures are kept once it has ended and this much more has passed, for steps recorded
# a little late (a callback answered just after midnight, a clock a little off).
SETTLED_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class Point:
    """One month's figure on a trend chart: counts only; None when not counted yet."""

    label: str
    numerator: int | None
    denominator: int | None

    @property
    def ratio(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


@dataclass(frozen=True)
class Trend:
    months: tuple[str, ...]
    figures: Mapping[str, Mapping]     # month -> {"all": ..., "hotline": ..., "others": ..., "departments": ...}
    pending: tuple[str, ...] = ()      # months left for later, to keep the page quick

    def points(self, series: str, indicator: Indicator) -> tuple[Point, ...]:
        """"all", "hotline", "others", or a department's code."""
        points = []
        for label in self.months:
            month_figures = self.figures.get(label)
            if month_figures is None:
                points.append(Point(label, None, None))
                continue
            scope = month_figures[series] if series in (SERIES_ALL, SERIES_HOTLINE, SERIES_OTHERS) else \
                month_figures["departments"].get(series, {})
            numerator, denominator = scope.get(indicator.value, (0, 0))
            points.append(Point(label, numerator, denominator))
        return tuple(points)


def fingerprint(settings: AssessmentSettings) -> str:
    """What a month's counts depend on besides the cases: the rules, the time zone, the channel."""
    rules = settings.rules
    text = repr((rules.subtract_suspended, rules.voided_count_as_valid_reports, rules.basically_satisfied_counts,
                 rules.check_time_limit.total_seconds(), settings.time_zone, settings.hotline_channel))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def figures_of(assessment: Assessment) -> dict:
    """A month's trend figures from its full report (the same counts ``sql.counts`` makes)."""
    def counted(row: Row) -> dict:
        return {i.value: [len(f.numerator), len(f.denominator)] for i, f in row.figures.items()}
    reports = assessment.reports
    return {"all": counted(reports["departments"].all), "hotline": counted(reports["hotline"].all),
            "others": counted(reports["others"].all),
            "departments": {row.key: counted(row) for row in reports["departments"].rows if row.key is not None}}


def trend(session: Session, settings: AssessmentSettings, label: str, now: datetime,
          shown: Assessment | None = None, budget: float = 8.0) -> Trend:
    """The figures of the months ending with ``label``, for the charts. Months that have ended are
    counted once and kept (``MonthFigures``); ``label``'s own come from ``shown`` when given.
    Counting stops after ``budget`` seconds, newest months first; the rest are ``pending`` (the
    next view, or ``flask report --trend``, counts them)."""
    periods = trailing_months(label, settings.trend_months, settings.time_zone)
    key = fingerprint(settings)
    kept = {row.month: row.figures for row in session.scalars(select(MonthFigures).where(
        MonthFigures.fingerprint == key, MonthFigures.month.in_([p.label for p in periods])))}
    figures: dict[str, Mapping] = {}
    pending = []
    started = time.monotonic()
    for period in reversed(periods):
        if period.label in kept:
            figures[period.label] = kept[period.label]
            continue
        if shown is not None and period.label == shown.label:
            counted = figures_of(shown)
        elif time.monotonic() - started < budget:
            counted = figures_of(assessment(session, settings, period.label))
        else:
            pending.append(period.label)
            continue
        figures[period.label] = counted
        if period.end + SETTLED_AFTER <= now:
            keep(session, period.label, key, counted, now)
    return Trend(tuple(p.label for p in periods), figures, tuple(sorted(pending)))


def keep(session: Session, label: str, key: str, figures: Mapping, now: datetime) -> None:
    """Store a settled month's figures once; another process storing them first is fine."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(MonthFigures).values(month=label, fingerprint=key, figures=dict(figures), computed_at=now)
                    .on_conflict_do_nothing(index_elements=["month", "fingerprint"]))


def forget(session: Session, label: str) -> int:
    """Drop a month's kept figures (after correcting its history), so they are counted again."""
    return session.execute(delete(MonthFigures).where(MonthFigures.month == label)).rowcount or 0


# --- drill-down ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class CaseLine:
    id: int
    number: str
    channel: str
    line_id: str | None
    category_code: str | None
    department_code: str | None   # where the case is now
    status: str                   # ... and its status now
    created_at: datetime


def cases_behind(session: Session, ids: Iterable[int]) -> list[CaseLine]:
    """The cases with these ids, oldest first: what a drill-down page lists."""
    wanted = sorted(set(ids))
    lines: list[CaseLine] = []
    for start in range(0, len(wanted), 5000):
        chunk: Sequence[int] = wanted[start:start + 5000]
        for case in session.execute(
                select(Case.id, Case.number, Case.channel, Case.line_id, Case.category_code, Case.department_code,
                       Case.status, Case.created_at).where(Case.id.in_(chunk))):
            lines.append(CaseLine(*case))
    return sorted(lines, key=lambda line: (line.created_at, line.id))


@dataclass(frozen=True)
class Lateness:
    """A case's disposal deadline that fell due in a period, and when it was disposed after it
    (None: not yet)."""
    due_at: datetime
    disposed_at: datetime | None

    def late_by(self, now: datetime) -> timedelta:
        """How late the disposal was, or (not disposed yet) has been so far."""
        return max((self.disposed_at or now) - self.due_at, timedelta(0))


def lateness(session: Session, ids: Iterable[int], period: Period) -> dict[int, Lateness]:
    """For each of these cases, the last disposal deadline that fell due in ``period`` and was
    missed (read from the events that set deadlines, as the rules read them), with the first
    disposal after the deadline was set; cases that missed none are left out."""
    wanted = sorted(set(ids))
    found: dict[int, Lateness] = {}
    for start in range(0, len(wanted), 5000):
        chunk: Sequence[int] = wanted[start:start + 5000]
        events: dict[int, list[tuple[datetime, str, dict]]] = {}
        for case_id, at, action, data in session.execute(
                select(CaseEvent.case_id, CaseEvent.at, CaseEvent.action, CaseEvent.data)
                .where(CaseEvent.case_id.in_(chunk))
                .order_by(CaseEvent.case_id, CaseEvent.at, CaseEvent.id)):
            events.setdefault(case_id, []).append((_aware(at), action, data or {}))
        for case_id, steps in events.items():
            for set_at, action, data in steps:
                if action not in CLOCK_ACTIONS or not data.get("due_at") or set_at >= period.end:
                    continue
                due = _aware(datetime.fromisoformat(data["due_at"]))
                if not period.start <= due < period.end:
                    continue
                disposed = next((at for at, step, _ in steps if step == "dispose" and at > set_at), None)
                if disposed is None or disposed > due:
                    found[case_id] = Lateness(due, disposed)
    return found


def _aware(moment: datetime) -> datetime:
    """Times are kept in UTC; SQLite gives them back without their zone."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


PARTS = ("numerator", "denominator", "shortfall")


def figure_cases(row: Row, indicator: Indicator | None, measure: Measure | None, part: str) -> frozenset[int]:
    """The case ids behind one figure of a row: an indicator's numerator, denominator, or the
    shortfall between them (the cases that cost the department); or one count's cases."""
    if measure is not None:
        return row.cases[measure]
    figure = row.figures[indicator]
    if part == "numerator":
        return figure.numerator
    if part == "denominator":
        return figure.denominator
    if part == "shortfall":
        return figure.denominator - figure.numerator
    raise ValueError(f"part is one of {', '.join(PARTS)}, not {part!r}")
