"""The indicator marks computed in the database: the path behind every report page.

It follows ``reports.indicators`` rule for rule (the statement is in ``reports.statement``). It is
the one production path; the tests hold it to the Python reference of the same rules
(tests/reports/oracle.py) with identical reports on both databases.

``marks`` returns the case sets of one or more periods: per department charged and measure, and
the cases concerned per channel, line, category and priority. The database groups the marks, so a
month of a million-case city comes back as a few hundred rows of case lists, and every report (by
department, for the hotline only, by channel, ...) is made by set operations on them.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import AbstractSet, Sequence

from sqlalchemy import text
from sqlalchemy.orm import Session

from reports.indicators import MEASURES, AssessmentRules, CaseId, GroupKey, Measure, Report, report_from_sets
from reports.statement import Dialect, concerned, with_marks
from routing.periods import Period

STRICT = AssessmentRules()   # the default rules
# The case attributes a report can be grouped by (besides the department charged).
ATTRIBUTES = ("channel", "line", "category", "priority")
GROUPS = ("department",) + ATTRIBUTES


@dataclass
class MarkSets:
    """The marks of some periods as case sets: per period, department charged and measure; and
    the cases concerned, per channel, line, category and priority. A report is made of set
    operations on them: a row of the hotline's department report is a department's sets
    intersected with the hotline's cases; a category's row is the total row's sets intersected
    with the category's cases."""

    periods: Sequence[Period]
    charged: dict[int, dict[GroupKey, dict[Measure, frozenset[CaseId]]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(dict)))
    hours: dict[int, dict[GroupKey, dict[CaseId, float]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(dict)))
    cases_by: dict[str, dict[GroupKey, frozenset[CaseId]]] = field(
        default_factory=lambda: {name: {} for name in ATTRIBUTES})
    attributes: dict[CaseId, tuple] = field(default_factory=dict)   # case -> (channel, line, category, priority)
    _reports: dict = field(default_factory=dict, repr=False)

    def report(self, by: str = "department", index: int = 0, channels: AbstractSet[str] | None = None) -> Report:
        """One period's report grouped ``by``, over the cases of ``channels`` (all when None)."""
        if by not in GROUPS:
            raise ValueError(f"cannot group by {by!r}; choose one of {', '.join(GROUPS)}")
        key = (by, index, None if channels is None else frozenset(channels))
        if key not in self._reports:
            self._reports[key] = self._by_department(index, key[2]) if by == "department" else \
                self._by_attribute(by, index, key[2])
        return self._reports[key]

    def channels(self) -> frozenset[str]:
        return frozenset(self.cases_by["channel"])

    def _by_department(self, index: int, channels: frozenset[str] | None) -> Report:
        chosen = None
        if channels is not None:
            chosen = frozenset().union(*(self.cases_by["channel"].get(channel, ()) for channel in channels))
        departments = {}
        for department, measures in self.charged.get(index, {}).items():
            cases = {m: ids if chosen is None else ids & chosen for m, ids in measures.items()}
            hours = self.hours.get(index, {}).get(department, {})
            if chosen is not None:
                hours = {case: h for case, h in hours.items() if case in chosen}
            if any(cases.values()):
                departments[department] = (cases, hours)
        return report_from_sets(self.periods[index], "department", departments)

    def _by_attribute(self, by: str, index: int, channels: frozenset[str] | None) -> Report:
        # Every mark of a case is in the department report's total row: split that by the attribute.
        total = self.report("department", index, channels).all
        position = ATTRIBUTES.index(by)
        groups = {}
        for value, ids in self.cases_by[by].items():
            cases = {measure: total.cases[measure] & ids for measure in MEASURES}
            if any(cases.values()):
                groups[value] = (cases, {})
        for case, h in total.handling_time.hours.items():
            groups[self.attributes[case][position]][1][case] = h
        return report_from_sets(self.periods[index], by, groups)


def marks(session: Session, periods: Sequence[Period], rules: AssessmentRules = STRICT,
          workers: int = 1) -> MarkSets:
    """Every mark of every period, grouped into case sets by ``Cell``.

    On PostgreSQL, ``workers`` > 1 splits the cases (by id, modulo ``workers``) among that many
    connections that compute their shares at once, each on its own core, all reading the snapshot
    of ``session``'s transaction (``pg_export_snapshot``), so the result is the one a single
    statement gives.
    """
    result = MarkSets(periods)
    if not periods:
        return result
    dialect = Dialect.of(session)
    if workers > 1 and dialect.name == "postgresql":
        _in_parallel(session, periods, rules, workers, result)
    else:
        sql, params = concerned(dialect, periods, rules)
        ids = sorted(session.scalars(text(sql), params))
        _collect(result, _mark_rows(session, dialect, periods, rules, ids))
    return result


def _mark_rows(session: Session, dialect: Dialect, periods: Sequence[Period], rules: AssessmentRules,
               ids: Sequence[int]) -> tuple[Dialect, list[tuple]]:
    """The marks grouped by period, measure and department, and the cases grouped by channel,
    line, category and priority: a few hundred rows, each with its list of case ids."""
    statement, params = with_marks(dialect, periods, rules, ids)
    statement += f"""
SELECT idx, measure, department, NULL AS line_id, NULL AS category_code, NULL AS priority,
       {dialect.listed("case_id")}, {dialect.listed("micros")}
  FROM mark GROUP BY idx, measure, department
UNION ALL
SELECT -1, NULL, channel, line_id, category_code, priority, {dialect.listed("id")}, NULL
  FROM concerned_case GROUP BY channel, line_id, category_code, priority
"""
    return dialect, dialect.run(session, statement, params)


def _collect(result: MarkSets, marked: tuple[Dialect, Sequence[tuple]]) -> None:
    dialect, rows = marked
    for index, measure, department, line_id, category, priority, ids, micros in rows:
        ids = dialect.values(ids)
        cases = frozenset(ids)
        if index == -1:   # the cases of one channel, line, category and priority
            attributes = (department, line_id, category, priority)
            for name, value in zip(ATTRIBUTES, attributes, strict=True):
                result.cases_by[name][value] = result.cases_by[name].get(value, frozenset()) | cases
            result.attributes.update(dict.fromkeys(cases, attributes))
            continue
        measure = Measure(measure)
        charged = result.charged[index][department]
        charged[measure] = charged.get(measure, frozenset()) | cases
        if measure is Measure.HANDLED:
            # Filing to disposal, in hours: total_seconds() / 3600, as the tests' Python reference times it.
            result.hours[index][department].update(
                (case_id, span / 10**6 / 3600) for case_id, span in zip(ids, dialect.values(micros), strict=True))


def _in_parallel(session: Session, periods: Sequence[Period], rules: AssessmentRules, workers: int,
                 result: MarkSets) -> None:
    """Each connection finds its share of the cases (ids k modulo n) and computes their marks."""
    from concurrent.futures import ThreadPoolExecutor, as_completed

    snapshot = session.execute(text("SELECT pg_export_snapshot()")).scalar_one()
    engine = session.get_bind()

    def share(number: int) -> tuple[Dialect, list[tuple]]:
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                connection.execute(text(f"SET TRANSACTION SNAPSHOT '{snapshot}'"))
                with Session(bind=connection) as worker:
                    dialect = Dialect.of(worker)
                    sql, params = concerned(dialect, periods, rules, share=(workers, number))
                    ids = sorted(worker.scalars(text(sql), params))
                    return _mark_rows(worker, dialect, periods, rules, ids)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        # Each share is collected as soon as it is back, while the others are still computing.
        for done in as_completed([pool.submit(share, number) for number in range(workers)]):
            _collect(result, done.result())


def sql_report(session: Session, period: Period, by: str = "department",
               rules: AssessmentRules = STRICT, channel: str | None = None) -> Report:
    """One period's report grouped ``by``, over every channel or only ``channel``."""
    return marks(session, [period], rules).report(by, channels=None if channel is None else {channel})


def statement_for(session: Session, dialect: Dialect, periods: Sequence[Period],
                  rules: AssessmentRules) -> tuple[str, dict]:
    """The marks' WITH clause for the cases the periods concern (for EXPLAIN, in bench/reports.py)."""
    sql, params = concerned(dialect, periods, rules)
    ids = sorted(session.scalars(text(sql), params))
    return with_marks(dialect, periods, rules, ids)
