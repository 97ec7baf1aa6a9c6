"""The report page in a real headless Chromium, over a year of cases: a screenshot to look at.

Saves artifacts/report-page.png (the whole page) and artifacts/report-notice.png (a department's
printable notice).
"""
from __future__ import annotations

import random
from datetime import datetime, timezone
from pathlib import Path

import pytest

from database import db
from routing.periods import trailing_months
from tests.reports.histories import fill_month
from tests.support.browser import WAIT_MS

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


@pytest.fixture
def a_year_of_cases(app, config, clock):
    """Twelve months of cases up to October 2026, seen on 5 November."""
    clock.set_local(2026, 11, 5, 9, 0)
    rng = random.Random(2026)
    until = datetime(2026, 11, 5, 1, 0, tzinfo=timezone.utc)
    with db.session_scope(app) as session:
        for number, period in enumerate(trailing_months("2026-10", 12)):
            # More cases as the hotline becomes known, as Taizhou saw.
            fill_month(session, config, period.label, 14 + 2 * number, rng, until)


def sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/console/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/console/")


def test_report_page_shows_the_ranking_the_hotline_and_legible_trend_charts(chromium, served, users, a_year_of_cases):
    browser, _expect = chromium
    page = browser.new_page(viewport={"width": 1400, "height": 900}, device_scale_factor=1)
    page.set_default_timeout(WAIT_MS)
    sign_in(page, served, "sup1", users)
    page.goto(f"{served}/console/reports/2026-10")
    assert page.locator("h1").inner_text().startswith("月度考核")
    assert page.locator("#table-departments tbody tr").count() >= 3
    charts = page.locator("figure.chart svg")
    assert charts.count() == 8
    # Each chart draws a line per series and a target line, with its title and month labels.
    first = charts.nth(0)
    assert first.locator("title").first.text_content() == "立案率"
    assert first.locator("polyline").count() >= 2
    assert first.locator("line.target").count() == 1
    assert "10月" in first.locator("g.months").text_content()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-page.png"), full_page=True)
    page.screenshot(path=str(ARTIFACTS / "report-top.png"))
    page.locator("#table-departments").screenshot(path=str(ARTIFACTS / "report-ranking.png"))
    page.locator("figure.chart").nth(2).screenshot(path=str(ARTIFACTS / "report-chart.png"))
    page.locator("#trends").screenshot(path=str(ARTIFACTS / "report-trends.png"))

    department = page.locator(".report-actions a[href*='/notice/']").first.get_attribute("href")
    page.goto(served + department)
    assert "月度考核通报" in page.locator("h1").inner_text()
    page.emulate_media(media="print")
    page.screenshot(path=str(ARTIFACTS / "report-notice.png"), full_page=True)
    page.close()
