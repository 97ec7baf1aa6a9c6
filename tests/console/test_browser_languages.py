"""An English-speaking dispatcher in Chromium: the console opens in Chinese,
one click turns it into English, and the choice stays with the user after
signing out and in again.

Saves artifacts/console-english.png to look at.
"""
from __future__ import annotations

import pytest

from tests.support.browser import WAIT_MS, screenshot
from tests.support.browser import sign_in_page as sign_in

pytestmark = pytest.mark.browser


def test_an_english_speaking_user_switches_the_console_to_english_and_it_stays(chromium, served, users):
    browser, expect = chromium
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-US")
    page.set_default_timeout(WAIT_MS)
    sign_in(page, served, "disp1", users)
    # Chinese first, whatever the browser asks for.
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("header nav")).to_contain_text("案件")
    expect(page.locator(".signout button")).to_have_text("退出")

    page.click("form.language button[value=en_US]")
    expect(page.locator("html")).to_have_attribute("lang", "en-US")
    expect(page.locator("header nav")).to_contain_text("Cases")
    expect(page.locator(".signout button")).to_have_text("Sign out")
    expect(page.locator("form.language button[value=en_US]")).to_have_attribute("aria-pressed", "true")
    page.click("header nav a:has-text('Cases')")
    expect(page.locator("h1")).not_to_contain_text("案件")
    screenshot(page, "console-english.png")

    page.click(".signout button")
    page.wait_for_url(f"{served}/console/login")
    sign_in(page, served, "disp1", users)
    expect(page.locator("html")).to_have_attribute("lang", "en-US")
    expect(page.locator(".signout button")).to_have_text("Sign out")
