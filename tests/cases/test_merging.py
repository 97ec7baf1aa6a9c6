"""Merging a duplicate into another case (并单) and splitting one in two:
the pure rules first, then the service that records them in both cases."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from cases import merging
from cases.merging import CaseFacts, Merge, Refused, Split, plan_merge, plan_split
from cases.models import Case
from cases.services import merge_case, split_case
from cases.workflow import CaseNotFound
from tests.support.factories import dispatched, report, step
from wiring import services

AT = datetime(2026, 10, 9, 2, 0, tzinfo=timezone.utc)


def facts(number: str, status: str = "intake", line: str = "urban", category: str | None = "E0404",
          location: str | None = "海陵北路十八亩50号") -> CaseFacts:
    return CaseFacts(number, status, line, category, location)


def refusal(call) -> str:
    with pytest.raises(Refused) as refused:
        call()
    return refused.value.code


# --- the rules ----------------------------------------------------------------------------

def test_a_duplicate_is_voided_into_the_case_it_joins_and_both_are_told():
    plan = plan_merge(facts("2610090002", "filed"), facts("2610090001", "dispatched"), Merge("disp", "dispatcher", AT))
    assert (plan.duplicate.action, plan.duplicate.from_status, plan.duplicate.to_status) == ("void", "filed", "voided")
    assert plan.duplicate.data["merged_into"] == "2610090001" and plan.duplicate.data["reason"] == "duplicate"
    target = plan.target
    assert (target.action, target.from_status, target.to_status) == ("merged", "dispatched", "dispatched")
    assert plan.target.data["merged_from"] == "2610090002"


@pytest.mark.parametrize(("duplicate", "target", "role", "code"), [
    (facts("A"), facts("A"), "dispatcher", "same_case"),
    (facts("A", "handling"), facts("B"), "dispatcher", "duplicate_status"),    # a department holds it
    (facts("A", "disposed"), facts("B"), "supervisor", "duplicate_status"),
    (facts("A"), facts("B", "closed"), "dispatcher", "target_status"),
    (facts("A"), facts("B", "voided"), "dispatcher", "target_status"),
    (facts("A"), facts("B", line="conduct"), "dispatcher", "other_line"),
    (facts("A"), facts("B"), "department", "role"),
    (facts("A"), facts("B"), "operator", "role"),
])
def test_a_merge_is_refused_with_the_rule_it_breaks(duplicate, target, role, code):
    assert refusal(lambda: plan_merge(duplicate, target, Merge("someone", role, AT))) == code


def test_what_the_console_offers_follows_the_rules():
    assert merging.may_merge("returned", "dispatcher") and not merging.may_merge("handling", "supervisor")
    assert merging.may_split("handling", "operator") and not merging.may_split("closed", "supervisor")
    assert not merging.may_split("filed", "inspector")


def test_a_split_takes_the_second_problem_to_a_new_case():
    plan = plan_split(facts("A", "dispatched"), Split("op", "operator", AT, " 路灯不亮 ", "C0118"))
    assert (plan.description, plan.category, plan.location) == ("路灯不亮", "C0118", "海陵北路十八亩50号")
    assert plan.original.action == "split" and plan.new_case.data["split_from"] == "A"


@pytest.mark.parametrize(("split", "status", "code"), [
    (Split("op", "operator", AT, "路灯不亮", "C0118"), "closed", "split_status"),
    (Split("op", "operator", AT, "  ", "C0118"), "filed", "description_required"),
    (Split("op", "operator", AT, "路灯不亮", None), "filed", "category_required"),
    (Split("op", "operator", AT, "又堵了", "E0404", " 海陵北路 十八亩50号"), "filed", "same_problem"),
    (Split("op", "operator", AT, "路灯不亮", "X9999"), "filed", "unknown_category"),
    (Split("clerk", "department", AT, "路灯不亮", "C0118"), "handling", "role"),
])
def test_a_split_is_refused_with_the_rule_it_breaks(split, status, code):
    assert refusal(lambda: plan_split(facts("A", status), split, frozenset({"E0404", "C0118"}))) == code


def test_the_same_category_elsewhere_is_a_second_problem():
    plan = plan_split(facts("A"), Split("op", "operator", AT, "另一处下水道也堵了", "E0404", "海陵南路8号"))
    assert plan.location == "海陵南路8号"


# --- the service ----------------------------------------------------------------------------

@pytest.fixture
def config(app):
    return services(app).config


def test_merging_moves_the_complainants_and_audits_both_cases(session, config, clock):
    target = dispatched(session, config, clock(), caller="+8613812345678")
    duplicate = report(session, config, clock(), location="海陵区凤凰路2号", caller="+8613900001111")
    same_person = report(session, config, clock(), location="海陵区凤凰路4号", caller="+8613812345678")
    joined = merge_case(session, duplicate.number, target.number, Merge("user:disp1", "dispatcher", clock(), "同一处"))
    assert joined is target and duplicate.status == "voided" and target.status == "dispatched"
    assert [c.phone_e164 for c in target.complainants] == ["+8613812345678", "+8613900001111"]
    assert duplicate.events[-1].action == "void" and duplicate.events[-1].data["merged_into"] == target.number
    assert target.events[-1].action == "merged" and target.events[-1].data["complainants"] == 1
    assert duplicate.status_reason == "同一处"
    merge_case(session, same_person.number, target.number, Merge("user:disp1", "dispatcher", clock()))
    assert len(target.complainants) == 2            # the same caller is called back once
    assert target.events[-1].data["complainants"] == 0


def test_a_refused_merge_changes_neither_case(session, config, clock):
    target = report(session, config, clock())
    duplicate = dispatched(session, config, clock(), location="海陵区凤凰路2号")
    step(session, config, duplicate, "claim", clock(), "department")
    session.commit()
    with pytest.raises(Refused):
        merge_case(session, duplicate.number, target.number, Merge("user:sup1", "supervisor", clock()))
    session.rollback()
    statuses = dict(session.execute(select(Case.number, Case.status)).all())
    assert statuses == {target.number: "intake", duplicate.number: "handling"}
    with pytest.raises(CaseNotFound):
        merge_case(session, duplicate.number, "0000000000", Merge("user:sup1", "supervisor", clock()))


def test_merging_cancels_the_duplicates_open_inspection(session, config, clock):
    target = report(session, config, clock(), category="C0101", location="海陵区迎春路1号")
    duplicate = report(session, config, clock(), category="C0101", location="海陵区凤凰路2号")   # urgent: verify
    assert duplicate.tasks[0].status == "open"
    merge_case(session, duplicate.number, target.number, Merge("user:sup1", "supervisor", clock()))
    assert (duplicate.tasks[0].status, duplicate.tasks[0].result) == ("cancelled", "merged")


def test_splitting_opens_a_second_case_for_the_same_complainants(session, config, clock):
    original = dispatched(session, config, clock(), caller="+8613812345678")
    new = split_case(session, config, original.number,
                     Split("user:op1", "operator", clock(), "路口的路灯也不亮", "C0118", note="一个电话报了两件事"))
    assert new.number != original.number and new.status == "intake" and new.category_code == "C0118"
    assert new.department_code == "LIGHT" and new.location_text == original.location_text
    assert [c.phone_e164 for c in new.complainants] == ["+8613812345678"]
    assert original.status == "dispatched" and original.events[-1].action == "split"
    assert original.events[-1].data["new_case"] == new.number
    assert [e.action for e in new.events] == ["intake", "split_from"]
    assert new.events[-1].data["split_from"] == original.number and new.events[-1].note == "一个电话报了两件事"


def test_a_split_off_case_is_not_taken_for_a_repeat(session, config, clock):
    earlier = report(session, config, clock(), category="C0118", location="海陵区海陵北路十八亩50号")
    original = report(session, config, clock(), category="E0404", location="海陵区海陵北路十八亩50号")
    new = split_case(session, config, original.number, Split("user:op1", "operator", clock(), "路灯不亮", "C0118"))
    assert new.number not in (earlier.number, original.number)
    assert len(earlier.complainants) == 1
