"""Caller numbers are parsed with phonenumbers and masked everywhere they are logged."""
from __future__ import annotations

import logging

import pytest

from call_log.phones import MaskPhoneNumbers, mask, mask_text, parse_caller, parse_entered, time_zone_of


def test_mobile_caller_has_region_carrier_and_time_zone():
    caller = parse_caller("+8613812345678")
    assert caller.e164 == "+8613812345678" and caller.region == "CN"
    assert caller.carrier and caller.time_zone == "Asia/Shanghai"


def test_taizhou_landline_has_a_location():
    caller = parse_caller("+8652386210001")
    assert caller.e164 == "+8652386210001" and "Taizhou" in (caller.location or "")


@pytest.mark.parametrize("raw", ["anonymous", "+266696687", "", "12", "client:operator-7", "not a number"])
def test_anonymous_and_unparseable_callers_have_no_number(raw):
    assert parse_caller(raw).e164 is None


def test_keypad_numbers_are_read_in_the_line_region():
    assert parse_entered("13700001111") == "+8613700001111"
    assert parse_entered("052388012319") == "+8652388012319"
    assert parse_entered("12") is None and parse_entered("") is None


def test_us_number_follows_its_own_time_zone():
    assert time_zone_of("+12125550123") == "America/New_York"


def test_mask_keeps_country_code_and_last_four():
    assert mask("+8613812345678") == "+86*******5678"
    assert mask(None) == ""


def test_masking_in_free_text_spares_case_numbers():
    assert mask_text("call from +8613812345678 about 2610090001") == \
        "call from +86*******5678 about 2610090001"
    assert mask_text("callback 13700001111 or 0523-88012319") == "callback *******1111 or ********2319"


def test_log_records_are_masked(caplog):
    logger = logging.getLogger("test.masking")
    handler = logging.Handler()
    seen = []
    handler.emit = lambda record: seen.append(record.getMessage())
    handler.addFilter(MaskPhoneNumbers())
    logger.addHandler(handler)
    try:
        logger.warning("callback to %s failed", "+8613812345678")
    finally:
        logger.removeHandler(handler)
    assert seen == ["callback to +86*******5678 failed"]
