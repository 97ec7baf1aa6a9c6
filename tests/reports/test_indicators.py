"""The assessment's rules on hand-computed case histories (times are Taizhou local time), through the
Python reference (tests/reports/oracle.py) that the SQL path is held to."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from reports import AssessmentRules, Figure, Indicator, Measure, month, rank, trailing_months
from tests.reports.oracle import CaseHistory, EventRecord, Mark, Survey, build_report, report_from_marks

SHANGHAI = ZoneInfo("Asia/Shanghai")
OCTOBER = month("2026-10")
NOVEMBER = month("2026-11")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI).astimezone(timezone.utc)


def step(when: str, action: str, from_status: str | None, to_status: str, department: str | None = None,
         disposal_due: str | None = None, closing_due: str | None = None) -> EventRecord:
    return EventRecord(local(when), action, from_status, to_status, department,
                       local(disposal_due) if disposal_due else None, local(closing_due) if closing_due else None)


def case(case_id: int, *events: EventRecord, created: str = "2026-10-01 09:00",
         disposal_due: str | None = None, closing_due: str | None = None, channel: str = "hotline",
         category: str = "0101", surveys: tuple[Survey, ...] = ()) -> CaseHistory:
    return CaseHistory(case_id, "city", channel, category, "normal", local(created),
                       local(disposal_due) if disposal_due else None, local(closing_due) if closing_due else None,
                       events, surveys)


def filed_and_dispatched(day: str, department: str) -> tuple[EventRecord, ...]:
    return (step(f"{day} 09:10", "file", "intake", "filed"),
            step(f"{day} 09:20", "dispatch", "filed", "dispatched", department))


def disposed(when: str) -> EventRecord:
    return step(when, "dispose", "dispatched", "disposed")


def closed(when: str) -> EventRecord:
    return step(when, "close", "disposed", "closed")


def survey(when: str, answer: str) -> Survey:
    return Survey(local(when), answer)


def figure(report, indicator, key=None) -> Figure:
    row = report.all if key is None else report.row(key)
    return row.figures[indicator]


# --- the published check --------------------------------------------------------------------------

def published_check_cases() -> list[CaseHistory]:
    """972 cases due for closing on 20 October: 737 closed on time, 174 late, 61 still open."""
    def closing(case_id: int) -> tuple[EventRecord, ...]:
        if case_id <= 737:
            return (closed("2026-10-19 10:00"),)
        if case_id <= 911:
            return (closed("2026-10-25 10:00"),)
        return ()
    return [case(i, *filed_and_dispatched("2026-10-02", "WATER"), disposed("2026-10-15 10:00"), *closing(i),
                 created="2026-10-02 09:00", disposal_due="2026-10-16 17:00", closing_due="2026-10-20 17:00")
            for i in range(1, 973)]


def test_published_check_closing_rate_911_of_972_is_93_72_percent():
    closing = figure(build_report(published_check_cases(), OCTOBER), Indicator.CLOSING_RATE)
    assert (len(closing.numerator), len(closing.denominator)) == (911, 972)
    assert closing.numerator == frozenset(range(1, 912))
    assert closing.percent == "93.72%"


def test_published_check_on_time_closing_rate_737_of_972_is_75_82_percent():
    on_time = figure(build_report(published_check_cases(), OCTOBER), Indicator.ON_TIME_CLOSING_RATE)
    assert on_time.numerator == frozenset(range(1, 738))
    assert len(on_time.denominator) == 972
    assert on_time.percent == "75.82%"
    assert on_time.ratio == pytest.approx(737 / 972)


# --- a case across a month boundary ----------------------------------------------------------------

# Case 1 (hotline, WATER): disposed late on 12 Oct, reworked, suspended on 14 Oct, reactivated and
# re-filed on 20 Oct with new deadlines, disposed and closed on time, an unsatisfied callback on
# 31 Oct reopens it on 2 Nov; re-filed, disposed on time, closed late on 12 Nov, then satisfied.
STORY_OCTOBER = (
    step("2026-10-03 09:30", "file", "intake", "filed"),
    step("2026-10-03 10:00", "dispatch", "filed", "dispatched", "WATER"),
    step("2026-10-04 09:00", "claim", "dispatched", "handling"),
    step("2026-10-12 15:00", "dispose", "handling", "disposed"),              # due 10 Oct: late
    step("2026-10-13 10:00", "rework", "disposed", "dispatched"),
    step("2026-10-14 09:00", "suspend", "dispatched", "suspended"),
    step("2026-10-20 09:00", "reactivate", "suspended", "verifying"),
    step("2026-10-20 09:30", "file", "verifying", "filed",
         disposal_due="2026-10-28 17:00", closing_due="2026-10-31 12:00"),
    step("2026-10-20 10:00", "dispatch", "filed", "dispatched", "WATER"),
    disposed("2026-10-27 16:00"),
    closed("2026-10-30 10:00"),
)
STORY_NOVEMBER = (
    step("2026-11-02 09:00", "reopen", "closed", "verifying"),
    step("2026-11-02 10:00", "file", "verifying", "filed",
         disposal_due="2026-11-06 17:00", closing_due="2026-11-10 17:00"),
    step("2026-11-02 11:00", "dispatch", "filed", "dispatched", "WATER"),
    disposed("2026-11-05 16:00"),
    closed("2026-11-12 10:00"),                                               # due 10 Nov: late
)


def story_cases() -> list[CaseHistory]:
    reopened = case(1, *STORY_OCTOBER, *STORY_NOVEMBER, created="2026-10-03 09:00", category="0102",
                    disposal_due="2026-10-10 17:00", closing_due="2026-10-15 17:00",
                    surveys=(survey("2026-10-31 11:00", "unsatisfied"), survey("2026-11-13 10:00", "satisfied")))
    # Case 2 (web, ROADS): everything on time, basically satisfied.
    smooth = case(2, *filed_and_dispatched("2026-10-05", "ROADS"), disposed("2026-10-08 09:10"),
                  closed("2026-10-09 10:00"), created="2026-10-05 09:00", channel="web", category="0301",
                  disposal_due="2026-10-09 17:00", closing_due="2026-10-12 17:00",
                  surveys=(survey("2026-10-10 10:00", "basically_satisfied"),))
    return [reopened, smooth]


def test_october_figures_of_the_case_reworked_suspended_and_reopened():
    report = build_report(story_cases(), OCTOBER)
    # Its first deadlines (10 and 15 Oct) are judged when re-filing replaced them: the case was
    # not disposed then, as the late disposal had been reworked. Its second ones were met on time.
    expected = {
        Indicator.FILING_RATE: ({1, 2}, {1, 2}),
        Indicator.DISPATCH_ACCURACY: ({1, 2}, {1, 2}),
        Indicator.DISPOSAL_RATE: ({2}, {1, 2}),
        Indicator.ON_TIME_DISPOSAL_RATE: ({2}, {1, 2}),
        Indicator.CLOSING_RATE: ({2}, {1, 2}),
        Indicator.ON_TIME_CLOSING_RATE: ({2}, {1, 2}),
        Indicator.REWORK_RATE: ({1}, {1, 2}),
        Indicator.SATISFACTION: ({2}, {1, 2}),
    }
    assert {name: (set(f.numerator), set(f.denominator)) for name, f in report.all.figures.items()} == expected
    assert report.all.figures[Indicator.DISPOSAL_RATE].percent == "50.00%"
    # Filing 20 Oct 09:30 to disposal 27 Oct 16:00 is 174.5 h; 5 Oct 09:10 to 8 Oct 09:10 is 72 h.
    assert report.all.handling_time.hours == {1: 174.5, 2: 72.0}
    assert report.all.handling_time.average == 123.25
    assert report.all.cases[Measure.SUSPENDED] == {1}

    water = report.row("WATER")
    assert water.figures[Indicator.DISPOSAL_RATE].percent == "0.00%"
    assert water.figures[Indicator.REWORK_RATE].percent == "100.00%"
    assert water.figures[Indicator.SATISFACTION].percent == "0.00%"
    assert report.row("ROADS").figures[Indicator.ON_TIME_CLOSING_RATE].percent == "100.00%"


def test_november_figures_of_the_case_reworked_suspended_and_reopened():
    report = build_report(story_cases(), NOVEMBER)
    expected = {
        Indicator.FILING_RATE: (set(), set()),                  # reported in October
        Indicator.DISPATCH_ACCURACY: ({1}, {1}),
        Indicator.DISPOSAL_RATE: ({1}, {1}),                    # due 6 Nov, disposed 5 Nov
        Indicator.ON_TIME_DISPOSAL_RATE: ({1}, {1}),
        Indicator.CLOSING_RATE: ({1}, {1}),                     # due 10 Nov, closed 12 Nov
        Indicator.ON_TIME_CLOSING_RATE: (set(), {1}),
        Indicator.REWORK_RATE: (set(), {1}),
        Indicator.SATISFACTION: ({1}, {1}),
    }
    assert {name: (set(f.numerator), set(f.denominator)) for name, f in report.all.figures.items()} == expected
    assert report.all.handling_time.hours == {1: 78.0}          # re-filed 2 Nov 10:00, disposed 5 Nov 16:00
    assert report.all.cases[Measure.REOPENED] == {1}
    assert [row.key for row in report.rows] == ["WATER"]


def test_suspension_as_the_closing_deadline_passed_is_subtracted_only_when_the_rules_say_so():
    # Case 1 was suspended when its 15 Oct closing deadline passed, and working (handling) when
    # its 10 Oct disposal deadline did: only the closing count changes.
    report = build_report(story_cases(), OCTOBER, rules=AssessmentRules(subtract_suspended=True))
    assert figure(report, Indicator.CLOSING_RATE).numerator == {1, 2}
    assert figure(report, Indicator.CLOSING_RATE).denominator == {1, 2}   # its 31 Oct deadline remains
    assert figure(report, Indicator.DISPOSAL_RATE).numerator == {2}


def test_a_months_report_is_unchanged_by_later_transitions():
    as_recorded_on_1_november = [
        replace(story_cases()[0], events=STORY_OCTOBER, surveys=(survey("2026-10-31 11:00", "unsatisfied"),)),
        story_cases()[1],
    ]
    smooth = story_cases()[1]
    months_later = [
        story_cases()[0],
        replace(smooth, events=(*smooth.events,
                                step("2026-12-01 09:00", "reopen", "closed", "verifying"),
                                step("2026-12-02 09:00", "void", "verifying", "voided"))),
    ]
    for by in ("department", "channel", "category"):
        assert build_report(months_later, OCTOBER, by) == build_report(as_recorded_on_1_november, OCTOBER, by)


def test_a_case_disposed_after_the_month_counts_as_not_disposed_in_that_month():
    late = case(7, *filed_and_dispatched("2026-10-12", "WATER"), disposed("2026-11-03 10:00"),
                created="2026-10-12 09:00", disposal_due="2026-10-20 17:00")
    october, november = build_report([late], OCTOBER), build_report([late], NOVEMBER)
    assert figure(october, Indicator.DISPOSAL_RATE) == Figure(frozenset(), frozenset({7}))
    assert figure(november, Indicator.DISPOSAL_RATE).denominator == frozenset()   # it fell due in October
    assert november.all.cases[Measure.DISPOSED] == {7}


# --- denominator rules -------------------------------------------------------------------------------

def test_subtracting_suspended_cases_shrinks_the_disposal_denominator_but_not_for_late_suspensions():
    parked = case(1, *filed_and_dispatched("2026-10-02", "WATER"),
                  step("2026-10-08 09:00", "suspend", "dispatched", "suspended"), disposal_due="2026-10-10 17:00")
    done = case(2, *filed_and_dispatched("2026-10-02", "WATER"), disposed("2026-10-11 09:00"),
                disposal_due="2026-10-12 17:00")
    parked_after_deadline = case(3, *filed_and_dispatched("2026-10-02", "WATER"),
                                 step("2026-10-07 09:00", "suspend", "dispatched", "suspended"),
                                 disposal_due="2026-10-05 17:00")
    cases = [parked, done, parked_after_deadline]

    strict = figure(build_report(cases, OCTOBER), Indicator.DISPOSAL_RATE)
    lenient = figure(build_report(cases, OCTOBER, rules=AssessmentRules(subtract_suspended=True)),
                     Indicator.DISPOSAL_RATE)
    assert (strict.numerator, strict.denominator) == ({2}, {1, 2, 3})
    assert (lenient.numerator, lenient.denominator) == ({2}, {2, 3})
    assert (strict.percent, lenient.percent) == ("33.33%", "50.00%")


def test_voided_reports_are_not_valid_unless_the_rules_count_them():
    cases = [
        case(1, step("2026-10-01 09:10", "file", "intake", "filed")),
        case(2, step("2026-10-01 09:10", "void", "intake", "voided")),
        case(3),                                                           # still at intake
    ]
    assert figure(build_report(cases, OCTOBER), Indicator.FILING_RATE) == Figure(frozenset({1}), frozenset({1, 3}))
    counted = build_report(cases, OCTOBER, rules=AssessmentRules(voided_count_as_valid_reports=True))
    assert figure(counted, Indicator.FILING_RATE).percent == "33.33%"


def test_deadlines_replaced_or_voided_before_they_pass_never_fall_due():
    reactivated = case(1, *filed_and_dispatched("2026-10-02", "WATER"),
                       step("2026-10-05 09:00", "suspend", "dispatched", "suspended"),
                       step("2026-10-08 09:00", "reactivate", "suspended", "verifying"),
                       step("2026-10-08 09:30", "file", "verifying", "filed", disposal_due="2026-10-25 17:00"),
                       step("2026-10-08 10:00", "dispatch", "filed", "dispatched", "WATER"),
                       disposed("2026-10-20 10:00"), disposal_due="2026-10-10 17:00")
    voided = case(2, step("2026-10-01 09:10", "file", "intake", "filed"),
                  step("2026-10-03 09:00", "void", "filed", "voided"), disposal_due="2026-10-10 17:00")
    on_time = figure(build_report([reactivated, voided], OCTOBER), Indicator.ON_TIME_DISPOSAL_RATE)
    assert (on_time.numerator, on_time.denominator) == ({1}, {1})


def test_a_deadline_is_charged_to_the_department_holding_the_case_when_it_passes():
    # PARKS returns the case before its deadline; the centre re-dispatches it only afterwards.
    redispatched_late = case(1, *filed_and_dispatched("2026-10-02", "PARKS"),
                             step("2026-10-03 09:00", "return", "dispatched", "returned"),
                             step("2026-10-12 09:00", "dispatch", "returned", "dispatched", "GREENING"),
                             disposed("2026-10-13 09:00"), disposal_due="2026-10-10 17:00")
    report = build_report([redispatched_late], OCTOBER)
    assert report.row(None).cases[Measure.DUE_FOR_DISPOSAL] == {1}
    assert report.row(None).figures[Indicator.ON_TIME_DISPOSAL_RATE].percent == "0.00%"
    assert report.row("GREENING").cases[Measure.DISPOSED] == {1}
    assert report.row("GREENING").figures[Indicator.DISPOSAL_RATE].denominator == frozenset()


# --- dispatch accuracy, rework, satisfaction -------------------------------------------------------

def test_dispatch_accuracy_counts_a_returned_and_redispatched_case_against_the_first_department():
    returned = case(3, *filed_and_dispatched("2026-10-02", "PARKS"),
                    step("2026-10-03 09:00", "return", "dispatched", "returned"),
                    step("2026-10-03 10:00", "dispatch", "returned", "dispatched", "GREENING"))
    accepted = case(4, *filed_and_dispatched("2026-10-02", "GREENING"))
    report = build_report([returned, accepted], OCTOBER)
    assert figure(report, Indicator.DISPATCH_ACCURACY) == Figure(frozenset({4}), frozenset({3, 4}))
    assert figure(report, Indicator.DISPATCH_ACCURACY).percent == "50.00%"
    assert figure(report, Indicator.DISPATCH_ACCURACY, "PARKS") == Figure(frozenset(), frozenset({3}))
    assert figure(report, Indicator.DISPATCH_ACCURACY, "GREENING").percent == "100.00%"
    assert report.row("PARKS").cases[Measure.RETURNED] == {3}


def test_rework_rate_is_reworked_among_disposed_charged_to_the_disposing_department():
    reworked = case(5, *filed_and_dispatched("2026-10-02", "DRAIN"), disposed("2026-10-04 10:00"),
                    step("2026-10-05 10:00", "rework", "disposed", "dispatched"), disposed("2026-10-06 10:00"))
    clean = case(6, *filed_and_dispatched("2026-10-02", "DRAIN"), disposed("2026-10-04 10:00"))
    cleaner = case(7, *filed_and_dispatched("2026-10-02", "LIGHTS"), disposed("2026-10-04 10:00"))
    report = build_report([reworked, clean, cleaner], OCTOBER)
    assert figure(report, Indicator.REWORK_RATE) == Figure(frozenset({5}), frozenset({5, 6, 7}))
    assert figure(report, Indicator.REWORK_RATE, "DRAIN").percent == "50.00%"
    assert figure(report, Indicator.REWORK_RATE, "LIGHTS").percent == "0.00%"
    assert report.row("DRAIN").handling_time.hours[5] == pytest.approx(96 + 50 / 60)   # to the second disposal


def test_satisfaction_leaves_out_unreachable_complainants_and_takes_the_latest_answer():
    def surveyed(case_id: int, *surveys: Survey) -> CaseHistory:
        return case(case_id, *filed_and_dispatched("2026-10-02", "WATER"), disposed("2026-10-03 10:00"),
                    closed("2026-10-03 15:00"), surveys=surveys)
    cases = [
        surveyed(1, survey("2026-10-04 10:00", "satisfied")),
        surveyed(2, survey("2026-10-04 10:00", "basically_satisfied")),
        surveyed(3, survey("2026-10-04 10:00", "unsatisfied")),
        surveyed(4, survey("2026-10-04 10:00", "unreachable")),
        surveyed(5, survey("2026-10-04 10:00", "unsatisfied"), survey("2026-10-20 10:00", "satisfied"),
                 survey("2026-10-25 10:00", "unreachable")),
    ]
    default = figure(build_report(cases, OCTOBER), Indicator.SATISFACTION)
    strict = figure(build_report(cases, OCTOBER, rules=AssessmentRules(basically_satisfied_counts=False)),
                    Indicator.SATISFACTION)
    assert (default.numerator, default.denominator, default.percent) == ({1, 2, 5}, {1, 2, 3, 5}, "75.00%")
    assert (strict.numerator, strict.percent) == ({1, 5}, "50.00%")


def test_an_unknown_survey_answer_is_refused():
    with pytest.raises(ValueError):
        survey("2026-10-04 10:00", "happy")


# --- groupings ---------------------------------------------------------------------------------------

def channel_cases() -> list[CaseHistory]:
    def due_case(case_id: int, channel: str, category: str, disposed_on: str | None) -> CaseHistory:
        disposal = (disposed(disposed_on),) if disposed_on else ()
        return case(case_id, *filed_and_dispatched("2026-10-02", "WATER"), *disposal, channel=channel,
                    category=category, disposal_due="2026-10-10 17:00")
    return [due_case(1, "hotline", "0101", None), due_case(2, "hotline", "0102", "2026-10-09 10:00"),
            due_case(3, "web", "0101", "2026-10-09 10:00"), due_case(4, "open311", "0101", "2026-10-11 10:00")]


def test_hotline_cases_are_listed_separately_from_other_channels():
    report = build_report(channel_cases(), OCTOBER, by="channel")
    assert [row.key for row in report.rows] == ["hotline", "open311", "web"]
    assert figure(report, Indicator.DISPOSAL_RATE, "hotline") == Figure(frozenset({2}), frozenset({1, 2}))
    assert figure(report, Indicator.ON_TIME_DISPOSAL_RATE, "open311").percent == "0.00%"
    assert figure(report, Indicator.DISPOSAL_RATE).percent == "75.00%"
    hotline_only = build_report([c for c in channel_cases() if c.channel == "hotline"], OCTOBER)
    assert figure(hotline_only, Indicator.DISPOSAL_RATE, "WATER").percent == "50.00%"


def test_figures_per_category():
    report = build_report(channel_cases(), OCTOBER, by="category")
    assert figure(report, Indicator.ON_TIME_DISPOSAL_RATE, "0101") == Figure(frozenset({3}), frozenset({1, 3, 4}))
    assert figure(report, Indicator.ON_TIME_DISPOSAL_RATE, "0102").percent == "100.00%"


def test_an_empty_period_gives_no_ratios_rather_than_errors():
    report = build_report([], OCTOBER)
    assert report.rows == ()
    assert all(f.ratio is None and f.percent is None for f in report.all.figures.values())
    assert report.all.handling_time.average is None
    dispatched_only = build_report([case(1, *filed_and_dispatched("2026-10-02", "WATER"))], OCTOBER)
    assert figure(dispatched_only, Indicator.CLOSING_RATE, "WATER").ratio is None


def test_unknown_grouping_is_refused():
    with pytest.raises(ValueError, match="cannot group by"):
        build_report([], OCTOBER, by="district")


# --- ranking and pre-grouped marks ------------------------------------------------------------------

def test_departments_rank_best_first_with_ties_sharing_a_place():
    def due_case(case_id: int, department: str, disposed_on: str | None) -> CaseHistory:
        disposal = (disposed(disposed_on),) if disposed_on else ()
        return case(case_id, *filed_and_dispatched("2026-10-02", department), *disposal,
                    disposal_due="2026-10-10 17:00")
    cases = [due_case(1, "A", "2026-10-05 10:00"), due_case(2, "B", "2026-10-05 10:00"), due_case(3, "C", None),
             due_case(4, "D", None), due_case(5, "D", "2026-10-05 10:00"),
             case(6, step("2026-10-02 09:00", "file", "intake", "filed"))]   # the centre's row: not ranked
    report = build_report(cases, OCTOBER)
    placings = rank(report, "disposal_rate")
    assert [(p.place, p.key, p.figure.percent) for p in placings] == [
        (1, "A", "100.00%"), (1, "B", "100.00%"), (3, "D", "50.00%"), (4, "C", "0.00%")]


def test_rework_rate_ranks_lowest_first():
    rework = case(1, *filed_and_dispatched("2026-10-02", "A"), disposed("2026-10-04 10:00"),
                  step("2026-10-05 10:00", "rework", "disposed", "dispatched"))
    clean = case(2, *filed_and_dispatched("2026-10-02", "B"), disposed("2026-10-04 10:00"))
    idle = case(3, *filed_and_dispatched("2026-10-02", "C"))
    placings = rank(build_report([rework, clean, idle], OCTOBER), Indicator.REWORK_RATE)
    assert [(p.place, p.key) for p in placings] == [(1, "B"), (2, "A"), (None, "C")]


def test_a_report_can_be_built_from_marks_counted_elsewhere():
    # As a SQL path would deliver them: (group key, mark) rows.
    rows = [("WATER", Mark(Measure.DUE_FOR_CLOSING, case_id, "WATER")) for case_id in (1, 2, 3, 4)]
    rows += [("WATER", Mark(Measure.CLOSING_MISSED, 4, "WATER")),
             ("WATER", Mark(Measure.CLOSING_LATE, 4, "WATER")), ("WATER", Mark(Measure.CLOSING_LATE, 3, "WATER")),
             ("WATER", Mark(Measure.HANDLED, 1, "WATER", 10.0)), ("WATER", Mark(Measure.HANDLED, 2, "WATER", 20.0))]
    report = report_from_marks(OCTOBER, "department", rows)
    assert figure(report, Indicator.CLOSING_RATE, "WATER").percent == "75.00%"
    assert figure(report, Indicator.ON_TIME_CLOSING_RATE).numerator == {1, 2}
    assert report.all.handling_time.average == 15.0


# --- figures and periods ----------------------------------------------------------------------------

def test_percentages_round_half_up_to_two_decimals():
    def share(part: int, whole: int) -> str | None:
        return Figure(frozenset(range(part)), frozenset(range(whole))).percent
    assert [share(2, 3), share(1, 8), share(1, 800), share(0, 5), share(0, 0)] == [
        "66.67%", "12.50%", "0.13%", "0.00%", None]


def test_a_month_runs_from_local_midnight_to_local_midnight():
    assert OCTOBER.start == datetime(2026, 9, 30, 16, tzinfo=timezone.utc)
    assert OCTOBER.end == NOVEMBER.start == datetime(2026, 10, 31, 16, tzinfo=timezone.utc)
    assert local("2026-10-31 23:59") in OCTOBER
    assert local("2026-11-01 00:00") not in OCTOBER
    assert month("2026-10", "UTC").start == datetime(2026, 10, 1, tzinfo=timezone.utc)


def test_trailing_months_cross_the_year_oldest_first():
    labels = [period.label for period in trailing_months("2027-02", 4)]
    assert labels == ["2026-11", "2026-12", "2027-01", "2027-02"]
    assert len(trailing_months("2026-10", 12)) == 12


@pytest.mark.parametrize("label", ["2026-13", "2026-1", "October"])
def test_a_malformed_month_is_refused(label):
    with pytest.raises(ValueError, match="YYYY-MM"):
        month(label)
