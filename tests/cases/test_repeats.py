"""Repeat reports: matching a new report to an earlier case."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from cases.lifecycle import CaseView, apply
from cases.repeats import ATTACH, NONE, REOPEN, VERIFY, EarlierCase, RepeatPolicy, Report, find_repeat
from routing.addresses import Places

OCTOBER = datetime(2026, 10, 28, 2, 0, tzinfo=timezone.utc)
JUNE = datetime(2026, 6, 10, 2, 0, tzinfo=timezone.utc)
POLICY = RepeatPolicy(window=timedelta(days=30), places=Places(cities=("泰州市",), districts=("海陵区", "高港区")))
SEWER = "E0601"


def report(location: str, category: str | None = SEWER, at: datetime = OCTOBER) -> Report:
    return Report(category_code=category, location=location, reported_at=at)


def earlier(number: str, location: str, status: str = "dispatched", category: str = SEWER,
            created_at: datetime = JUNE, closed_at: datetime | None = None) -> EarlierCase:
    return EarlierCase(number=number, category_code=category, location=location, status=status,
                       created_at=created_at, closed_at=closed_at)


def test_repeat_of_suspended_case_goes_to_verification():
    # Story 2 of the Taizhou report (tests/api/test_story_2.py): the June report was suspended for demolition.
    june = earlier("2606100001", "海陵北路十八亩50号", status="suspended")
    decision = find_repeat(report("海陵区海陵北路十八亩五十号门前"), [june], POLICY)
    assert (decision.action, decision.case_number) == (VERIFY, "2606100001")
    step = decision.transition(OCTOBER)
    assert (step.action, step.role, step.to) == ("reactivate", "system", "verifying")
    assert apply(CaseView("suspended", "2606100001"), step).status == "verifying"


def test_repeat_of_open_case_attaches_the_complainant_without_a_step():
    open_case = earlier("2610090001", "西仓路银春旅馆门前", category="C0101",
                        created_at=OCTOBER - timedelta(minutes=10))
    decision = find_repeat(report("西仓路银春旅馆", category="C0101"), [open_case], POLICY)
    assert (decision.action, decision.case_number) == (ATTACH, "2610090001")
    assert decision.is_repeat
    assert decision.transition(OCTOBER) is None


def test_every_status_still_being_worked_on_is_joined():
    for status in ("intake", "verifying", "filed", "dispatched", "handling", "returned", "disposed"):
        assert find_repeat(report("人民路5号"), [earlier("1", "人民路5号", status=status)], POLICY).action == ATTACH


def test_open_and_suspended_cases_match_however_old_they_are():
    old = earlier("1", "人民路5号", status="suspended", created_at=OCTOBER - timedelta(days=700))
    assert find_repeat(report("人民路5号"), [old], POLICY).action == VERIFY


def test_repeat_of_recently_closed_case_reopens_it_for_a_check():
    closed = earlier("1", "人民路5号", status="closed", closed_at=OCTOBER - timedelta(days=29))
    decision = find_repeat(report("人民路五号"), [closed], POLICY)
    assert decision.action == REOPEN
    step = decision.transition(OCTOBER)
    assert step.action == "reopen" and step.reason
    assert apply(CaseView("closed", "1"), step).status == "verifying"


def test_a_case_closed_before_the_window_is_not_a_repeat():
    closed = earlier("1", "人民路5号", status="closed", closed_at=OCTOBER - timedelta(days=31))
    assert find_repeat(report("人民路5号"), [closed], POLICY).action == NONE
    wider = RepeatPolicy(window=timedelta(days=60), places=POLICY.places)
    assert find_repeat(report("人民路5号"), [closed], wider).action == REOPEN


def test_a_closed_case_without_a_closing_time_is_not_reopened():
    assert find_repeat(report("人民路5号"), [earlier("1", "人民路5号", status="closed")], POLICY).action == NONE


def test_voided_cases_are_never_matched():
    voided = earlier("1", "人民路5号", status="voided", created_at=OCTOBER - timedelta(hours=1))
    decision = find_repeat(report("人民路5号"), [voided], POLICY)
    assert decision.action == NONE and decision.case_number is None
    assert not decision.is_repeat


def test_another_category_at_the_same_place_is_not_a_repeat():
    assert find_repeat(report("人民路5号", category="C0118"), [earlier("1", "人民路5号")], POLICY).action == NONE


def test_a_report_without_a_category_is_never_a_repeat():
    assert find_repeat(report("人民路5号", category=None), [earlier("1", "人民路5号")], POLICY).action == NONE


def test_another_house_number_on_the_same_road_is_not_a_repeat():
    assert find_repeat(report("人民路7号"), [earlier("1", "人民路5号")], POLICY).action == NONE


def test_a_case_opened_after_the_report_is_not_what_it_repeats():
    later = earlier("1", "人民路5号", created_at=OCTOBER + timedelta(minutes=1))
    assert find_repeat(report("人民路5号"), [later], POLICY).action == NONE


def test_a_case_still_being_worked_on_wins_over_a_suspended_or_closed_one():
    candidates = [
        earlier("closed", "人民路5号", status="closed", closed_at=OCTOBER - timedelta(days=1)),
        earlier("suspended", "人民路5号", status="suspended"),
        earlier("open", "人民路5号门前", status="filed"),
    ]
    assert find_repeat(report("人民路5号"), candidates, POLICY).case_number == "open"
    assert find_repeat(report("人民路5号"), candidates[:2], POLICY).case_number == "suspended"


def test_the_closest_address_wins_then_the_newest_case():
    candidates = [
        earlier("near", "西仓路12号银春旅馆"),
        earlier("exact", "西仓路银春旅馆"),
        earlier("exact-newer", "西仓路银春旅馆门前", created_at=JUNE + timedelta(days=1)),
    ]
    decision = find_repeat(report("西仓路银春旅馆"), candidates, POLICY)
    assert (decision.case_number, decision.similarity) == ("exact-newer", 1.0)


def test_the_similarity_threshold_is_configurable():
    candidate = [earlier("1", "西仓路12号银春旅馆")]
    assert find_repeat(report("西仓路银春旅馆"), candidate, POLICY).action == ATTACH
    strict = RepeatPolicy(threshold=0.9, places=POLICY.places)
    assert find_repeat(report("西仓路银春旅馆"), candidate, strict).action == NONE


def test_no_earlier_cases_means_no_repeat():
    assert find_repeat(report("人民路5号"), [], POLICY).action == NONE
