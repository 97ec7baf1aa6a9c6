"""Hostile input to the JSON API is refused in JSON, never answered 500:
Flask's own url_for arguments in a query, pages and dates out of any range,
bodies nested thousands deep, ids no database holds, NUL anywhere."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest


@pytest.fixture
def api(api_as, cases):
    cases.report()
    return api_as("dispatcher")


@pytest.mark.parametrize("query", [{"_anchor": "x"}, {"_external": "1", "_scheme": ""},
                                   {"_external": "1", "_scheme": "javascript"}, {"_method": "DELETE"}])
def test_url_for_arguments_in_a_query_are_kept_as_filters_not_obeyed(api, query):
    answer = api.get("/cases", **query)
    assert answer.status == 200
    for link in (answer.json["links"]["self"], answer.json["links"]["first"]):
        parts = urlsplit(link)
        assert (parts.scheme, parts.netloc, parts.fragment) == ("", "", ""), link
        assert parts.path == "/api/v1/cases"
        assert set(query.items()) <= set(parse_qsl(parts.query, keep_blank_values=True))


@pytest.mark.parametrize("page", ["99999999999999999999", "2147483648", "-1", "0", "1e3", "١٢"])
def test_a_page_no_database_could_count_to_is_a_bad_parameter(api, page):
    answer = api.get("/cases", page=page)
    assert answer.status == 400
    assert (answer.error["code"], answer.error["field"]) == ("bad_parameter", "page")


def test_the_last_possible_page_is_an_empty_page(api):
    answer = api.get("/cases", page="2147483647")
    assert answer.status == 200 and answer.json["items"] == []


@pytest.mark.parametrize("name,value", [("created_from", "0001-01-01"), ("created_to", "9999-12-31"),
                                        ("created_from", "0001-01-01T00:00:00+14:00"),
                                        ("created_to", "9999-12-31T23:59:59-14:00")])
def test_dates_out_of_range_are_bad_parameters(api, name, value):
    answer = api.get("/cases", **{name: value})
    assert answer.status == 400
    assert (answer.error["code"], answer.error["field"]) == ("bad_parameter", name)


def test_a_review_date_out_of_range_is_a_bad_field(api_as, cases):
    number = cases.report(status="filed")
    answer = api_as("supervisor").step(number, "suspend", reason="拆迁", review_date="9999-12-31")
    assert answer.status == 422 and answer.error["field"] == "review_date"


@pytest.mark.parametrize("body", [b"[" * 5000 + b"]" * 5000, b'{"a":' * 5000 + b"1" + b"}" * 5000])
def test_json_nested_5000_deep_is_a_bad_body(api, cases, body):
    number = cases.report()
    answer = api.post(f"/cases/{number}/transitions", data=body, content_type="application/json")
    assert answer.status == 400 and answer.error["code"] == "bad_body"


@pytest.mark.parametrize("task_id", [str(2**31), str(2**63), "9" * 30])
def test_task_ids_no_database_holds_are_not_found(api_as, task_id):
    answer = api_as("inspector").post(f"/tasks/{task_id}/result", {"result": "confirmed"})
    assert answer.status == 404 and answer.error["code"] == "task_not_found"


@pytest.mark.parametrize("path", ["/cases/2610090001%00", "/cases/%00/events", "/departments/DR%00AIN/queue"])
def test_nul_in_a_path_is_a_bad_request(api, path):
    answer = api.get(path)
    assert answer.status == 400 and answer.error["code"] == "bad_request"


@pytest.mark.parametrize("query", [{"q": "a\x00b"}, {"department": "\x00"}, {"x\x00": "1"}])
def test_nul_in_a_query_is_a_bad_request(api, query):
    answer = api.get("/cases", **query)
    assert answer.status == 400 and answer.error["code"] == "bad_request"


def test_nul_in_a_body_field_is_a_bad_field(api_as, cases):
    number = cases.report(status="filed")
    before = cases.snapshot(number)
    answer = api_as("supervisor").step(number, "suspend", reason="拆\x00迁", review_date="2027-01-15")
    assert answer.status == 422 and answer.error["field"] == "reason"
    assert cases.snapshot(number) == before
