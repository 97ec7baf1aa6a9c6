"""The live board in a real headless Chromium, in Chinese: rows are updated
in place, so keyboard focus stays on the button it was on while calls come
and go; changes are announced; each button names its call; queued callers
have places of their own; who holds a call is shown; and at phone width the
board is one card per call with nothing wider than the screen.

Saves artifacts/board-desktop.png and artifacts/board-phone.png to look at.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from accounts.models import User
from call_log.models import Call as CallRow
from database import db
from tests.support.browser import WAIT_MS, screenshot
from tests.support.browser import sign_in_page as sign_in

pytestmark = pytest.mark.browser

FOCUSED_SID = "document.activeElement.closest('tr') && document.activeElement.closest('tr').dataset.sid"


def change_call(app, sid: str, **values) -> None:
    with db.session_scope(app) as session:
        row = session.scalars(select(CallRow).where(CallRow.call_sid == sid)).one()
        for name, value in values.items():
            setattr(row, name, value)


@pytest.fixture
def named(app, users):
    with db.session_scope(app) as session:
        session.scalars(select(User).where(User.username == "sup1")).one().display_name = "王芳"
    return users


def caller_in_ivr(new_call, from_: str):
    call = new_call(from_=from_)
    call.dial()
    call.say("西仓路银春旅馆门前有两个上水井盖丢失")
    return call


def test_focus_stays_on_its_button_while_calls_come_and_go(app, chromium, served, named, new_call, clock):
    browser, expect = chromium
    first = caller_in_ivr(new_call, "+8613912345678")
    page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page.set_default_timeout(WAIT_MS)
    sign_in(page, served, "op1", named)
    page.goto(f"{served}/console/board")
    button = page.locator(f'tr[data-sid="{first.sid}"] button')
    expect(button).to_have_attribute("aria-label",
                                     "接管 +86*******5678 的来电 · Take over the call from +86*******5678")
    button.focus()
    # The row element itself is kept from one refresh to the next.
    page.evaluate(f"document.querySelector('tr[data-sid=\"{first.sid}\"]').kept = true")

    second = caller_in_ivr(new_call, "+8613900001111")
    expect(page.locator("#board tbody tr")).to_have_count(2)
    expect(page.locator("#changes")).to_contain_text("新来电：+86*******1111")
    assert page.evaluate(FOCUSED_SID) == first.sid
    assert page.locator(f'tr[data-sid="{second.sid}"] button').get_attribute("aria-label").startswith(
        "接管 +86*******1111 的来电")

    # Two callers ask for a person: each has a place of their own.
    queued = [new_call(from_=f"+86139000022{n}2") for n in range(2)]
    for call in queued:
        call.dial()
        call.press("0")
    expect(page.locator(f'tr[data-sid="{queued[0].sid}"] [data-f=step]')).to_have_text("排队第 1 位")
    expect(page.locator(f'tr[data-sid="{queued[1].sid}"] [data-f=step]')).to_have_text("排队第 2 位")
    assert page.evaluate(FOCUSED_SID) == first.sid

    # A supervisor takes over the second call while its button has the focus: the focus moves on
    # to the first button still there; then the call ends.
    page.locator(f'tr[data-sid="{second.sid}"] button').focus()
    change_call(app, second.sid, operator="sup1", operator_joined_at=clock())
    expect(page.locator(f'tr[data-sid="{second.sid}"] [data-f=operator]')).to_have_text("由 王芳 接听")
    expect(page.locator(f'tr[data-sid="{first.sid}"] button')).to_be_focused()
    expect(page.locator("#changes")).to_contain_text("王芳 已接管 +86*******1111 的来电")
    expect(page.locator(f'tr[data-sid="{second.sid}"] button')).to_be_hidden()
    screenshot(page, "board-desktop.png")
    change_call(app, second.sid, status="completed")
    expect(page.locator("#board tbody tr")).to_have_count(3)
    expect(page.locator("#changes")).to_contain_text("+86*******1111 的来电已结束")
    assert page.evaluate(FOCUSED_SID) == first.sid
    assert page.evaluate(f"document.querySelector('tr[data-sid=\"{first.sid}\"]').kept") is True
    # The clock line is not a live region: it changes every second and would be read out every second.
    assert page.locator("#updated").get_attribute("aria-live") is None


def test_the_board_fits_a_phone(app, chromium, served, named, new_call):
    browser, expect = chromium
    caller_in_ivr(new_call, "+8613912345678")
    waiting = new_call(from_="+8613900003333")
    waiting.dial()
    waiting.press("0")
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                            has_touch=True, device_scale_factor=2)
    page.set_default_timeout(WAIT_MS)
    sign_in(page, served, "op1", named)
    page.goto(f"{served}/console/board")
    expect(page.locator("#board tbody tr")).to_have_count(2)
    expect(page.locator(f'tr[data-sid="{waiting.sid}"] [data-f=step]')).to_have_text("排队第 1 位")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # One card per call: the cells are stacked, each with its label, and the button spans the card.
    box = page.locator("#board tbody tr").first.locator("button").bounding_box()
    assert box["width"] > 300
    screenshot(page, "board-phone.png")
