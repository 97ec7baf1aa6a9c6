"""The wallboard (/console/wallboard): today's call-centre figures so far, the queue and the seats,
over the hand-computed day of tests/reports/callcentre_day.py seen at 20:00 on 9 October 2026 in
Taizhou; and the page itself in a headless Chromium at 1920×1080, refreshed in place.

Saves artifacts/wallboard.png to look at.
"""
from __future__ import annotations

import pytest

from database import db
from tests.reports.callcentre_day import at, build_day, seat_states
from tests.support.browser import ARTIFACTS, WAIT_MS, screenshot
from tests.support.browser import sign_in_page as sign_in_browser


@pytest.fixture
def evening(app, clock, users):
    """The day up to 20:00 (call 12, at midnight, has not come yet), one caller waiting since 19:58,
    op1 available, op2 on a call and sup1 on a break."""
    clock.set_local(2026, 10, 9, 20, 0)
    with db.session_scope(app) as session:
        day = build_day(session, with_late_call=False)
        day.call(17, "urban", "E", at(19, 58), status="in-progress", last_seen=at(19, 59, 30))
        seat_states(session, day, {"op1": "available", "op2": "on_call", "sup1": "break"}, at(19, 0))
    return day


# By hand, for 9 October up to 20:00:
#   offered     calls 1–11, 15 and 17 (waiting now)                              = 13
#   answered    1, 2, 3, 4, 5, 10, 15                                              = 7
#   abandoned   6, 7, 9, 11                                                        = 4
#   refused     13 (queue full), 14 and 16 (closed), 15 (wait too long)            = 4
#   ≤ 15 s      1 (10 s), 2 (15 s), 5 (5 s), 10 (12 s), 15 (10 s) = 5 of 13 offered = 38.46%
#   wait        (10 + 15 + 40 + 60 + 5 + 12 + 10) / 7 = 152 / 7 = 21.71 s            → 0:22
#   handling    (300 + 240 + 600 + 120 + 120 + 180 + 120) / 7 = 1680 / 7 = 240 s    → 4:00
#   waiting now 1, since 19:58:00                                                  → 2:00
EXPECTED = {"offered": 13, "answered": 7, "abandoned": 4, "refused": 4, "average_wait": "0:22",
            "average_handling": "4:00", "waiting": 1, "longest_wait": "2:00",
            "refused_by_reason": {"closed": 2, "queue_full": 1, "wait_too_long": 1}}


def test_the_wallboards_figures_are_the_hand_computed_ones(client, sign_in, evening):
    sign_in("op1")
    data = client.get("/console/wallboard.json").get_json()
    assert {key: data[key] for key in EXPECTED} == EXPECTED
    assert data["answered_within_15s"] == {"percent": "38.46%", "numerator": 5, "denominator": 13}
    assert data["day"] == "2026-10-09" and data["at"] == "2026-10-09 20:00:00"
    assert data["longest_wait_seconds"] == 120
    assert data["seats"] == {"available": 1, "ringing": 0, "on_call": 1, "wrap_up": 0, "break": 1, "offline": 0}


@pytest.mark.parametrize("user, status", [("op1", 200), ("sup1", 200), ("disp1", 200), ("admin1", 200),
                                          ("drain1", 403), ("insp1", 403)])
def test_operators_supervisors_and_dispatchers_see_the_wallboard(client, sign_in, users, user, status):
    sign_in(user)
    assert client.get("/console/wallboard").status_code == status
    assert client.get("/console/wallboard.json").status_code == status


def test_signed_out_the_wallboard_asks_for_a_sign_in(client):
    assert client.get("/console/wallboard.json").status_code in (302, 401)


def test_an_empty_day_shows_dashes_not_errors(client, sign_in, users, clock):
    sign_in("sup1")
    data = client.get("/console/wallboard.json").get_json()
    assert data["offered"] == 0 and data["answered_within_15s"]["percent"] is None
    assert data["average_wait"] == "–" and data["longest_wait"] == "–" and data["waiting"] == 0


@pytest.mark.browser
def test_the_wallboard_on_a_wall_screen_shows_the_day_and_follows_it_live(app, chromium, served, evening,
                                                                         users, clock):
    browser, expect = chromium
    page = browser.new_page(viewport={"width": 1920, "height": 1080}, device_scale_factor=1)
    page.set_default_timeout(WAIT_MS)
    sign_in_browser(page, served, "sup1", users)
    page.goto(f"{served}/console/wallboard")
    expect(page.locator("body")).to_have_attribute("data-loaded", "yes")
    shown = {"offered": "13", "answered": "7", "abandoned": "4", "within": "38.46%", "wait": "0:22",
             "handling": "4:00", "waiting": "1", "longest": "2:00", "within_counts": "5 / 13", "refused": "4"}
    for key, text in shown.items():
        expect(page.locator(f'[data-k="{key}"]')).to_have_text(text)
    for state, count in (("available", "1"), ("on_call", "1"), ("break", "1"), ("offline", "0")):
        expect(page.locator(f'[data-seat="{state}"]')).to_have_text(count)
    # Chinese first, the English beside it.
    expect(page.locator("#tile-within h2")).to_have_text("15秒接通率 Answered within 15 s")
    expect(page.locator("#refused")).to_have_text("转人工被拒 Refused a person 4")
    expect(page.locator("h1")).to_have_text("话务大屏 Call-centre wallboard")
    # The whole board fits the screen: nothing scrolls.
    assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "wallboard.png")

    # The waiting caller is answered by op1 at 20:00:30 (30 s: 2:30 since joining); the page, not
    # reloaded, follows: 8 answered, nobody waiting, 5 of 13 still within 15 s.
    page.evaluate("window.kept = true")
    clock.set_local(2026, 10, 9, 20, 0, 40)
    with db.session_scope(app) as session:
        from call_log.models import Call
        call = session.get(Call, evening.calls[17].id)
        call.operator, call.operator_joined_at = "op1", at(20, 0, 30)
        call.queue_ended_at, call.queue_result = at(20, 0, 30), "answered"
    expect(page.locator('[data-k="answered"]')).to_have_text("8")
    expect(page.locator('[data-k="waiting"]')).to_have_text("0")
    expect(page.locator('[data-k="longest"]')).to_have_text("–")
    # Waits: 152 + 150 = 302 s over 8 = 37.75 s → 0:38.
    expect(page.locator('[data-k="wait"]')).to_have_text("0:38")
    assert page.evaluate("window.kept === true")


@pytest.mark.browser
def test_the_month_page_shows_the_call_centre_tables(app, chromium, served, evening, users, clock):
    """The report page's call-centre section, over the same evening: saves
    artifacts/report-call-centre.png."""
    browser, expect = chromium
    clock.set_local(2026, 11, 2, 9, 0)
    page = browser.new_page(viewport={"width": 1400, "height": 900}, device_scale_factor=1)
    page.set_default_timeout(WAIT_MS)
    sign_in_browser(page, served, "sup1", users)
    page.goto(f"{served}/console/reports/2026-10")
    section = page.locator("#call-centre")
    expect(section).to_be_visible()
    # The total row by line: 13 offered, 7 answered (53.85%), 4 abandoned, 5 within 15 s (38.46%),
    # 10 connected within 24 h (the seven answered; 6, 8 and 9 as in the full day) = 76.92%; 4
    # refused a person of the 16 who asked for one (1–11, 13–17) = 25.00%.
    total = section.locator("#table-calls-line tr.total")
    expect(total.locator('[data-indicator="answer_rate"] .pct')).to_have_text("53.85%")
    expect(total.locator('[data-indicator="answered_within_15s"] .pct')).to_have_text("38.46%")
    expect(total.locator('[data-indicator="connection_rate_24h"] .pct')).to_have_text("76.92%")
    expect(total.locator('[data-indicator="refusal_rate"] .pct')).to_have_text("25.00%")
    section.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    section.screenshot(path=str(ARTIFACTS / "report-call-centre.png"))
