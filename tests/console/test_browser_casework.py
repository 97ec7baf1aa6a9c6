"""The case workbench in a real headless Chromium, in Chinese: a dispatcher
files and dispatches a case, then the department's clerk claims it and
reports it disposed, and switches the console to English.

Saves artifacts/home-dispatcher.png, artifacts/home-department.png,
artifacts/cases-list.png, artifacts/case-dispatched.png,
artifacts/case-disposed.png and artifacts/case-in-english.png to look at.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from cases.models import Case
from database import db
from tests.support.browser import WAIT_MS, screenshot
from tests.support.browser import sign_in_page as sign_in
from tests.support.factories import report
from wiring import services

pytestmark = pytest.mark.browser


@pytest.fixture
def sewer(app, clock):
    config = services(app).config
    with db.session_scope(app) as session:
        return report(session, config, clock(), description="海陵北路十八亩50号下水道堵了，污水冒出来",
                      caller="+8613812345678").number


def status_of(app, number: str) -> str:
    with db.session_scope(app) as session:
        return session.scalars(select(Case.status).where(Case.number == number)).one()


def test_dispatcher_files_and_dispatches_then_the_clerk_claims_and_disposes_in_chinese(
        app, chromium, served, users, sewer):
    browser, expect = chromium
    dispatcher = browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    dispatcher.set_default_timeout(WAIT_MS)
    sign_in(dispatcher, served, "disp1", users)
    expect(dispatcher.locator("#to-file")).to_contain_text(sewer)          # the dispatcher's home lists it
    screenshot(dispatcher, "home-dispatcher.png")
    dispatcher.click("nav >> text=案件")
    dispatcher.fill("input[name=q]", "下水道")
    dispatcher.click("button:has-text('查找')")
    expect(dispatcher.locator("#cases tbody tr")).to_have_count(1)
    expect(dispatcher.locator("#cases tbody")).to_contain_text("已受理")
    screenshot(dispatcher, "cases-list.png")

    dispatcher.click(f"#cases >> text={sewer}")
    expect(dispatcher.locator("h1")).to_contain_text(f"案件 {sewer}")
    dispatcher.click("form[data-action=file] button")
    expect(dispatcher.locator(".flash.ok")).to_contain_text("已立案")
    expect(dispatcher.locator("form[data-action=dispatch] select[name=department]")).to_have_value("DRAIN")
    dispatcher.click("form[data-action=dispatch] button")
    expect(dispatcher.locator("#case-status")).to_have_text("已派遣")
    expect(dispatcher.locator("#history")).to_contain_text("派遣")
    screenshot(dispatcher, "case-dispatched.png")
    assert status_of(app, sewer) == "dispatched"

    clerk = browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    clerk.set_default_timeout(WAIT_MS)
    sign_in(clerk, served, "drain1", users)
    expect(clerk.locator("#queue")).to_contain_text(sewer)                 # the department's queue
    screenshot(clerk, "home-department.png")
    clerk.click("nav >> text=案件")
    clerk.click(f"#cases >> text={sewer}")
    clerk.click("form[data-action=claim] button")
    expect(clerk.locator("#case-status")).to_have_text("处理中")
    clerk.fill("form[data-action=dispose] textarea[name=note]", "已派人疏通，污水已排净")
    clerk.click("form[data-action=dispose] button")
    expect(clerk.locator("#case-status")).to_have_text("已处置")
    expect(clerk.locator("#history")).to_contain_text("已派人疏通")
    screenshot(clerk, "case-disposed.png")
    assert status_of(app, sewer) == "disposed"

    clerk.click("form.language button[value=en_US]")
    expect(clerk.locator("#case-status")).to_have_text("disposed")
    expect(clerk.locator("html")).to_have_attribute("lang", "en-US")
    screenshot(clerk, "case-in-english.png")
