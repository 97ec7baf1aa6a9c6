"""The browser phone in a real headless Chromium, calling the real hotline."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, WAIT_MS, be_patient
from tests.support.caller import URBAN
from wiring import services

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install playwright)")
be_patient(sync_api)
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)"),
]


@pytest.fixture
def page(service):
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
            page.set_default_timeout(WAIT_MS)
            page.goto(f"{service.carrier.api_base_url}/phone/")
            # The operator's and complainant's phones register themselves on load.
            assert service.carrier.wait_until(lambda: service.carrier.directory.lookup("client:operator") is not None)
            yield page
        finally:
            browser.close()


def say(pane, text: str) -> None:
    pane.locator("form.say input").fill(text)
    pane.locator("form.say input").press("Enter")


def heard(pane, text: str):
    return sync_api.expect(pane.locator(".transcript li.them", has_text=text).last).to_be_visible()


def test_a_call_from_the_browser_phone_ends_with_a_case_number(page):
    caller = page.locator("#caller")
    caller.locator("select[name=to]").select_option(URBAN)
    caller.locator("button.call").click()
    sync_api.expect(caller.locator(".prompt")).to_contain_text("speech")
    say(caller, "西仓路银春旅馆门前有两个上水井盖丢失")
    heard(caller, "西仓路银春旅馆门前的上水井盖")     # category and place, read back together
    caller.locator(".keypad button[data-key='1']").click()
    heard(caller, "尾号")                              # the case number, then the callback number
    caller.locator("button[data-act='silence']").click()
    sync_api.expect(caller).to_have_attribute("data-state", "ended")

    spelled = [s.strip() for s in caller.locator(".transcript .spelled").all_inner_texts()]
    assert any(re.fullmatch(r"\d{10}", s) for s in spelled), spelled
    assert caller.locator(".log li.notice").count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser-phone-intake.png"), full_page=True)


def test_the_operator_and_complainant_phones_ring_when_the_service_dials_them(page, service):
    caller, operator, complainant = (page.locator(f"#{pane}") for pane in ("caller", "operator", "complainant"))
    queue = services(service.app).config.lines["urban"].operator_queue.name
    caller.locator("select[name=to]").select_option(URBAN)
    caller.locator("button.call").click()
    sync_api.expect(caller.locator(".prompt")).to_contain_text("keys")
    caller.locator(".keypad button[data-key='0']").click()
    assert service.carrier.wait_until(lambda: (q := service.carrier.queues.named(queue)) is not None
                                      and q.current_size == 1)

    service.twilio.calls.create(to="client:operator", from_=URBAN,
                                twiml=f"<Response><Dial><Queue>{queue}</Queue></Dial></Response>")
    sync_api.expect(operator).to_have_attribute("data-state", "ringing")
    operator.locator(".ringing-actions button[data-as=human]").click()
    sync_api.expect(operator).to_have_attribute("data-state", "connected")
    say(operator, "您好，我是接线员")
    heard(caller, "您好，我是接线员")
    say(caller, "路灯不亮了")
    heard(operator, "路灯不亮了")
    operator.locator(".call-actions button[data-act=hangup]").click()
    sync_api.expect(caller).to_have_attribute("data-state", "ended")

    service.twilio.calls.create(to="+8613812345678", from_=URBAN,
                                twiml='<Response><Say language="cmn-CN">您反映的问题已处理完毕</Say></Response>')
    sync_api.expect(complainant).to_have_attribute("data-state", "ringing")
    complainant.locator(".ringing-actions button[data-as=human]").click()
    heard(complainant, "您反映的问题已处理完毕")
    sync_api.expect(complainant).to_have_attribute("data-state", "ended")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser-phone-three-phones.png"), full_page=True)


@pytest.mark.parametrize("how", ["click", "enter"])
def test_the_first_call_after_typing_a_new_from_number_goes_through(page, service, how):
    caller = page.locator("#caller")
    caller.locator("select[name=to]").select_option(URBAN)
    number = caller.locator("input[name=from]")
    number.fill("+8613900001111")
    if how == "click":
        caller.locator("button.call").click()
    else:
        number.press("Enter")
    sync_api.expect(caller.locator(".prompt")).to_contain_text("listening")
    assert [call.from_ for call in service.carrier.calls() if call.to == URBAN] == ["+8613900001111"]
    assert caller.locator(".log li.notice").count() == 0


def test_handsets_in_a_conference_show_who_hears_whom(service):
    """Three phones in one conference: the complainant's as the caller, the
    operator's, and a supervisor's added with ?handsets= who coaches the operator."""
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1800, "height": 1100}, locale="zh-CN")
            page.set_default_timeout(WAIT_MS)
            page.goto(f"{service.carrier.api_base_url}/phone/?handsets=client:supervisor")
            directory = service.carrier.directory
            assert service.carrier.wait_until(lambda: directory.lookup("client:supervisor") is not None
                                              and directory.lookup("client:operator") is not None)
            _conference_seen_from_three_phones(page, service)
        finally:
            browser.close()


def _answer(pane) -> None:
    sync_api.expect(pane).to_have_attribute("data-state", "ringing")
    pane.locator(".ringing-actions button[data-as=human]").click()
    sync_api.expect(pane).to_have_attribute("data-state", "connected")


def _row(pane, label: str):
    return pane.locator(f".conference-panel tr[data-label='{label}']")


def _conference_seen_from_three_phones(page, service) -> None:
    expect = sync_api.expect
    operator, complainant = page.locator("#operator"), page.locator("#complainant")
    supervisor = page.locator("section.phone[data-address='client:supervisor']")
    room = "hotline-CAbrowser"
    service.twilio.calls.create(to="client:operator", from_=URBAN, twiml=(
        f'<Response><Dial><Conference participantLabel="operator" beep="false">{room}</Conference></Dial>'
        '</Response>'))
    _answer(operator)
    expect(operator.locator(".conference-panel .conference-name")).to_have_text(room)
    conference = service.carrier.conferences.named(room)
    participants = service.twilio.conferences(conference.sid).participants
    participants.create(from_=URBAN, to="+8613812345678", label="caller")
    _answer(complainant)
    expect(_row(operator, "caller").locator("td.i-hear")).to_have_text("听得到 hears")
    operator_sid = participants("operator").fetch().call_sid
    participants.create(from_=URBAN, to="client:supervisor", label="supervisor", coaching=True,
                        call_sid_to_coach=operator_sid)
    _answer(supervisor)

    expect(_row(complainant, "supervisor").locator("td.i-hear")).to_have_text("听不到 can't hear")
    expect(_row(complainant, "supervisor").locator("td.hears-me")).to_have_text("听得到 hears")
    expect(_row(operator, "supervisor").locator("td.i-hear")).to_have_text("听得到 hears")
    expect(_row(operator, "supervisor")).to_contain_text("指导 coaching operator")
    expect(_row(supervisor, "caller").locator("td.i-hear")).to_have_text("听得到 hears")
    say(supervisor, "先核实地址")
    heard(operator, "先核实地址")
    say(complainant, "在西仓路")
    heard(supervisor, "在西仓路")
    heard(operator, "在西仓路")
    assert complainant.locator(".transcript li.them", has_text="先核实地址").count() == 0

    participants("caller").update(hold=True)
    expect(_row(operator, "caller")).to_contain_text("保持 on hold")
    expect(_row(operator, "caller").locator("td.i-hear")).to_have_text("听不到 can't hear")
    expect(complainant.locator(".conference-panel .me")).to_contain_text("保持 on hold")
    page.screenshot(path=str(ARTIFACTS / "browser-phone-conference.png"), full_page=True)
    service.twilio.conferences(conference.sid).update(status="completed")
    for pane in (operator, complainant, supervisor):
        expect(pane).to_have_attribute("data-state", "ended")
        expect(pane.locator(".conference-panel")).to_be_hidden()


def test_a_handset_added_on_the_page_rings_for_its_address(page, service):
    page.locator("#add-handset input[name=address]").fill("+8613900000003")
    page.locator("#add-handset button[type=submit]").click()
    duty = page.locator("section.phone[data-address='+8613900000003']")
    assert service.carrier.wait_until(lambda: service.carrier.directory.lookup("+8613900000003") is not None
                                      and service.carrier.directory.lookup("+8613900000003").name != "complainant")
    service.twilio.calls.create(to="+8613900000003", from_=URBAN,
                                twiml='<Response><Say language="cmn-CN">值班电话测试</Say></Response>')
    sync_api.expect(duty).to_have_attribute("data-state", "ringing")
    duty.locator(".ringing-actions button[data-as=human]").click()
    heard(duty, "值班电话测试")
    duty.locator("button.remove").click()
    sync_api.expect(duty).to_have_count(0)
