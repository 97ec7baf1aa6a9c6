"""/track/ in a real headless Chromium at phone size: the form, the
timeline, and wrong digits that show nothing; nothing wider than the screen.

Saves artifacts/track-phone.png and artifacts/track-wrong-digits.png to look at.
"""
from __future__ import annotations

import pytest

from tests.support.browser import WAIT_MS, screenshot

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_a_citizen_follows_a_case_on_a_phone(chromium, served, cases):
    browser, expect = chromium
    sewer, _ = cases
    page = browser.new_page(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page.set_default_timeout(WAIT_MS)
    page.goto(f"{served}/track/")
    page.fill("#number", sewer)
    page.fill("#last4", "5678")
    page.click("button[type=submit]")
    result = page.locator("#result")
    expect(result.locator(".status")).to_contain_text("已派遣到")
    expect(result.locator(".timeline li")).to_have_count(3)
    expect(result).to_contain_text("预计办结时间")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for personal in ("张三", "13812345678", "下水道堵了"):
        expect(page.locator("body")).not_to_contain_text(personal)
    screenshot(page, "track-phone.png")


def test_wrong_digits_show_nothing_of_the_case(chromium, served, cases):
    browser, expect = chromium
    sewer, _ = cases
    page = browser.new_page(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page.set_default_timeout(WAIT_MS)
    page.goto(f"{served}/track/?number={sewer}&last4=4321")
    expect(page.locator("#result")).to_contain_text("没有查到相符的案件")
    expect(page.locator(".timeline")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("已派遣")
    screenshot(page, "track-wrong-digits.png")
