"""Two operators at their consoles, their phones in the browser, and a
caller waiting: distribution offers the caller to the operator idle
longest; he lets it ring out, is marked away, and the caller is offered
to the second operator, who answers.  Distribution passes run beside the
test as the scheduler runs them; every wait is on a state shown on screen."""
from __future__ import annotations

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


@pytest.fixture
def operators(service):
    with db.session_scope(service.app) as session:
        for username, name in (("wang", "王接线员"), ("li", "李接线员")):
            create_user(session, username, PASSWORD, "operator", display_name=name, device=f"client:{username}",
                        hash_method="pbkdf2:sha256:1000")
    short_rings(service.app)


@pytest.fixture
def scheduler(service, operators):
    """The scheduler's operators.distribute job, every 300 ms, until the test ends."""
    with distributing(service):
        yield


def phones_for(browser, service, identity: str):
    page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    page.set_default_timeout(WAIT_MS)
    page.goto(f"{service.carrier.api_base_url}/phone/")
    form = page.locator("#operator form.register")
    form.locator("input[name=address]").fill(f"client:{identity}")
    form.locator("button[type=submit]").click()
    assert service.carrier.wait_until(lambda: service.carrier.directory.lookup(f"client:{identity}") is not None)
    return page


def test_a_waiting_caller_skips_the_operator_who_does_not_answer(service, browser, scheduler):
    wang_phones = phones_for(browser, service, "wang")
    li_phones = phones_for(browser, service, "li")
    wang, li = (console_for(browser, service, name, viewport=(1440, 900)) for name in ("wang", "li"))

    available_in_turn(service, wang, li)       # Wang has been idle longer

    caller = li_phones.locator("#caller")
    call_for_a_person(caller, URBAN)

    # Offered to Wang, who lets it ring.
    sync_api.expect(wang_phones.locator("#operator")).to_have_attribute("data-state", "ringing")
    sync_api.expect(wang.locator("#my-state")).to_have_attribute("data-state", "ringing")
    sync_api.expect(wang.locator("#board tbody tr", has_text="+86*******5678")).to_contain_text("正在呼叫话务员")
    screenshot(wang, "distribution-offered.png")
    sync_api.expect(wang.locator("#my-state")).to_have_attribute("data-state", "break")
    sync_api.expect(wang.locator("#my-state")).to_contain_text("未接听分配的来电")

    # Then to Li, who answers: the whisper, then the caller.
    li_phone = li_phones.locator("#operator")
    sync_api.expect(li_phone).to_have_attribute("data-state", "ringing")
    li_phone.locator(".ringing-actions button[data-as=human]").click()
    heard(caller, "话务员暂时未能接听")
    sync_api.expect(li.locator("#my-state")).to_have_attribute("data-state", "on_call")
    li_phone.locator("form.say input").fill("您好，我是接线员小李")
    li_phone.locator("form.say input").press("Enter")
    heard(caller, "我是接线员小李")
    seats = li.locator("#seats tbody")
    sync_api.expect(seats.locator("tr[data-operator=wang]")).to_contain_text("小休")
    sync_api.expect(seats.locator("tr[data-operator=li]")).to_contain_text("通话中")
    sync_api.expect(li.locator("#board tbody tr", has_text="+86*******5678")).to_contain_text("与话务员通话中")
    screenshot(li, "distribution-answered.png")

    li_phone.locator(".call-actions button[data-act=hangup]").click()
    sync_api.expect(li.locator("#my-state")).to_have_attribute("data-state", "wrap_up")
    screenshot(li, "distribution-wrap-up.png")
