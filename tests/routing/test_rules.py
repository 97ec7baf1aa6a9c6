"""Routing a case to its department, and re-routing it after a return."""
from __future__ import annotations

from pathlib import Path

import pytest

from config.catalog import Category, RoutingRule
from config.loader import load_config
from routing.rules import Route, candidates, reroute, route
from routing.time_limits import TimeLimit

CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"
GAOGANG_VENDING = RoutingRule(name="gaogang street order", department="GAOGANG",
                              categories=("E0503",), location_contains=("高港区", "高港"))
HAILING_VENDING = RoutingRule(name="hailing street order", department="HAILING",
                              categories=("E0503",), location_contains=("海陵区",))
ANY_IN_PORT = RoutingRule(name="port area", department="PORT", location_contains=("港口",))


def category(code: str = "E0503", department: str = "ENFORCE") -> Category:
    return Category(code=code, kind="event" if code.startswith("E") else "component",
                    names={"zh-CN": code}, lines=("urban",), department=department, priority="normal",
                    time_limit=TimeLimit.parse("1 working days"), verify_first=False, keywords=(code,))


RULES = (GAOGANG_VENDING, HAILING_VENDING, ANY_IN_PORT)


def test_a_case_no_rule_fits_goes_to_its_categorys_department():
    assert route(category(), "西仓路银春旅馆", RULES) == Route("ENFORCE")
    assert route(category(), None, RULES) == Route("ENFORCE")


def test_a_district_rule_overrides_the_category_and_names_itself():
    assert route(category(), "高港区永安洲镇口岸路", RULES) == Route("GAOGANG", "gaogang street order")


def test_rules_match_traditional_and_full_width_spellings():
    assert route(category(), "高港區口岸路１号", RULES).department == "GAOGANG"


def test_a_rule_for_other_categories_does_not_apply():
    assert route(category("C0118", "LIGHT"), "高港区口岸路", RULES) == Route("LIGHT")


def test_a_rule_without_categories_applies_to_every_category():
    assert route(category("C0118", "LIGHT"), "港口路边", RULES).department == "PORT"


def test_the_first_fitting_rule_wins():
    assert route(category(), "海陵区高港路", RULES).department == "GAOGANG"


def test_a_keyword_that_is_only_punctuation_matches_nothing():
    blank = RoutingRule(name="blank", department="PORT", location_contains=("，",))
    assert route(category(), "西仓路", (blank,)).department == "ENFORCE"


def test_candidates_list_each_fitting_department_once_best_first():
    twice = RoutingRule(name="again", department="GAOGANG", location_contains=("口岸",))
    routes = candidates(category(), "高港区口岸路港口", RULES + (twice,))
    assert [r.department for r in routes] == ["GAOGANG", "PORT", "ENFORCE"]
    assert routes[0].rule == "gaogang street order"


def test_after_a_return_the_next_fitting_department_is_offered():
    assert reroute(category(), "高港区口岸路", RULES, returned_by={"GAOGANG"}) == Route("ENFORCE")


def test_a_department_that_returned_the_case_is_never_offered_it_again():
    offered = reroute(category(), "高港区口岸路港口", RULES, returned_by=["GAOGANG", "PORT"])
    assert offered == Route("ENFORCE")


def test_when_every_fitting_department_has_returned_the_case_the_dispatcher_chooses():
    assert reroute(category(), "西仓路", RULES, returned_by={"ENFORCE"}) is None
    assert reroute(category(), "高港区口岸路", RULES, returned_by={"GAOGANG", "ENFORCE"}) is None


def test_reroute_without_returns_is_the_route():
    assert reroute(category(), "高港区口岸路", RULES, returned_by=()) == route(category(), "高港区口岸路", RULES)


@pytest.mark.parametrize("code, location, department", [
    ("E0503", "高港区口岸路", "GAOGANG"),
    ("E0503", "海陵区五一路", "HAILING"),
    ("E0503", "姜堰区人民路", "JIANGYAN"),
    ("E0503", "泰兴市国庆路", "ENFORCE"),
    ("C0101", "高港区口岸路", "WATER"),
])
def test_the_shipped_rules_route_street_order_to_district_bureaus(code, location, department):
    config = load_config(CONFIG_DIR)
    assert route(config.categories[code], location, config.routing_rules).department == department
