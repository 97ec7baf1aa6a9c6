"""An operator takes over a live call placed through the local carrier, in
a real browser: the board shows what the caller said, the carrier bridges the
caller to the operator's phone, and the operator files the case."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from accounts.services import create_user
from call_log.models import Call as CallRow
from cases.models import Case
from database import db
from tests.e2e.conftest import WAIT_MS, screenshot, sync_api
from tests.support.caller import URBAN

pytestmark = pytest.mark.browser
PASSWORD = "operator password 1"


@pytest.fixture
def operator(service):
    with db.session_scope(service.app) as session:
        create_user(session, "wang", PASSWORD, "operator", display_name="王接线员", device="client:operator",
                    hash_method="pbkdf2:sha256:1000")
    return "wang"


def say(pane, text: str) -> None:
    pane.locator("form.say input").fill(text)
    pane.locator("form.say input").press("Enter")


def heard(pane, text: str) -> None:
    sync_api.expect(pane.locator(".transcript li.them", has_text=text).last).to_be_visible()


def test_operator_takes_over_a_live_call_and_files_its_case(service, browser, operator):
    phones = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    phones.set_default_timeout(WAIT_MS)
    phones.goto(f"{service.carrier.api_base_url}/phone/")
    assert service.carrier.wait_until(lambda: service.carrier.directory.lookup("client:operator") is not None)
    caller, operator_phone = phones.locator("#caller"), phones.locator("#operator")
    caller.locator("select[name=to]").select_option(URBAN)
    caller.locator("button.call").click()
    say(caller, "西仓路银春旅馆门前有两个上水井盖丢失")
    heard(caller, "上水井盖")

    console = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    console.set_default_timeout(WAIT_MS)
    console.goto(f"{service.url}/console/login")
    console.fill("input[name=username]", operator)
    console.fill("input[name=password]", PASSWORD)
    console.click("button[type=submit]")
    console.click("text=实时看板")          # the console speaks Chinese first
    row = console.locator("#board tbody tr", has_text="西仓路银春旅馆门前有两个上水井盖丢失")
    sync_api.expect(row).to_contain_text("上水井盖")
    sync_api.expect(row).to_contain_text("+86*******5678")
    screenshot(console, "operator-live-board.png")

    row.locator("button", has_text="接管").click()
    sync_api.expect(console.locator("#case-form")).to_be_visible()
    sync_api.expect(operator_phone).to_have_attribute("data-state", "ringing")
    operator_phone.locator(".ringing-actions button[data-as=human]").click()
    heard(operator_phone, "西仓路银春旅馆门前有两个上水井盖丢失")        # the whisper before the bridge
    heard(caller, "正在为您转接话务员")
    say(operator_phone, "您好，我是接线员小王，请问具体在哪个位置？")
    heard(caller, "我是接线员小王")
    say(caller, "就在银春旅馆门口")
    heard(operator_phone, "就在银春旅馆门口")

    form = console.locator("#case-form")
    assert form.locator("textarea[name=description]").input_value() == "西仓路银春旅馆门前有两个上水井盖丢失"
    form.locator("input[name=location]").fill("海陵区西仓路银春旅馆门前")
    form.locator("button[type=submit]").click()
    sync_api.expect(console.locator(".flash.ok")).to_contain_text("当前状态：核实中")
    screenshot(console, "operator-case-filed.png")
    screenshot(phones, "operator-phones-bridged.png")

    with db.session_scope(service.app) as session:
        case = session.scalars(select(Case)).one()
        assert (case.category_code, case.location_text, case.status) == \
            ("C0101", "海陵区西仓路银春旅馆门前", "verifying")
        taken_over = session.get(CallRow, case.call_id)
        assert taken_over.operator == "wang" and taken_over.operator_joined_at is not None
