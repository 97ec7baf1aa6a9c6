"""Caller numbers are parsed with phonenumbers and masked everywhere they are logged."""
from __future__ import annotations

import logging

import pytest

from call_log.phones import MaskPhoneNumbers, mask, mask_dialable, mask_text, parse_caller, parse_entered, time_zone_of


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


def test_numbers_in_chinese_and_full_width_digits_are_masked():
    assert mask_text("请回电一三九一二三四五六七八") == "请回电*******5678"
    assert mask_text("电话：幺三九 一二三四 五六七八。") == "电话：*******5678。"
    assert mask_text("手机１３９１２３４５６７８") == "手机*******5678"
    assert mask_text("两个井盖，十八亩50号") == "两个井盖，十八亩50号"


def test_for_the_public_nothing_dialable_is_left_but_case_numbers():
    assert mask_dialable("我家电话88012319，手机一三九一二三四五六七八") == "我家电话****2319，手机*******5678"
    assert mask_dialable("与2610090001重复") == "与2610090001重复"
    assert mask_dialable("号码 1391234567 打不通") == "号码 ******4567 打不通"
    assert mask_dialable("海陵北路十八亩50号，坐标32.4551") == "海陵北路十八亩50号，坐标32.4551"
    assert mask_dialable("2026-10-09起路灯不亮，2026.10.9报过") == "2026-10-09起路灯不亮，2026.10.9报过"


def test_tracebacks_in_the_log_are_masked_too():
    logger = logging.getLogger("test.masking.tracebacks")
    handler = logging.Handler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    written = []
    handler.emit = lambda record: written.append(handler.format(record))
    handler.addFilter(MaskPhoneNumbers())
    logger.addHandler(handler)
    try:
        try:
            raise ValueError("INSERT INTO complainant (phone_e164) VALUES ('+8613812345678') -- 13912345678")
        except ValueError:
            logger.exception("intake failed for %s", "13700001111")
    finally:
        logger.removeHandler(handler)
    [text] = written
    assert "Traceback" in text and "ValueError" in text
    assert "+86*******5678" in text and "*******5678" in text and "*******1111" in text
    assert "13812345678" not in text and "13912345678" not in text and "13700001111" not in text
