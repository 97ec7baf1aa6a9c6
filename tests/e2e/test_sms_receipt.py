"""Story 1 in a real browser, with SMS: the caller reports the missing
manhole covers on the browser phone, the scheduler sends the receipt
through the local carrier, and the complainant's pane shows it with the
case number; texting 退订 there stops SMS to that number."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from database import db
from sms.models import SmsOptOut
from tests.e2e.conftest import WAIT_MS, screenshot, sync_api
from tests.support.caller import URBAN

pytestmark = pytest.mark.browser
CALLER = "+8613812345678"           # the browser phone's default number, the complainant pane's too


def heard(pane, text: str) -> None:
    sync_api.expect(pane.locator(".transcript li.them", has_text=text).last).to_be_visible()


def test_the_story_1_caller_gets_an_sms_receipt_and_can_opt_out(service, browser):
    page = browser.new_page(viewport={"width": 1440, "height": 1100}, locale="zh-CN")
    page.set_default_timeout(WAIT_MS)
    page.goto(f"{service.carrier.api_base_url}/phone/")
    assert service.carrier.wait_until(lambda: service.carrier.directory.lookup(CALLER) is not None)
    caller, complainant = page.locator("#caller"), page.locator("#complainant")
    caller.locator("select[name=to]").select_option(URBAN)
    caller.locator("button.call").click()
    caller.locator("form.say input").fill("西仓路银春旅馆门前有两个上水井盖丢失")
    caller.locator("form.say input").press("Enter")
    heard(caller, "对请按1")
    caller.locator(".keypad button[data-key='1']").click()
    heard(caller, "案件编号是")
    number = caller.locator(".transcript li.them strong.spelled").first.text_content()
    assert re.fullmatch(r"[0-9]{10}", number)
    caller.locator(".call-actions button[data-act=hangup]").click()
    sync_api.expect(caller).to_have_attribute("data-state", "ended")

    result = service.app.test_cli_runner().invoke(args=["scheduler", "--once"])
    assert result.exit_code == 0, result.output
    receipt = complainant.locator(".messages li.received", has_text=number)
    sync_api.expect(receipt).to_contain_text("上水井盖")
    sync_api.expect(receipt).to_contain_text(f"from {URBAN}")
    screenshot(page, "sms-receipt.png")

    complainant.locator("form.text select[name=to]").select_option(URBAN)
    complainant.locator("form.text input[name=body]").fill("退订")
    complainant.locator("form.text input[name=body]").press("Enter")
    sync_api.expect(complainant.locator(".messages li.sent", has_text="退订")).to_be_visible()
    sync_api.expect(complainant.locator(".messages li.received", has_text="已退订")).to_be_visible()
    screenshot(page, "sms-opted-out.png")
    with db.session_scope(service.app) as session:
        assert session.scalar(select(SmsOptOut.phone_e164)) == CALLER
