"""Operators: the live board, taking over a call, filing its case, transfer."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from accounts.models import AuditEntry
from call_log.models import Call as CallRow
from cases.models import Case
from tests.console.conftest import csrf_token
from tests.support.twilio_http import TwilioRest, call_resource
from tests.support.twiml import Document, parse
from wiring import services


@pytest.fixture
def twilio_http(app):
    http = TwilioRest()
    services(app).twilio_http_client = http
    services(app).twilio_client = None
    return http


@pytest.fixture
def live_call(new_call):
    call = new_call(from_="+8613912345678")
    call.dial()
    call.say("西仓路银春旅馆门前有两个上水井盖丢失")
    return call


def test_board_shows_a_live_call_with_what_the_caller_said(client, sign_in, live_call):
    sign_in("op1", language="en_US")
    calls = client.get("/console/board.json").get_json()["calls"]
    [row] = calls
    assert row["call_sid"] == live_call.sid and row["step"] == "confirming category"
    assert row["said"] == ["西仓路银春旅馆门前有两个上水井盖丢失"] and row["category_name"] == "上水井盖"
    assert row["caller"] == "+86*******5678"


def test_board_names_the_step_in_chinese_with_the_centre_s_clock(client, sign_in, live_call):
    sign_in("op1")
    board = client.get("/console/board.json").get_json()
    assert board["calls"][0]["step"] == "确认类别"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", board["at"])


def test_board_marks_a_repeat_caller_with_their_open_cases(client, sign_in, new_call):
    first = new_call(from_="+8613912345678")
    first.dial()
    first.say("路灯不亮")
    first.press("1")
    first.say("青年路")
    first.press("1")
    again = new_call(from_="+8613912345678")
    again.dial()
    sign_in("op1")
    [row] = [c for c in client.get("/console/board.json").get_json()["calls"] if c["call_sid"] == again.sid]
    assert len(row["open_cases"]) == 1


def test_board_page_and_data_need_an_operator(client, sign_in, live_call):
    assert client.get("/console/board.json").status_code == 302
    sign_in("drain1")
    assert client.get("/console/board").status_code == 403
    assert client.get("/console/board.json").status_code == 403


def test_no_full_phone_number_in_the_board(client, sign_in, live_call):
    sign_in("op1")
    assert "13912345678" not in client.get("/console/board").get_data(as_text=True)
    assert "13912345678" not in client.get("/console/board.json").get_data(as_text=True)


def test_taking_over_redirects_the_live_call_and_is_audited(client, sign_in, live_call, twilio_http, own_session):
    twilio_http.answers[f"/Calls/{live_call.sid}.json"] = (200, call_resource(live_call.sid))
    sign_in("op1")
    response = client.post(f"/console/calls/{live_call.sid}/takeover",
                           data={"csrf_token": csrf_token(client, "/console/board")})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/calls/{live_call.sid}/case")
    [sent] = twilio_http.sent
    assert sent.method == "POST" and sent.url.endswith(f"/Calls/{live_call.sid}.json")
    assert sent.data["Url"] == "https://hotline.example.org/voice/operator/connect?operator=op1"
    row = own_session.scalars(select(CallRow).where(CallRow.call_sid == live_call.sid)).one()
    assert row.operator == "op1" and row.operator_joined_at is not None
    entry = own_session.scalars(select(AuditEntry).where(AuditEntry.action == "takeover")).one()
    assert entry.actor == "user:op1" and entry.target == live_call.sid


def test_taking_over_a_call_that_ended_says_so_plainly(client, sign_in, live_call, twilio_http, own_session):
    sign_in("op1")      # no answer configured: the fake Twilio answers 404
    response = client.post(f"/console/calls/{live_call.sid}/takeover",
                           data={"csrf_token": csrf_token(client, "/console/board")}, follow_redirects=True)
    assert "has already ended" in response.get_data(as_text=True)
    assert own_session.scalars(select(AuditEntry)).all() == []


def test_takeover_needs_the_csrf_token(client, sign_in, live_call, twilio_http):
    sign_in("op1")
    assert client.post(f"/console/calls/{live_call.sid}/takeover").status_code == 400
    assert twilio_http.sent == []


def test_bridge_puts_the_caller_in_the_calls_conference_and_rings_the_operator_with_a_whisper(
        webhooks, live_call, users, twilio_http):
    response = webhooks.post("/voice/operator/connect?operator=op1", live_call.base_params())
    document = Document(parse(response.data))
    conference = document.root.find("Dial/Conference")
    assert conference.text == f"hotline-{live_call.sid}" and conference.get("participantLabel") == "caller"
    assert "转接话务员" in document.text
    [leg] = twilio_http.created
    assert leg["To"] == "client:op1" and "/voice/operator/whisper?call=" + live_call.sid in leg["Url"]
    whisper = Document(parse(webhooks.post(leg["Url"], {**live_call.base_params(), "CallSid": leg["_sid"]}).data))
    assert "西仓路银春旅馆门前有两个上水井盖丢失" in whisper.text and "5678" in "".join(whisper.root.itertext())
    assert whisper.root.find("Dial/Conference").text == f"hotline-{live_call.sid}"


def test_operator_files_the_prefilled_case(client, sign_in, live_call, own_session):
    sign_in("op1", language="en_US")
    page = client.get(f"/console/calls/{live_call.sid}/case").get_data(as_text=True)
    assert "西仓路银春旅馆门前有两个上水井盖丢失" in page and 'value="C0101" selected' in page
    response = client.post(f"/console/calls/{live_call.sid}/case", data={
        "csrf_token": csrf_token(client, f"/console/calls/{live_call.sid}/case"),
        "description": "西仓路银春旅馆门前两个上水井盖丢失", "location": "海陵区西仓路银春旅馆门前",
        "category_code": "C0101", "callback_number": "13912345678"}, follow_redirects=True)
    assert "it is now verifying" in response.get_data(as_text=True)
    case = own_session.scalars(select(Case)).one()
    assert case.location_text == "海陵区西仓路银春旅馆门前" and case.complainants[0].callback_number == "+8613912345678"
    assert case.status == "verifying"        # urgent: the inspector goes first
    assert own_session.scalars(select(AuditEntry).where(AuditEntry.action == "view_number")).first() is not None


def test_operator_form_refuses_a_case_without_a_place(client, sign_in, live_call, own_session):
    sign_in("op1")
    response = client.post(f"/console/calls/{live_call.sid}/case", data={
        "csrf_token": csrf_token(client, f"/console/calls/{live_call.sid}/case"),
        "description": "井盖丢失", "location": "", "category_code": "C0101", "callback_number": ""})
    assert "say where the problem is" in response.get_data(as_text=True)
    assert own_session.scalars(select(Case)).all() == []


def test_transfer_moves_the_caller_to_the_department_duty_number(client, sign_in, live_call, twilio_http,
                                                                  webhooks):
    twilio_http.answers[f"/Calls/{live_call.sid}.json"] = (200, call_resource(live_call.sid))
    sign_in("op1")
    client.post(f"/console/calls/{live_call.sid}/transfer", data={
        "csrf_token": csrf_token(client, f"/console/calls/{live_call.sid}/case"), "department": "WATER"})
    [sent] = twilio_http.sent
    assert "/voice/operator/transfer?department=WATER" in sent.data["Url"]
    document = Document(parse(webhooks.post(sent.data["Url"], live_call.base_params()).data))
    number = document.root.find("Dial/Number")
    assert number.text == "+8652386210001" and "/voice/operator/department-whisper" in number.get("url")


def test_answering_the_queue_dequeues_the_front_caller(client, sign_in, new_call, twilio_http, own_session):
    waiting = new_call()
    waiting.dial()
    waiting.press("0")
    queue_sid = "QU" + "1" * 32
    twilio_http.answers["/Queues.json"] = (200, {"queues": [{"sid": queue_sid, "friendly_name": "urban-operators",
                                                             "current_size": 1}],
                                                 "page": 0, "page_size": 50, "next_page_uri": None,
                                                 "uri": "/2010-04-01/Accounts/AC/Queues.json"})
    twilio_http.answers[f"/Queues/{queue_sid}/Members/Front.json"] = (200, {"call_sid": waiting.sid,
                                                                           "queue_sid": queue_sid, "position": 1})
    sign_in("op1")
    response = client.post("/console/queues/urban/answer", data={"csrf_token": csrf_token(client, "/console/board")})
    assert response.headers["Location"].endswith(f"/calls/{waiting.sid}/case")
    dequeue = twilio_http.sent[-1]
    assert dequeue.url.endswith(f"/Queues/{queue_sid}/Members/Front.json")
    assert dequeue.data["Url"].endswith("/voice/operator/connect?operator=op1")
    row = own_session.scalars(select(CallRow).where(CallRow.call_sid == waiting.sid)).one()
    assert row.queue_result == "answered" and row.operator == "op1"
