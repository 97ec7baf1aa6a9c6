"""End-to-end tests: the service, the local carrier and a real browser."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.carrier.conftest import service  # noqa: F401  (the hotline behind the local carrier)
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, WAIT_MS, be_patient

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install playwright)")
be_patient(sync_api)
__all__ = ["WAIT_MS", "screenshot", "sync_api"]


@pytest.fixture
def browser():
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
