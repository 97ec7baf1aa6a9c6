"""A caller who presses 0 waits in the operator queue, hears their position,
and presses 1 to be called back instead; the callback is then owed."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from callbacks.models import Callback
from database import db
from tests.e2e.conftest import WAIT_MS, screenshot, sync_api
from tests.support.caller import URBAN

pytestmark = pytest.mark.browser


def heard(pane, text: str) -> None:
    sync_api.expect(pane.locator(".transcript li.them", has_text=text).last).to_be_visible()


def test_caller_in_the_queue_chooses_a_callback(service, browser):
    page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    page.set_default_timeout(WAIT_MS)
    page.goto(f"{service.carrier.api_base_url}/phone/")
    caller = page.locator("#caller")
    caller.locator("select[name=to]").select_option(URBAN)
    caller.locator("button.call").click()
    sync_api.expect(caller.locator(".prompt")).to_contain_text("keys")
    caller.locator(".keypad button[data-key='0']").click()
    heard(caller, "正在为您转接人工服务")
    heard(caller, "您是下一位")
    heard(caller, "不想等待，请按1")
    caller.locator(".keypad button[data-key='1']").click()
    heard(caller, "我们会尽快回电到您尾号")
    sync_api.expect(caller).to_have_attribute("data-state", "ended")
    screenshot(page, "queue-callback-chosen.png")

    with db.session_scope(service.app) as session:
        [owed] = session.scalars(select(Callback)).all()
        assert (owed.purpose, owed.phone_e164, owed.status) == ("queue", "+8613812345678", "pending")
        assert owed.line_id == "urban"
