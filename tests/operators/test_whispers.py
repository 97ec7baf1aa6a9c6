"""What a department is told of a case before it speaks, without a database:
Mandarin first, then the caller's language when it is another."""
from __future__ import annotations

import pytest

from config.loader import load_config
from config.settings import SHIPPED_CONFIG_DIR
from operators.whispers import department_summary


@pytest.fixture(scope="module")
def config():
    return load_config(SHIPPED_CONFIG_DIR)


def test_a_mandarin_call_is_summed_up_in_mandarin_only(config):
    [said] = department_summary(config, "20261009001", "C0101", "西仓路银春旅馆门前")
    assert said.language == "zh-CN"
    assert said.text.startswith("热线转来案件") and "上水井盖" in said.text and "西仓路银春旅馆门前" in said.text
    assert any(segment.digits and segment.text == "20261009001" for segment in said.segments)


def test_an_english_call_is_summed_up_in_mandarin_then_english(config):
    said = department_summary(config, "20261009001", "C0101", "Xicang Road", "en-US")
    assert [s.language for s in said] == ["zh-CN", "en-US"]
    assert "上水井盖" in said[0].text and "Water-supply manhole cover" in said[1].text


def test_a_language_the_hotline_does_not_speak_falls_back_to_mandarin(config):
    assert [s.language for s in department_summary(config, None, None, None, "fr-FR")] == ["zh-CN"]


def test_no_case_yet_says_so_instead_of_an_empty_number(config):
    [said] = department_summary(config, None, None, None)
    assert said.text == "热线转来一通来电，尚未立案。"
    assert not any(s.digits for s in said.segments)


def test_a_case_without_its_category_or_place_says_they_are_not_yet_known(config):
    chinese, english = department_summary(config, "20261009001", None, None, "en-US")
    assert chinese.text.endswith("，待定，地点待定。") and "，，" not in chinese.text
    assert english.text.endswith("from the hotline, not yet known, at not yet known.")
