"""The call-centre figures of a day driven through the local carrier, read
off the wallboard in Chromium and held to figures worked out by hand.

Three callers ask for a person; the service's clock is moved on by hand
between the steps, so every wait and every talk has a known length:

- A waits 30 s, is offered to Wang (idle longest), and talks 120 s;
- B waits 10 s, is offered to Li (Wang is in wrap-up), and talks 60 s;
- C waits 45 s with both operators in wrap-up, and hangs up.

By hand: offered 3; answered 2 (A, B); abandoned 1 (C); answered within
15 s 1 of 3 (B) = 33.33%; average wait (30 + 10) / 2 = 20 s = 0:20;
average handling (120 + 60) / 2 = 90 s = 1:30; nobody waiting at the end.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from accounts.models import User
from accounts.services import create_user
from carrier.testing import Handset
from config.catalog import SeatPolicy
from database import db
from operators import seats as rules
from operators.presence import report_present
from tests.carrier.support import Caller, finished
from tests.e2e.conftest import WAIT_MS, screenshot, sync_api
from tests.e2e.test_distribution_with_handsets import on_duty, one_pass, seat, waiting
from tests.support.browser import sign_in_page
from tests.support.caller import URBAN
from wiring import services

pytestmark = pytest.mark.browser
PASSWORD = "supervisor password 1"


def boards_open(app, *usernames: str) -> None:
    """The operators' live boards report in, as an open board does every few seconds."""
    with db.session_scope(app) as session:
        for user in session.scalars(select(User).where(User.username.in_(usernames))):
            report_present(session, user.id, services(app).clock())


def a_call(service, caller: Caller, operator: Handset | None, wait: int, talk: int | None):
    """One caller through the queue: ``wait`` seconds waiting, then offered
    to ``operator`` and ``talk`` seconds talking (the operator hangs up), or
    (no operator) hanging up after the wait."""
    carrier, clock = service.carrier, services(service.app).clock
    call = carrier.call_in(caller, URBAN)
    assert carrier.wait_until(lambda: waiting(service) == 1, timeout=60)
    clock.moment += timedelta(seconds=wait)
    boards_open(service.app, "wang", "li")
    offers = [o.operator for o in one_pass(service).offers]
    if operator is None:
        assert offers == []
        caller.hang_up()
        return finished(call)
    assert offers == [operator.address.removeprefix("client:")]
    operator.wait_until_in_conference(timeout=60)
    caller.wait_until_in_conference(timeout=60)
    clock.moment += timedelta(seconds=talk)
    operator.hang_up()
    finished(call)
    username = operator.address.removeprefix("client:")
    assert carrier.wait_until(lambda: seat(service.app, username)[0] == rules.WRAP_UP, timeout=60)
    return call


def test_a_day_through_the_carrier_matches_the_figures_worked_out_by_hand(service, browser):
    app = service.app
    config = services(app).config
    services(app).config = replace(config, seats=SeatPolicy(ring_seconds=20, wrap_up=timedelta(minutes=10)))
    on_duty(app, "wang", "li")
    with db.session_scope(app) as session:
        create_user(session, "boss", PASSWORD, "supervisor", display_name="赵值班长",
                    hash_method="pbkdf2:sha256:1000")
    wang, li = Handset(service.carrier, "client:wang"), Handset(service.carrier, "client:li")

    calls = [a_call(service, Caller(service.carrier, "+8613900000001"), wang, wait=30, talk=120),
             a_call(service, Caller(service.carrier, "+8613900000002"), li, wait=10, talk=60),
             a_call(service, Caller(service.carrier, "+8613900000003"), None, wait=45, talk=None)]
    assert all(call.errors == [] for call in calls)

    page = browser.new_page(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page.set_default_timeout(WAIT_MS)
    sign_in_page(page, service.url, "boss", PASSWORD)
    page.goto(f"{service.url}/console/wallboard")
    sync_api.expect(page.locator("body")).to_have_attribute("data-loaded", "yes")
    by_hand = {"offered": "3", "answered": "2", "abandoned": "1", "within": "33.33%", "within_counts": "1 / 3",
               "wait": "0:20", "handling": "1:30", "waiting": "0"}
    for key, text in by_hand.items():
        sync_api.expect(page.locator(f'[data-k="{key}"]')).to_have_text(text)
    sync_api.expect(page.locator('[data-seat="wrap_up"]')).to_have_text("2")
    screenshot(page, "wallboard-carrier-day.png")
