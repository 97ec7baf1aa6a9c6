"""The knowledge base in Chromium: a supervisor finds an article by a
caller's words, edits what callers hear, and sees the change in its history.

Saves artifacts/knowledge-search.png and artifacts/knowledge-article.png to look at.
"""
from __future__ import annotations

import pytest

from tests.support.browser import WAIT_MS, screenshot
from tests.support.browser import sign_in_page as sign_in

pytestmark = pytest.mark.browser

NEW_SPOKEN = "摆摊请先向所在区城管局申请临时占道许可，批准后在划定地点经营。"


def test_a_supervisor_finds_and_edits_an_article(chromium, served, users):
    browser, expect = chromium
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page.set_default_timeout(WAIT_MS)
    sign_in(page, served, "sup1", users)
    page.goto(f"{served}/console/knowledge/")
    page.fill("input[name=q]", "请问摆摊要办什么手续")
    page.click("form[role=search] button[type=submit]")
    first = page.locator("#articles tbody tr").first
    expect(first).to_contain_text("摆摊")
    screenshot(page, "knowledge-search.png")
    first.locator("a").click()
    page.fill("textarea[name='spoken_zh-CN']", NEW_SPOKEN)
    page.click("#edit-article button[type=submit]")
    expect(page.locator(".flash.success")).to_contain_text("已保存")
    expect(page.locator("#spoken")).to_contain_text(NEW_SPOKEN)
    expect(page.locator("#history tbody tr").first).to_contain_text("sup1")
    expect(page.locator("#history ins").first).to_have_text(NEW_SPOKEN)
    screenshot(page, "knowledge-article.png")
