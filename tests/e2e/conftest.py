"""End-to-end tests: the real hotline driven through the local carrier,
across packages; those marked ``browser`` also drive a real Chromium (they
are skipped where Chromium or Playwright is missing, the others still run).

The hotline behind the carrier (``service``) is shared with the carrier's
own tests (tests/support/hotline_service.py); one run of the scheduler's
callback job (``dispatch``) with tests/callbacks/ (tests/support/jobs.py).
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from config.catalog import SeatPolicy
from database import db
from ivr.kit import public_url
from operators.distribution import distribute
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, WAIT_MS, be_patient
from tests.support.hotline_service import service  # noqa: F401  (the hotline behind the local carrier)
from tests.support.jobs import dispatch  # noqa: F401  (one run of the scheduler's callback job)
from wiring import services

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"

try:
    from playwright import sync_api
except ImportError:          # the browser tests skip (see ``browser``); the others need no Playwright
    sync_api = None
else:
    be_patient(sync_api)
__all__ = ["WAIT_MS", "screenshot", "sync_api"]


@pytest.fixture
def config(app):
    return services(app).config


@pytest.fixture
def browser():
    if sync_api is None:
        pytest.skip("Playwright is not installed (make setup-dev)")
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def short_rings(app) -> None:
    """A five-second ring, so that a test does not sit through twenty seconds of it."""
    config = services(app).config
    services(app).config = replace(config, seats=SeatPolicy(ring_seconds=5, wrap_up=timedelta(seconds=30)))


@contextmanager
def distributing(hotline):
    """The scheduler's operators.distribute job, every 300 ms, until the block ends."""
    app, stop = hotline.app, threading.Event()

    def run() -> None:
        while not stop.wait(0.3):
            distribute(lambda: db.session_scope(app), hotline.twilio, services(app).config,
                       lambda operator: public_url(app, "operator_voice.connect", operator=operator),
                       services(app).clock)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def console_for(chromium, hotline, username: str, password: str = "operator password 1",
                viewport: tuple[int, int] = (1600, 1000)):
    """A console in its own page, signed in, on the live board."""
    page = chromium.new_page(viewport={"width": viewport[0], "height": viewport[1]}, locale="zh-CN")
    page.set_default_timeout(WAIT_MS)
    page.goto(f"{hotline.url}/console/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.click("text=实时看板")
    return page


def heard(pane, text: str) -> None:
    """A browser phone's pane shows ``text`` as heard."""
    sync_api.expect(pane.locator(".transcript li.them", has_text=text).last).to_be_visible()


def available_in_turn(hotline, *consoles) -> None:
    """Each console's operator becomes available, 30 s apart on the service's
    clock, so the first has been idle longest."""
    for number, console in enumerate(consoles):
        if number:
            services(hotline.app).clock.moment += timedelta(seconds=30)
        console.locator(".seat-states button[data-state=available]").click()
        sync_api.expect(console.locator("#my-state")).to_have_attribute("data-state", "available")


def call_for_a_person(caller, line: str) -> None:
    """The browser phone's caller dials ``line`` and presses 0 at the menu."""
    caller.locator("select[name=to]").select_option(line)
    caller.locator("button.call").click()
    sync_api.expect(caller.locator(".prompt")).to_contain_text("keys")
    caller.locator(".keypad button[data-key='0']").click()
