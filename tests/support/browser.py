"""What every browser test shares: Debian's Chromium, and patience.

Browser tests wait on states (a phone ``ringing``, a line of transcript, a
flash message), never for a length of time.  How long they may wait is a
bound for a hung test, not a measure of speed, so it is generous: on a
busy machine a state can take many seconds to arrive.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
# Screenshots the browser tests save for a person to look at.
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
# Playwright's waits (actions, and expect() assertions), in milliseconds.
WAIT_MS = 60_000


def be_patient(sync_api) -> None:
    """Let ``expect`` wait as long as actions do (Playwright's own default is 5 s)."""
    sync_api.expect.set_options(timeout=WAIT_MS)


@contextmanager
def launched_chromium() -> Iterator[tuple[object, object]]:
    """Debian's Chromium under Playwright, patient: ``(browser, expect)``.
    Skips the test where either is missing."""
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed "
                                   "(make setup-dev; the browser is Debian's chromium)")
    be_patient(sync_api)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser, sync_api.expect
        finally:
            browser.close()


@contextmanager
def served_on_loopback(app) -> Iterator[str]:
    """``app`` served by a threaded development server on a free loopback port: its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=WAIT_MS / 1000)


def screenshot(page, name: str) -> None:
    """The whole page, saved as artifacts/NAME."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def sign_in_page(page, base: str, username: str, password: str) -> None:
    """Sign in to the console at ``base`` and wait for the start page."""
    page.goto(f"{base}/console/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/console/")
