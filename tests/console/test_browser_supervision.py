"""The supervisor in a real headless Chromium, in Chinese: sees a late case on
the overdue page (督办), reminds its department and marks it as supervised,
finds both in the case's history, then looks at the hotspots.

Saves artifacts/overdue.png, artifacts/overdue-reminded.png and
artifacts/hotspots.png to look at.
"""
from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from database import db
from notifications.models import OutboxMessage
from tests.support.browser import WAIT_MS, screenshot
from tests.support.browser import sign_in_page as sign_in
from tests.support.factories import dispatched, report
from wiring import services

pytestmark = pytest.mark.browser


@pytest.fixture
def late_sewer(app, clock):
    """A blocked sewer dispatched to DRAIN on Tuesday, late by Friday; DRAIN's
    system receives notifications; and a place reported again and again."""
    base = services(app).config
    drain = replace(base.departments["DRAIN"], notify_url="http://127.0.0.1:9/hotline-events", notify_secret="s")
    services(app).config = config = replace(base, departments={**base.departments, "DRAIN": drain})
    with db.session_scope(app) as session:
        clock.set_local(2026, 10, 6, 10, 0)
        number = dispatched(session, config, clock(), location="海陵区海陵北路1号",
                            description="下水道堵了，污水漫到路上").number
        for moment in ((2026, 9, 15, 9, 0), (2026, 9, 24, 9, 0), (2026, 10, 1, 9, 0), (2026, 10, 8, 9, 0)):
            clock.set_local(*moment)
            report(session, config, clock(), category="C0118", location="海陵区东风路口",
                   description="路灯不亮")
    clock.set_local(2026, 10, 9, 10, 0)
    return number


def test_a_supervisor_sees_an_overdue_case_and_reminds_its_department_in_chinese(
        app, chromium, served, users, late_sewer):
    browser, expect = chromium
    page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page.set_default_timeout(WAIT_MS)
    sign_in(page, served, "sup1", users)
    page.click("nav >> text=督办")
    row = page.locator(f"tr[data-case='{late_sewer}']")
    expect(page.locator("#department-DRAIN h2")).to_contain_text("市排水管理处")
    expect(row).to_contain_text("已超时")
    screenshot(page, "overdue.png")

    row.locator("input[name=note]").fill("请今天下班前疏通")
    row.locator("form[data-action=remind] button").click()
    expect(page.locator(".flash.ok")).to_contain_text(f"已提醒市排水管理处办理案件 {late_sewer}")
    row.locator("form[data-action=supervise] button").click()
    expect(page.locator(".flash.ok")).to_contain_text(f"案件 {late_sewer} 已督办")
    expect(row.locator(".badge.supervised")).to_have_text("已督办")
    expect(row.locator(".reminded")).to_contain_text("已催办")
    screenshot(page, "overdue-reminded.png")
    with db.session_scope(app) as session:
        assert session.scalars(select(OutboxMessage.department_code).where(
            OutboxMessage.event_type == "case.remind")).all() == ["DRAIN"]

    row.locator(f"text={late_sewer}").click()
    expect(page.locator("#history")).to_contain_text("催办部门")
    expect(page.locator("#history")).to_contain_text("请今天下班前疏通")
    expect(page.locator("#history")).to_contain_text("标记为已督办")

    page.click("nav >> text=热点问题")
    expect(page.locator("#hotspot-places")).to_contain_text("东风路口")
    expect(page.locator("#hotspot-places")).to_contain_text("4 次反映")
    expect(page.locator("svg.count-chart")).to_have_count(2)
    screenshot(page, "hotspots.png")
