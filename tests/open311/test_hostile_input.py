"""Hostile input to Open311 is refused with the spec's error list, never
answered 500: dates at the ends of the calendar, NUL in a path or a query."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("params", [
    {"end_date": "0001-01-01T00:00:00Z"},
    {"start_date": "9999-12-31T00:00:00Z"},
    {"start_date": "9999-01-01T00:00:00+08:00"},
    {"start_date": "0001-01-01T00:00:00+14:00", "end_date": "0001-02-01T00:00:00Z"},
    {"end_date": "9999-12-31T23:59:59-14:00"},
])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_dates_at_the_ends_of_the_calendar_are_refused(open311, params, fmt):
    answer = open311.get("requests", fmt, **params)
    assert answer.status == 400
    errors = answer.data if fmt == "json" else [{"code": int(e.findtext("code")),
                                                 "description": e.findtext("description")} for e in answer.data]
    assert {error["code"] for error in errors} == {400}
    assert any("between" in error["description"] for error in errors)


def test_a_window_near_the_end_of_the_range_still_answers(open311):
    answer = open311.get("requests", start_date="9998-09-30T00:00:00Z")
    assert answer.status == 200 and answer.data == []


@pytest.mark.parametrize("path", ["requests/26100900%0001", "requests/%00", "tokens/%00abc", "services/C01%0001"])
def test_nul_in_a_path_is_a_bad_request(open311, path):
    answer = open311.get(path)
    assert answer.status == 400 and answer.error_codes == [400]


@pytest.mark.parametrize("params", [{"service_request_id": "2610090001\x00"}, {"service_code": "\x00"},
                                    {"status": "open\x00"}])
def test_nul_in_a_query_is_a_bad_request(open311, params):
    answer = open311.get("requests", **params)
    assert answer.status == 400 and answer.error_codes == [400]


def test_nul_in_a_report_is_refused_and_nothing_is_saved(open311, case_count):
    answer = open311.post(service_code="C0118", address_string="海陵区凤凰路\x0088号", description="路灯不亮")
    assert answer.status == 400 and answer.error_codes == [400]
    assert case_count() == 0
