"""The assessment fed from the database: figures computed by hand for cases made through the real
workflow services (tests/reports/story.py), on SQLite and on PostgreSQL: the SQL path, held to the
Python reference of the rules (tests/reports/oracle.py)."""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from cases.models import Case, CaseEvent
from database import db
from reports import AssessmentRules, Indicator, Measure, month, rank, services, sql
from reports.models import MonthFigures
from reports.settings import AssessmentSettings
from tests.reports.histories import fill_month
from tests.reports.histories_from_database import load_histories
from tests.reports.oracle import build_report
from tests.reports.story import local

OCTOBER, NOVEMBER = month("2026-10"), month("2026-11")
RULES = (AssessmentRules(), AssessmentRules(subtract_suspended=True, voided_count_as_valid_reports=True,
                                            basically_satisfied_counts=False, check_time_limit=timedelta(hours=2)))


def figures(row, indicator):
    figure = row.figures[indicator]
    return set(figure.numerator), set(figure.denominator)


def test_october_figures_of_the_workflow_match_the_hand_computed_ones(app, october):
    a, b, c, d, e, f = (october.story, october.smooth, october.misrouted, october.voided, october.unfiled,
                        october.september)
    with app.app_context():
        assessment = services.assessment(db.session(), AssessmentSettings(), "2026-10")
    report = assessment.reports["departments"]
    total = report.all
    # A was disposed late and reworked; its first deadlines were replaced on reactivation while it
    # was suspended, its second ones when it was filed again after the reopening: judged as it
    # stood then, neither was met. C was never disposed. B (13 Oct) and F (1 Oct) were on time.
    assert figures(total, Indicator.FILING_RATE) == ({a, b, c}, {a, b, c, e})          # D was voided
    assert figures(total, Indicator.DISPATCH_ACCURACY) == ({a, b}, {a, b, c})           # C was returned
    assert figures(total, Indicator.DISPOSAL_RATE) == ({b, f}, {a, b, c, f})
    assert figures(total, Indicator.ON_TIME_DISPOSAL_RATE) == ({b, f}, {a, b, c, f})
    assert figures(total, Indicator.CLOSING_RATE) == ({b, f}, {a, b, c, f})
    assert figures(total, Indicator.ON_TIME_CLOSING_RATE) == ({b, f}, {a, b, c, f})
    assert figures(total, Indicator.REWORK_RATE) == ({a}, {a, b, f})
    assert figures(total, Indicator.SATISFACTION) == ({b}, {a, b})                     # basically satisfied
    assert total.figures[Indicator.FILING_RATE].percent == "75.00%"
    assert total.figures[Indicator.DISPATCH_ACCURACY].percent == "66.67%"
    assert total.figures[Indicator.REWORK_RATE].percent == "33.33%"
    # Filing to the last disposal of the month: A 12 Oct 09:30 to 27 Oct 08:30 (reactivation is
    # not a filing), B 10:05 to 13:00, F 30 Sep 19:05 to 1 Oct 18:00.
    assert total.handling_time.hours == pytest.approx({a: 359.0, b: 2 + 55 / 60, f: 22 + 55 / 60})

    drain, sanit = report.row("DRAIN"), report.row("SANIT")
    assert [row.key for row in report.rows] == ["DRAIN", "SANIT", None]    # D's void is the centre's
    assert figures(drain, Indicator.DISPOSAL_RATE) == ({f}, {a, c, f})
    assert drain.figures[Indicator.DISPOSAL_RATE].percent == "33.33%"
    assert figures(drain, Indicator.DISPATCH_ACCURACY) == ({a, c}, {a, c})
    assert figures(sanit, Indicator.DISPATCH_ACCURACY) == ({b}, {b, c})    # C went to SANIT first
    assert figures(sanit, Indicator.ON_TIME_CLOSING_RATE) == ({b}, {b})
    assert drain.cases[Measure.SUSPENDED] == {a} and drain.cases[Measure.REOPENED] == {a}
    assert drain.cases[Measure.CLOSED] == {a, f}
    assert report.row(None).cases[Measure.VOIDED] == {d}
    assert [p.key for p in rank(report, Indicator.DISPOSAL_RATE)] == ["SANIT", "DRAIN"]

    # The hotline's cases (A, C, D, E, F) listed separately from the others (B, online).
    hotline, others = assessment.reports["hotline"].all, assessment.reports["others"].all
    assert figures(hotline, Indicator.DISPOSAL_RATE) == ({f}, {a, c, f})
    assert hotline.figures[Indicator.DISPOSAL_RATE].percent == "33.33%"
    assert figures(hotline, Indicator.FILING_RATE) == ({a, c}, {a, c, e})
    assert others.figures[Indicator.DISPOSAL_RATE].percent == "100.00%"
    assert figures(assessment.reports["channels"].row("open311"), Indicator.SATISFACTION) == ({b}, {b})


def test_november_counts_the_reopened_case_on_time_and_a_deadline_passing_at_the_centre(app, november):
    a, c, e = november.story, november.misrouted, november.unfiled
    with app.app_context():
        report = sql.sql_report(db.session(), NOVEMBER)
    # A, filed again on 31 October, was disposed (1 Nov 15:00) and closed (2 Nov 10:00) in time.
    assert figures(report.row("DRAIN"), Indicator.ON_TIME_DISPOSAL_RATE) == ({a}, {a})
    assert figures(report.row("DRAIN"), Indicator.ON_TIME_CLOSING_RATE) == ({a}, {a})
    assert figures(report.row("DRAIN"), Indicator.SATISFACTION) == ({a}, {a})
    # C's deadlines were October's: its disposal in November counts as work done, not as due.
    assert report.row("DRAIN").cases[Measure.DISPOSED] == {a, c}
    assert report.all.handling_time.hours[c] == pytest.approx(29 * 24 + 22 + 50 / 60)   # 5 Oct 10:10 to 4 Nov 09:00
    # E, filed on 2 November, fell due (15 working days) before anyone dispatched it.
    assert report.row(None).cases[Measure.DUE_FOR_DISPOSAL] == {e}
    assert report.row(None).cases[Measure.DISPOSAL_MISSED] == {e}


def test_a_months_report_is_identical_before_and_after_later_transitions(app, config, october):
    with app.app_context():
        session = db.session()
        before = {(path, by): report for by in ("department", "channel", "category", "line")
                  for path, report in _both_paths(session, OCTOBER, by)}
    with db.session_scope(app) as session:
        from tests.reports.conftest import _reload
        from tests.reports.story import continue_into_november
        story = _reload(session, october)
        continue_into_november(session, config, story)
        from tests.support.factories import step
        step(session, config, story.smooth, "void", local("2026-12-01 09:00"), "supervisor", reason="duplicate")
    with app.app_context():
        session = db.session()
        after = {(path, by): report for by in ("department", "channel", "category", "line")
                 for path, report in _both_paths(session, OCTOBER, by)}
    assert after == before
    assert before[("sql", "department")] == before[("python", "department")]


@pytest.mark.parametrize("rules", RULES, ids=["strict", "lenient"])
def test_the_sql_path_gives_the_same_reports_as_the_python_reference(app, config, november, rules):
    rng = random.Random(20261031)
    with db.session_scope(app) as session:
        for label in ("2026-09", "2026-10", "2026-11"):
            fill_month(session, config, label, 25, rng, until=datetime(2026, 12, 10, tzinfo=timezone.utc))
    with app.app_context():
        session = db.session()
        for label in ("2026-09", "2026-10", "2026-11", "2026-12"):
            period = month(label)
            everything = load_histories(session, period, rules, everything=True)
            concerned = load_histories(session, period, rules)
            sets = sql.marks(session, [period], rules)
            for by in ("department", "channel", "line", "category", "priority"):
                expected = build_report(everything, period, by, rules)
                assert build_report(concerned, period, by, rules) == expected, (label, by)
                assert sets.report(by) == expected, (label, by)
            hotline = [case for case in everything if case.channel == "hotline"]
            assert sets.report("department", channels={"hotline"}) == build_report(hotline, period, "department", rules)


def test_the_published_check_comes_out_of_the_database(app, config):
    """972 cases due for closing on 20 October: 737 closed on time, 174 late, 61 not at all."""
    filed, due = local("2026-10-02 09:10"), local("2026-10-19 17:00")   # closing due 24 h later
    with db.session_scope(app) as session:
        for number in range(1, 973):
            case = Case(number=f"C{number:05d}", line_id="urban", channel="hotline", category_code="E0404",
                        department_code="DRAIN", priority="high", status="disposed",
                        created_at=local("2026-10-02 09:00"), updated_at=filed)
            case.events += [
                CaseEvent(at=local("2026-10-02 09:00"), actor="t", action="intake", from_status=None,
                          to_status="intake"),
                CaseEvent(at=filed, actor="t", action="file", from_status="intake", to_status="filed",
                          data={"due_at": due.isoformat()}),
                CaseEvent(at=filed, actor="t", action="dispatch", from_status="filed", to_status="dispatched",
                          department_code="DRAIN", data={"department": "DRAIN"}),
                CaseEvent(at=local("2026-10-15 10:00"), actor="t", action="dispose", from_status="dispatched",
                          to_status="disposed", department_code="DRAIN"),
            ]
            if number <= 911:
                closed = local("2026-10-19 10:00") if number <= 737 else local("2026-10-25 10:00")
                case.events.append(CaseEvent(at=closed, actor="t", action="close", from_status="disposed",
                                             to_status="closed", department_code="DRAIN"))
            session.add(case)
    with app.app_context():
        total = sql.sql_report(db.session(), OCTOBER).all
    closing, on_time = total.figures[Indicator.CLOSING_RATE], total.figures[Indicator.ON_TIME_CLOSING_RATE]
    assert (len(closing.numerator), len(closing.denominator), closing.percent) == (911, 972, "93.72%")
    assert (len(on_time.numerator), len(on_time.denominator), on_time.percent) == (737, 972, "75.82%")


def test_trend_counts_are_the_reports_totals_and_settled_months_are_kept(app, config, november, clock):
    rng = random.Random(11)
    with db.session_scope(app) as session:
        fill_month(session, config, "2026-09", 20, rng, until=datetime(2026, 12, 1, tzinfo=timezone.utc))
    settings = AssessmentSettings(trend_months=3)
    clock.set_local(2026, 11, 20, 9, 0)     # October has settled; November has not ended
    with app.app_context():
        session = db.session()
        trend = services.trend(session, settings, "2026-11", clock())
        session.commit()
        for label in ("2026-09", "2026-10", "2026-11"):
            assessment = services.assessment(session, settings, label)
            assert trend.figures[label] == services.figures_of(assessment), label
        kept = session.scalars(select(MonthFigures.month).order_by(MonthFigures.month)).all()
        assert kept == ["2026-09", "2026-10"]
        point = trend.points("DRAIN", Indicator.DISPOSAL_RATE)[1]
        row = services.assessment(session, settings, "2026-10").reports["departments"].row("DRAIN")
        assert (point.numerator, point.denominator) == (len(row.figures[Indicator.DISPOSAL_RATE].numerator),
                                                         len(row.figures[Indicator.DISPOSAL_RATE].denominator))


@pytest.mark.postgresql_only
def test_parallel_workers_share_one_snapshot_and_give_the_same_report(app, config, november):
    if app.config["SETTINGS"].database_url.startswith("sqlite"):
        pytest.skip("several connections computing at once is for PostgreSQL")
    with app.app_context():
        session = db.session()
        one = sql.marks(session, [OCTOBER], AssessmentRules())
        three = sql.marks(session, [OCTOBER], AssessmentRules(), workers=3)
        for by in ("department", "channel", "category"):
            assert three.report(by) == one.report(by)


def _both_paths(session, period, by):
    yield "sql", sql.sql_report(session, period, by)
    yield "python", build_report(load_histories(session, period), period, by)

