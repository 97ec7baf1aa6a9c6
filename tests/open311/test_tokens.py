"""tokens/<token>: the token a report's receipt carries leads to its case."""
from __future__ import annotations

import pytest

from tests.open311.conftest import xml_as_json


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_receipts_token_gives_its_service_request_id(open311, fmt):
    [receipt] = open311.post(service_code="C0118", address_string="海陵区凤凰路88号").data
    answer = open311.get(f"tokens/{receipt['token']}", fmt)
    assert answer.status == 200
    found = answer.data if fmt == "json" else xml_as_json(answer.data)
    assert found == [{"service_request_id": receipt["service_request_id"], "token": receipt["token"]}]


def test_a_repeat_report_gets_the_token_of_the_case_it_joins(open311):
    first = open311.post(service_code="C0118", address_string="海陵区凤凰路88号").data[0]
    second = open311.post(service_code="C0118", address_string="海陵区凤凰路88号门前").data[0]
    assert second == {**first, "service_notice": second["service_notice"]}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_token_is_not_found(open311, fmt):
    answer = open311.get("tokens/0123456789abcdef", fmt)
    assert answer.status == 404
    errors = answer.data if fmt == "json" else xml_as_json(answer.data)
    assert [str(e["code"]) for e in errors] == ["404"] and "0123456789abcdef" in errors[0]["description"]
