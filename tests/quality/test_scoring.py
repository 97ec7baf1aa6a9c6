"""Quality review's arithmetic, without a database: scores checked against
the checklist, the weekly sample, and the averages per operator."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from quality.scoring import (
    Candidate,
    Item,
    Review,
    SamplingRule,
    ScoreError,
    draw_order,
    sample,
    score,
    summarise,
    week_start,
)
from quality.settings import DEFAULT, QualityConfigError, load

CHECKLIST = DEFAULT.checklist          # 10 + 20 + 30 + 25 + 15 = 100
T0 = datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)


def test_the_shipped_checklist_is_the_five_items_worth_100(tmp_path):
    shipped = load(Path(__file__).resolve().parents[2] / "config")
    assert [item.key for item in shipped.checklist] == ["greeting", "identity", "category", "courtesy", "closure"]
    names = ["问候语", "身份核实", "分类准确", "服务态度", "结束语"]
    assert [item.name("zh-CN") for item in shipped.checklist] == names
    assert shipped.checklist[2].name("en-US") == "Right category"
    assert shipped.possible == 100 and shipped.rule == SamplingRule(per_operator=3)
    assert load(tmp_path) == DEFAULT          # no file: the defaults


def test_a_review_scores_every_item_within_its_points():
    scored = score(CHECKLIST, {"greeting": "10", "identity": "15", "category": 30, "courtesy": "20", "closure": "0"})
    assert scored.scores == {"greeting": 10, "identity": 15, "category": 30, "courtesy": 20, "closure": 0}
    assert (scored.total, scored.possible, scored.percent) == (75, 100, 75.0)


@pytest.mark.parametrize("change, item, problem", [
    ({"closure": ""}, "closure", "not scored"),
    ({"identity": "21"}, "identity", "must be from 0 to 20"),
    ({"courtesy": "-1"}, "courtesy", "not a whole number"),
    ({"greeting": "7.5"}, "greeting", "not a whole number"),
    ({"smile": "3"}, "smile", "not on the checklist"),
])
def test_a_review_that_does_not_fit_the_checklist_is_refused_naming_the_item(change, item, problem):
    given = {"greeting": "10", "identity": "20", "category": "30", "courtesy": "25", "closure": "15", **change}
    with pytest.raises(ScoreError) as refused:
        score(CHECKLIST, given)
    assert (refused.value.item, refused.value.problem) == (item, problem)


def test_the_quota_is_a_number_a_week_or_a_share_rounded_up():
    assert [SamplingRule(per_operator=3).quota(n) for n in (0, 1, 3, 10)] == [0, 1, 3, 3]
    # 10% of 1 call is 0.1 -> 1; of 10 calls exactly 1; of 11 calls 1.1 -> 2
    assert [SamplingRule(per_operator=None, share=0.1).quota(n) for n in (0, 1, 10, 11)] == [0, 1, 1, 2]


def calls(operator: str, count: int, start: int = 0) -> list[Candidate]:
    return [Candidate(f"CA{operator}{i:02d}", operator, T0 + timedelta(minutes=i)) for i in range(start, start + count)]


def test_the_sample_draws_each_operators_quota_from_their_unreviewed_calls():
    wang, li = calls("wang", 5), calls("li", 2)
    drawn = sample(wang + li, reviewed=[], rule=SamplingRule(per_operator=3))
    # li has only 2 calls: both; wang 3 of 5, the first 3 in the fixed shuffle, shown in time order
    assert [c.operator for c in drawn] == ["li", "li", "wang", "wang", "wang"]
    expected = sorted(sorted(wang, key=lambda c: draw_order(c.call_sid))[:3], key=lambda c: c.at)
    assert drawn[2:] == expected
    assert sample(list(reversed(wang + li)), [], SamplingRule(per_operator=3)) == drawn   # order of input is no matter


def test_reviewed_calls_count_towards_the_quota():
    wang = calls("wang", 5)
    first = sample(wang, [], SamplingRule(per_operator=3))
    after_one = sample(wang, [first[0].call_sid], SamplingRule(per_operator=3))
    assert after_one == first[1:]
    # a reviewed call outside the draw counts as well
    others = [c.call_sid for c in wang if c not in first]
    assert sample(wang, others[:2], SamplingRule(per_operator=3)) == [min(first, key=lambda c: draw_order(c.call_sid))]
    assert sample(wang, [c.call_sid for c in first], SamplingRule(per_operator=3)) == []


def test_a_share_rule_draws_from_each_operator_in_proportion():
    drawn = sample(calls("wang", 11) + calls("li", 3), [], SamplingRule(per_operator=None, share=0.2))
    # wang: 20% of 11 = 2.2 -> 3; li: 20% of 3 = 0.6 -> 1
    assert sum(c.operator == "wang" for c in drawn) == 3 and sum(c.operator == "li" for c in drawn) == 1


def test_weeks_start_on_monday():
    assert week_start(date(2026, 12, 6)) == date(2026, 11, 30)      # Sunday -> the Monday before
    assert week_start(date(2026, 11, 30)) == date(2026, 11, 30)


def test_the_summary_averages_each_operator_overall_and_item_by_item():
    full = {"greeting": 10, "identity": 20, "category": 30, "courtesy": 25, "closure": 15}
    reviews = [
        Review("wang", full, 100, 100, "CA1"),
        # the same call scored by a second supervisor: two reviews, one call
        Review("wang", {**full, "category": 0, "closure": 5}, 60, 100, "CA1"),
        Review("li", {**full, "courtesy": 10}, 85, 100, "CA2"),
        # a review made under an older checklist worth 50: counts as 40/50 = 80%
        Review("li", {"greeting": 10, "category": 30}, 40, 50, "CA3"),
    ]
    wang, li = sorted(summarise(reviews, CHECKLIST), key=lambda s: s.operator, reverse=True)
    assert (wang.operator, wang.reviews, wang.calls, wang.average_percent, wang.average_total) == \
        ("wang", 2, 1, 80.0, 80.0)
    assert wang.items == {"greeting": 10, "identity": 20, "category": 15, "courtesy": 25, "closure": 10}
    # li: (85% + 80%) / 2 = 82.5%; the old review scored no identity, courtesy or closure
    assert (li.reviews, li.calls, li.average_percent, li.average_total) == (2, 2, 82.5, 62.5)
    assert li.items == {"greeting": 10, "identity": 20, "category": 30, "courtesy": 10, "closure": 15}
    assert summarise([], CHECKLIST) == []


def test_an_item_nobody_scored_has_no_average():
    only = (Item("greeting", {"zh-CN": "问候语", "en-US": "Greeting"}, 10),) + CHECKLIST[1:]
    [summary] = summarise([Review("wang", {"identity": 20}, 20, 20)], only)
    assert summary.items["greeting"] is None and summary.items["identity"] == 20


@pytest.mark.parametrize("text, message", [
    ("quality: {checklist: [], sample: {per_operator_per_week: 3}}", r"quality\.checklist: needs at least one"),
    ("quality: {checklist: [{key: a, name: {zh-CN: 甲}, points: 5}], sample: {per_operator_per_week: 3}}",
     r"checklist\[0\]\.name: needs a name in zh-CN and en-US"),
    ("quality: {checklist: [{key: a, name: {zh-CN: 甲, en-US: A}, points: 5},"
     " {key: a, name: {zh-CN: 乙, en-US: B}, points: 5}], sample: {per_operator_per_week: 3}}",
     r"checklist\[1\]\.key: 'a' is already"),
    ("quality: {checklist: [{key: a, name: {zh-CN: 甲, en-US: A}, points: 5}],"
     " sample: {per_operator_per_week: 3, share_per_week: 0.1}}", r"sample: say either"),
    ("quality: {checklist: [{key: a, name: {zh-CN: 甲, en-US: A}, points: 5}], sample: {share_per_week: 1.5}}",
     r"share_per_week: must be a number above 0, at most 1"),
])
def test_a_broken_quality_yaml_is_named(tmp_path, text, message):
    (tmp_path / "quality.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(QualityConfigError, match=message):
        load(tmp_path)
