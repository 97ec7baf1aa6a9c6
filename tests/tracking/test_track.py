"""/track/ over HTTP: the right digits show the progress in plain words and
nothing personal; wrong digits and unknown numbers look the same; guessing
is throttled per address and per case number."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from config.settings import TrackingSettings

PERSONAL = ("张三", "李四", "13812345678", "5678", "下水道堵了", "路灯不亮", "门口")


def visible(response) -> str:
    """The page's text, without the form's echo of the typed case number."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<input[^>]*>", "", html)
    return re.sub(r"<[^>]+>", " ", html)


def test_the_right_digits_show_the_progress_department_and_expected_time(client, cases):
    sewer, _ = cases
    response = client.get(f"/track/?number={sewer}&last4=5678")
    text = visible(response)
    assert response.status_code == 200
    assert "已派遣到" in text and "has been sent to" in text
    assert "预计办结时间" in text and "2026-10" in text
    assert response.get_data(as_text=True).count("<li>") >= 3        # received, filed, sent
    for personal in PERSONAL:
        assert personal not in text, personal


def test_the_form_posts_with_its_token_and_shows_the_same(client, cases):
    _, lamp = cases
    page = client.get("/track/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/track/", data={"number": lamp, "last4": "5678", "csrf_token": token})
    assert response.status_code == 200 and "路灯" in visible(response)


def test_wrong_digits_and_an_unknown_case_are_the_same_page(client, cases):
    sewer, _ = cases
    wrong = client.get(f"/track/?number={sewer}&last4=1234")
    unknown = client.get("/track/?number=2610099999&last4=5678")
    assert wrong.status_code == unknown.status_code == 200
    assert visible(wrong) == visible(unknown)
    assert "没有查到相符的案件" in visible(wrong) and "已派遣" not in visible(wrong)


def test_answers_are_not_cached_and_carry_the_security_headers(client, cases):
    response = client.get(f"/track/?number={cases[0]}&last4=5678")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.fixture
def strict(app):
    app.config["SETTINGS"] = app.config["SETTINGS"].with_overrides(
        {"tracking": TrackingSettings(max_failures_per_address=4, max_failures_per_case=3,
                                      window=timedelta(minutes=30))})


def test_guessing_one_case_is_throttled_even_from_many_addresses(client, cases, strict, clock):
    sewer, _ = cases
    for n, address in enumerate(("10.0.0.1", "10.0.0.2", "10.0.0.3")):
        client.get(f"/track/?number={sewer}&last4=000{n}", environ_base={"REMOTE_ADDR": address})
    blocked = client.get(f"/track/?number={sewer}&last4=5678", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert blocked.status_code == 429 and "已派遣" not in visible(blocked)
    clock.moment += timedelta(minutes=31)
    assert client.get(f"/track/?number={sewer}&last4=5678").status_code == 200


def test_guessing_from_one_address_is_throttled_across_numbers(client, cases, strict):
    for n in range(4):
        client.get(f"/track/?number=261000000{n}&last4=1111", environ_base={"REMOTE_ADDR": "10.0.0.7"})
    blocked = client.get(f"/track/?number={cases[0]}&last4=5678", environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert blocked.status_code == 429
    other = client.get(f"/track/?number={cases[0]}&last4=5678", environ_base={"REMOTE_ADDR": "10.0.0.8"})
    assert other.status_code == 200 and "已派遣" in visible(other)


def test_the_empty_page_asks_for_the_number(client):
    response = client.get("/track/")
    assert response.status_code == 200 and "案件编号" in visible(response) and "Track a case" in visible(response)
