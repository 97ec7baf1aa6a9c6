"""Open311's GET requests is public: it publishes nothing dialable, whether a
number is in the address, in the description, in Chinese digits or in
full-width ones.  Only case numbers stay readable."""
from __future__ import annotations

import re

import pytest

from tests.open311.conftest import step

AS_DIGITS = str.maketrans("〇零一二三四五六七八九幺０１２３４５６７８９", "001234567891" + "0123456789")
DIALABLE = re.compile(r"(?<![0-9])[0-9](?:[ \-.]?[0-9]){6,}(?![0-9])")
TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{2}:[0-9]{2}")


def dialable(body: str, readable: set[str]) -> list[str]:
    """Runs of seven digits or more, in any digits, other than ``readable`` (case
    numbers) and the documents' own timestamps."""
    return [run for run in DIALABLE.findall(TIMESTAMP.sub("", body).translate(AS_DIGITS)) if run not in readable]


@pytest.fixture
def reported(open311):
    return open311.report(
        address_string="海陵区凤凰路88号，联系人手机13912345678",
        description="路灯不亮，请回电一三九一二三四五六七八，或者打家里88012319，或者１３７００００１１１１",
        phone="13812345678")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_list_and_the_request_publish_no_number(client, reported, fmt):
    for path in (f"/open311/v2/requests.{fmt}", f"/open311/v2/requests/{reported}.{fmt}",
                 f"/open311/v2/requests.{fmt}?service_request_id={reported}"):
        body = client.get(path).get_data(as_text=True)
        assert reported in body
        assert dialable(body, {reported}) == [], path


def test_the_address_keeps_the_place_and_the_last_four_digits(open311, reported):
    [request] = open311.get(f"requests/{reported}").data
    assert request["address"] == "海陵区凤凰路88号，联系人手机*******5678"
    assert request["description"] == "路灯不亮，请回电*******5678，或者打家里****2319，或者*******1111"


def test_a_reason_with_a_number_is_published_masked_and_a_case_number_is_not(open311, app, clock, reported):
    step(app, clock, reported, "void", "supervisor", reason="duplicate", note="与2610090001重复，已电话13912345678告知")
    [request] = open311.get(f"requests/{reported}").data
    assert request["status_notes"] == "已作废：与2610090001重复，已电话*******5678告知"
