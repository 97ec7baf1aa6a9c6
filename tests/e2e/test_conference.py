"""A call-centre seat in the browser: two operators and a supervisor at
their consoles, their phones, a department's duty phone and a caller in
the browser phone, all through the local carrier.

A waiting caller is distributed automatically; the operator idle longest
lets it ring out and is skipped; the second answers.  The supervisor
listens (nobody hears them), coaches (only the operator hears them) and
barges in (both do), then leaves.  The operator warm-transfers to the
water company: consults it with the caller on hold, joins all three, and
leaves; the caller and the department still talk.  Distribution passes run
beside the test as the scheduler runs them; every wait is on a state shown
on screen (the console, or the phone's who-hears-whom panel)."""
from __future__ import annotations

import re

import pytest

from accounts.services import create_user
from database import db
from tests.e2e.conftest import (
    WAIT_MS,
    available_in_turn,
    call_for_a_person,
    console_for,
    distributing,
    heard,
    screenshot,
    short_rings,
    sync_api,
)
from tests.support.caller import URBAN

pytestmark = pytest.mark.browser
PASSWORD = "operator password 1"
WATER_DUTY = "+8652386210001"
CALLER_ROW = "+86*******5678"


@pytest.fixture
def people(service):
    with db.session_scope(service.app) as session:
        for username, name, role in (("wang", "王接线员", "operator"), ("li", "李接线员", "operator"),
                                     ("boss", "赵值班长", "supervisor")):
            create_user(session, username, PASSWORD, role, display_name=name, device=f"client:{username}",
                        hash_method="pbkdf2:sha256:1000")
    short_rings(service.app)


@pytest.fixture
def scheduler(service, people):
    """The scheduler's operators.distribute job, every 300 ms, until the test ends."""
    with distributing(service):
        yield


def phones(browser, service, *addresses: str):
    """A browser phone (a context of its own) with a handset for each address
    (#handset-1 ...) beside its three: a browser opens at most six connections
    to a host, and each handset keeps one open."""
    page = browser.new_page(viewport={"width": 1800, "height": 1100}, locale="zh-CN")
    page.set_default_timeout(WAIT_MS)
    page.goto(f"{service.carrier.api_base_url}/phone/?handsets={','.join(addresses)}")
    for address in addresses:
        assert service.carrier.wait_until(lambda a=address: service.carrier.directory.lookup(a) is not None)
    return page, [page.locator(f"#handset-{n}") for n in range(1, len(addresses) + 1)]


def say(pane, text: str):
    pane.locator("form.say input").fill(text)
    pane.locator("form.say input").press("Enter")
    said = pane.locator(".transcript li.you", has_text=text).last
    sync_api.expect(said).to_be_visible()
    return said


def answer(pane) -> None:
    sync_api.expect(pane).to_have_attribute("data-state", "ringing")
    pane.locator(".ringing-actions button[data-as=human]").click()
    sync_api.expect(pane).to_have_attribute("data-conference", re.compile(r"^hotline-CA"))


def the_call(console):
    return console.locator("#board tbody tr", has_text=CALLER_ROW)


def supervisor_mode(console, mode: str) -> None:
    """The supervisor clicks a mode, and the board shows them in it."""
    the_call(console).locator(f"form[data-form=supervise] button[value={mode}]").click()
    if mode != "leave":
        sync_api.expect(the_call(console).locator("li[data-role=supervisor]")).to_have_attribute("data-mode", mode)


def operator_move(console, move: str) -> None:
    the_call(console).locator(f"form[data-form=moves] button[value={move}]").click()


def hears_me(pane, label: str, yes: bool) -> None:
    """The phone's who-hears-whom panel: whether ``label`` hears this handset."""
    cell = pane.locator(f".conference-panel tr[data-label={label}] .hears-me")
    sync_api.expect(cell).to_have_class(re.compile(r"\byes\b" if yes else r"\bno\b"))


def test_supervision_and_a_warm_transfer_in_the_browser(service, browser, scheduler):
    phone_page, (wang_phone, li_phone) = phones(browser, service, "client:wang", "client:li")
    other_phones, (boss_phone, water_phone) = phones(browser, service, "client:boss", WATER_DUTY)
    wang, li, boss = (console_for(browser, service, name) for name in ("wang", "li", "boss"))

    available_in_turn(service, wang, li)       # Wang has been idle longer

    caller = phone_page.locator("#caller")
    call_for_a_person(caller, URBAN)

    # Distributed to Wang, who lets it ring out and is marked away; then to Li, who answers.
    sync_api.expect(wang_phone).to_have_attribute("data-state", "ringing")
    sync_api.expect(wang.locator("#my-state")).to_have_attribute("data-state", "break")
    answer(li_phone)
    heard(caller, "话务员暂时未能接听")
    sync_api.expect(li.locator("#my-state")).to_have_attribute("data-state", "on_call")
    sync_api.expect(caller).to_have_attribute("data-conference", re.compile(r"^hotline-CA"))
    say(caller, "青年路的路灯不亮了")
    heard(li_phone, "青年路的路灯不亮了")

    # 监听 Listen: the supervisor hears both; neither hears the supervisor.
    supervisor_mode(boss, "listen")
    answer(boss_phone)
    say(caller, "灯杆上有编号")
    heard(boss_phone, "灯杆上有编号")
    hears_me(boss_phone, "caller", False)
    hears_me(boss_phone, "operator", False)
    sync_api.expect(say(boss_phone, "监听时说的话")).to_contain_text("没有人听到")

    # 耳语指导 Coach: only the operator hears the supervisor.
    supervisor_mode(boss, "coach")
    hears_me(boss_phone, "operator", True)
    hears_me(boss_phone, "caller", False)
    said = say(boss_phone, "先核实地址")
    heard(li_phone, "先核实地址")
    sync_api.expect(said).to_contain_text("operator")
    sync_api.expect(said).not_to_contain_text("caller")
    sync_api.expect(the_call(boss)).to_contain_text("耳语指导")
    sync_api.expect(the_call(boss).locator("li[data-role=caller]")).to_be_visible()
    screenshot(boss, "conference-coaching.png")

    # 强插 Barge in: both hear the supervisor.
    supervisor_mode(boss, "barge")
    hears_me(boss_phone, "caller", True)
    say(boss_phone, "我是值班长")
    heard(caller, "我是值班长")
    heard(li_phone, "我是值班长")
    assert caller.locator(".transcript li.them", has_text="监听时说的话").count() == 0
    assert caller.locator(".transcript li.them", has_text="先核实地址").count() == 0
    supervisor_mode(boss, "leave")
    sync_api.expect(boss_phone).to_have_attribute("data-conference", "")

    # 咨询转接 Warm transfer: the caller on hold while Li consults the water company.
    the_call(li).locator("select[name=department]").select_option("WATER")
    operator_move(li, "consult")
    answer(water_phone)
    heard(caller, "请稍候，话务员正在为您处理")
    sync_api.expect(the_call(li)).to_contain_text("正在咨询部门")
    sync_api.expect(the_call(li).locator("li[data-role=caller]")).to_have_class(re.compile(r"\bon-hold\b"))
    sync_api.expect(the_call(li).locator("li[data-role=department]")).to_be_visible()
    said = say(li_phone, "有个路灯的问题要转给你们")
    heard(water_phone, "有个路灯的问题要转给你们")
    sync_api.expect(said).not_to_contain_text("caller")
    screenshot(li, "conference-consulting.png")

    # 三方通话 Join all three.
    operator_move(li, "join")
    sync_api.expect(the_call(li)).to_contain_text("三方通话")
    say(water_phone, "您好，这里是自来水公司值班室")
    heard(caller, "这里是自来水公司值班室")
    heard(li_phone, "这里是自来水公司值班室")

    # 退出 Leave: Li leaves; the caller and the department still talk.
    operator_move(li, "leave")
    sync_api.expect(li.locator("#my-state")).to_have_attribute("data-state", "wrap_up")
    sync_api.expect(li_phone).to_have_attribute("data-conference", "")
    say(caller, "谢谢，请尽快处理")
    heard(water_phone, "谢谢，请尽快处理")
    say(water_phone, "好的，马上派人")
    heard(caller, "好的，马上派人")
    screenshot(other_phones, "conference-handed-over-phones.png")
    water_phone.locator(".call-actions button[data-act=hangup]").click()
    sync_api.expect(caller).to_have_attribute("data-state", "ended")
