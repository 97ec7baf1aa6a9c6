"""The case workbench in a real headless Chromium, in Chinese: a dispatcher
files and dispatches a case, then the department's clerk claims it and
reports it disposed, and switches the console to English; an inspector on a
phone-sized screen checks a disposed case with a photo and closes it; a
dispatcher merges a duplicate into the case it repeats.

Saves artifacts/home-dispatcher.png, artifacts/home-department.png,
artifacts/cases-list.png, artifacts/case-dispatched.png,
artifacts/case-disposed.png, artifacts/case-in-english.png,
artifacts/inspector-home-phone.png, artifacts/inspector-refused-phone.png,
artifacts/case-closed-phone.png and artifacts/case-merged.png to look at.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from cases.models import Case
from database import db
from tests.support.browser import WAIT_MS, screenshot
from tests.support.browser import sign_in_page as sign_in
from tests.support.factories import report, step
from tests.support.pictures import png
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


@pytest.fixture
def disposed_sewer(app, clock, sewer):
    """The sewer case dispatched to DRAIN and reported disposed: an inspector's check is open."""
    config = services(app).config
    with db.session_scope(app) as session:
        case = session.scalars(select(Case).where(Case.number == sewer)).one()
        for action, role, details in (("file", "dispatcher", {}), ("dispatch", "dispatcher", {}),
                                      ("claim", "department", {}), ("dispose", "department", {"note": "已派人疏通"})):
            step(session, config, case, action, clock(), role, **details)
    return sewer


def test_an_inspector_checks_and_closes_a_case_with_a_photo_on_a_phone(app, chromium, served, users,
                                                                        disposed_sewer, tmp_path):
    browser, expect = chromium
    phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                             locale="zh-CN")
    phone.set_default_timeout(WAIT_MS)
    sign_in(phone, served, "insp1", users)
    task = phone.locator(f"#tasks li[data-case='{disposed_sewer}']")
    expect(task).to_contain_text("核查处置")
    screenshot(phone, "inspector-home-phone.png")
    task.locator("a").click()
    expect(phone.locator("h1")).to_contain_text(f"案件 {disposed_sewer}")
    expect(phone.locator("dl.facts")).to_contain_text("已派人疏通")

    not_a_photo = tmp_path / "说明.txt"
    not_a_photo.write_text("这不是照片")
    phone.fill("textarea[name=note]", "管道已通，路面无积水")
    phone.set_input_files("input[name=photos]", str(not_a_photo))
    expect(phone.locator("#photo-check")).to_contain_text("说明.txt 不是照片")      # said before sending
    phone.click("button[value=passed]")
    expect(phone.locator("#photo-check")).to_be_visible()
    expect(phone.locator("textarea[name=note]")).to_have_value("管道已通，路面无积水")    # nothing typed is lost
    assert status_of(app, disposed_sewer) == "disposed"
    screenshot(phone, "inspector-refused-phone.png")

    photo = tmp_path / "现场.png"
    photo.write_bytes(png(320, 240, (60, 140, 90)))
    phone.set_input_files("input[name=photos]", str(photo))
    expect(phone.locator("#photo-check")).to_be_hidden()
    phone.click("button[value=passed]")
    expect(phone.locator(".flash.ok")).to_contain_text("已结案")
    expect(phone.locator(f"#tasks li[data-case='{disposed_sewer}']")).to_have_count(0)
    assert status_of(app, disposed_sewer) == "closed"
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the inspector's page scrolls sideways on a phone ({width} px)"

    phone.goto(f"{served}/console/cases/{disposed_sewer}")
    expect(phone.locator("#case-status")).to_have_text("已结案")
    image = phone.locator("#photos img")
    expect(image).to_have_count(1)
    assert phone.wait_for_function("img => img.complete && img.naturalWidth === 320", arg=image.element_handle())
    expect(phone.locator("#history")).to_contain_text("上传照片")
    screenshot(phone, "case-closed-phone.png")


def test_a_dispatcher_merges_a_duplicate_in_the_browser(app, chromium, served, users, sewer, clock):
    config = services(app).config
    with db.session_scope(app) as session:
        duplicate = report(session, config, clock(), location="海陵区海陵北路十八亩52号", caller="+8613900001111",
                           description="十八亩那边下水道堵了").number
    browser, expect = chromium
    dispatcher = browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    dispatcher.set_default_timeout(WAIT_MS)
    sign_in(dispatcher, served, "disp1", users)
    dispatcher.goto(f"{served}/console/cases/{duplicate}")
    dispatcher.fill("#merge input[name=into]", duplicate)
    dispatcher.click("#merge button")
    expect(dispatcher.locator(".flash.error")).to_contain_text("不能并入它自己")
    dispatcher.fill("#merge input[name=into]", sewer)
    dispatcher.fill("#merge input[name=note]", "同一处下水道")
    dispatcher.click("#merge button")
    expect(dispatcher.locator("h1")).to_contain_text(f"案件 {sewer}")
    expect(dispatcher.locator("#complainants tbody tr")).to_have_count(2)
    expect(dispatcher.locator("#history")).to_contain_text("重复案件并入")
    screenshot(dispatcher, "case-merged.png")
    assert status_of(app, duplicate) == "voided"
