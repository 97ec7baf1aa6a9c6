"""A supervisor in a real headless Chromium, in Chinese: opens 质检 from the
menu, sees the week's sample, opens a call, sees its recording (which the
browser loads through the console: three seconds, two channels' worth) and
the step transcript, scores it on the checklist, and finds the operator's
average on the month's summary.

Saves artifacts/quality-sample.png, artifacts/quality-review.png and
artifacts/quality-summary.png to look at.
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.quality.support import answered_call
from tests.support.browser import WAIT_MS, screenshot
from tests.support.browser import sign_in_page as sign_in

pytestmark = pytest.mark.browser


def test_a_supervisor_reviews_a_recorded_call_and_sees_the_operators_average(
        app, clock, chromium, served, users, carrier):
    call_sid = answered_call(app, "op1", clock() - timedelta(hours=2), seconds=3, carrier=carrier)
    browser, expect = chromium
    page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page.set_default_timeout(WAIT_MS)
    sign_in(page, served, "sup1", users)

    page.click("nav >> text=质检")
    row = page.locator(f"tr[data-call='{call_sid}']")
    expect(row).to_contain_text("op1")
    expect(row).to_contain_text("2026-10-09 08:00")            # answered at 08:00 in Taizhou (00:00 UTC)
    expect(page.locator("#sample-counts")).to_contain_text("抽检待评 1 个")
    screenshot(page, "quality-sample.png")

    row.locator("a.review-link").click()
    expect(page.locator("h1")).to_contain_text("通话质检")
    expect(page.locator("#transcript")).to_contain_text("青年路的路灯不亮了")
    expect(page.locator("#transcript")).to_contain_text("您反映的是路灯问题，对吗？")
    expect(page.locator("#cases")).to_contain_text("C0201")
    expect(page.locator(".recording figcaption")).to_contain_text("双声道录音")
    audio = page.locator("audio")
    # (the recording's id: another test's rows may have used the first ids)
    expect(audio).to_have_attribute("src", re.compile(rf"^/console/quality/calls/{call_sid}/recordings/\d+$"))
    # The browser loads the recording through the console and knows its length.
    audio.evaluate("element => { element.preload = 'auto'; element.load(); }")
    expect(audio).to_have_js_property("duration", 3)
    expect(page.locator("a.recording-link")).to_have_text("下载录音")

    for key, points in (("greeting", "10"), ("identity", "15"), ("category", "30"), ("courtesy", "25"),
                        ("closure", "12")):
        page.fill(f"#score-{key}", points)
    page.fill("#comment", "未完整核实来电人身份，结束语略简短")
    screenshot(page, "quality-review.png")
    page.click("#save-review")
    expect(page.locator(".flash.ok")).to_contain_text("op1 的通话已评分：92 / 100 分。")
    expect(page.locator("#sample-done")).to_be_visible()

    page.click("#to-summary")
    summary = page.locator("tr[data-operator='op1']")
    expect(summary.locator("td.average")).to_have_text("92.0")
    expect(summary).to_contain_text("15.0")
    expect(page.locator("#quality-summary thead")).to_contain_text("身份核实")
    screenshot(page, "quality-summary.png")
