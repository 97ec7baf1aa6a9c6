"""Operators set their state on the live board; the board shows every seat
with its state and since when (the centre's clock); becoming available
offers them the caller waiting longest at once."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from operators.models import SeatChange
from tests.console.conftest import csrf_token
from tests.support.twilio_http import TwilioRest
from wiring import services

QUEUE_SID = "QU" + "2" * 32


@pytest.fixture
def twilio_http(app):
    http = TwilioRest()
    http.answers["/Queues.json"] = (200, {
        "queues": [{"sid": QUEUE_SID, "friendly_name": "urban-operators", "current_size": 1}],
        "uri": "/Queues.json", "first_page_uri": "/Queues.json", "next_page_uri": None, "previous_page_uri": None,
        "page": 0, "page_size": 50, "start": 0, "end": 0})
    services(app).twilio_http_client = http
    services(app).twilio_client = None
    return http


def set_state(client, state: str):
    return client.post("/console/seat", data={"state": state, "csrf_token": csrf_token(client, "/console/board")})


def seats_of(client) -> dict:
    return {row["username"]: row for row in client.get("/console/board.json").get_json()["seats"]}


def test_every_seat_is_on_the_board_with_its_state_in_chinese(client, sign_in):
    sign_in("op1")
    seats = seats_of(client)
    assert set(seats) == {"op1", "sup1"}               # the people who answer calls
    assert seats["op1"]["state_label"] == "离线" and seats["sup1"]["lines"] == []


def test_an_operator_becomes_available_then_takes_a_break(client, sign_in, clock, own_session):
    sign_in("op1")
    assert set_state(client, "available").status_code == 302
    board = client.get("/console/board.json").get_json()
    assert (board["me"]["state"], board["me"]["state_label"]) == ("available", "空闲")
    assert board["me"]["since"] == "2026-10-09 10:00:00"          # the centre's clock, Asia/Shanghai
    clock.moment += timedelta(minutes=20)
    set_state(client, "break")
    me = client.get("/console/board.json").get_json()["me"]
    assert (me["state_label"], me["since"]) == ("小休", "2026-10-09 10:20:00")
    history = [(c.previous, c.state, c.by) for c in own_session.scalars(select(SeatChange).order_by(SeatChange.id))]
    assert history == [("offline", "available", "op1"), ("available", "break", "op1")]


def test_a_state_the_operator_cannot_choose_is_refused(client, sign_in):
    sign_in("op1")
    response = set_state(client, "on_call")
    assert response.status_code == 302
    page = client.get("/console/board").get_data(as_text=True)
    assert "现在无法切换到该状态。" in page
    assert seats_of(client)["op1"]["state"] == "offline"


def test_becoming_available_offers_the_caller_waiting_longest_at_once(client, sign_in, new_call, twilio_http):
    caller = new_call(from_="+8613912345678")
    caller.dial()
    caller.press("0")
    twilio_http.answers[f"/Members/{caller.sid}.json"] = (200, {"call_sid": caller.sid, "queue_sid": QUEUE_SID})
    sign_in("op1")
    set_state(client, "available")
    [post] = [s for s in twilio_http.sent if s.method == "POST" and "/Members/" in s.url]
    assert post.url.endswith(f"/Queues/{QUEUE_SID}/Members/{caller.sid}.json")
    assert parse_qs(urlsplit(post.data["Url"]).query)["operator"] == ["op1"]
    me = client.get("/console/board.json").get_json()["me"]
    assert (me["state"], me["state_label"]) == ("ringing", "振铃")


def test_skills_are_set_and_shown_with_the_user_command(app, users):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["user", "skills", "op1", "--lines", "urban", "--languages", "zh-CN,en-US"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "op1: lines urban; languages en-US, zh-CN"
    shown = runner.invoke(args=["user", "seats"])
    [line] = [row for row in shown.output.splitlines() if row.startswith("op1\t")]
    assert "offline" in line and "lines urban" in line and "languages en-US,zh-CN" in line
    refused = runner.invoke(args=["user", "skills", "op1", "--lines", "nowhere"])
    assert refused.exit_code != 0 and "no such line: nowhere" in refused.output
