"""Reading what an inbound SMS asks for (sms.keywords): pure, no app."""
from __future__ import annotations

import pytest

from sms.keywords import HELP, START, STATUS, STOP, Request, read


@pytest.mark.parametrize("body, language", [("退订", "zh-CN"), ("TD", "zh-CN"), (" td。", "zh-CN"),
                                            ("STOP", "en-US"), ("Stop", "en-US"), ("unsubscribe", "en-US")])
def test_opting_out_words_in_either_language(body, language):
    assert read(body) == Request(STOP, language)


@pytest.mark.parametrize("body", ["恢复", "START", "start "])
def test_opting_back_in(body):
    assert read(body).kind == START


@pytest.mark.parametrize("body, language", [("查询 2611300001", "zh-CN"), ("查询2611300001", "zh-CN"),
                                            ("查询：２６１１３００００１", "zh-CN"), ("STATUS 2611300001", "en-US"),
                                            ("2611300001", "zh-CN")])
def test_asking_for_a_case_by_its_number(body, language):
    request = read(body)
    assert (request.kind, request.language, request.case_number) == (STATUS, language, "2611300001")


@pytest.mark.parametrize("body", ["查询", "查询 12345", "你好", "", None, "TD please", "查询 26113000012"])
def test_anything_else_is_answered_with_help(body):
    assert read(body).kind == HELP


def test_help_answers_english_words_in_english():
    assert read("what is this").language == "en-US" and read("这是什么").language == "zh-CN"
