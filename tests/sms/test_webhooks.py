"""Twilio's SMS webhooks, signed as Twilio signs them: inbound texts
(退订 / TD / STOP, 恢复 / START, 「查询 <case number>」) answered with TwiML
<Message>, and the delivery status of what the outbox sent."""
from __future__ import annotations

import json
import stat

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from sms import inbound
from sms.models import SmsOptOut
from sms.services import queue_message
from tests.support.caller import URBAN
from tests.support.factories import report
from tests.support.twiml import parse_messaging

CITIZEN = "+8613812345678"
NEIGHBOUR = "+8613912345678"


def text(webhooks, body: str, from_: str = CITIZEN):
    params = {"MessageSid": "SM" + "1" * 32, "SmsSid": "SM" + "1" * 32, "AccountSid": "AC" + "0" * 32,
              "From": from_, "To": URBAN, "Body": body, "NumMedia": "0", "NumSegments": "1",
              "ApiVersion": "2010-04-01"}
    return webhooks.post("/sms/incoming", params)


def replies(response) -> list[str]:
    assert response.status_code == 200 and response.mimetype == "text/xml"
    root = parse_messaging(response.data)
    assert root.tag == "Response" and all(child.tag == "Message" for child in root)
    return [child.text for child in root]


def opted_out(session, number: str) -> bool:
    session.expire_all()
    return session.scalar(select(SmsOptOut.id).where(SmsOptOut.phone_e164 == number)) is not None


@pytest.mark.parametrize("path", ["/sms/incoming", "/sms/status?message=1"])
def test_unsigned_or_forged_requests_are_refused(webhooks, path):
    assert webhooks.post(path, {"From": CITIZEN, "Body": "退订"}, signature="forged").status_code == 403
    assert webhooks.post(path, {"From": CITIZEN, "Body": "退订"}, signature="").status_code == 403


@pytest.mark.parametrize("word", ["退订", "TD", "STOP"])
def test_opting_out_stops_sms_and_cancels_what_is_owed(webhooks, session, clock, word):
    owed = queue_message(session, purpose="intake", purpose_key="intake:x", phone=CITIZEN, body="回执",
                         language="zh-CN", now=clock(), line_id="urban")
    session.commit()
    [reply] = replies(text(webhooks, word))
    assert ("退订" in reply) if word != "STOP" else ("no more SMS" in reply)
    assert opted_out(session, CITIZEN)
    session.refresh(owed)
    assert owed.status == "cancelled"
    assert queue_message(session, purpose="intake", purpose_key="intake:y", phone=CITIZEN, body="回执",
                         language="zh-CN", now=clock()) is None


def test_opting_back_in(webhooks, session):
    text(webhooks, "退订")
    [reply] = replies(text(webhooks, "恢复"))
    assert "恢复接收" in reply and not opted_out(session, CITIZEN)
    replies(text(webhooks, "STOP"))
    assert replies(text(webhooks, "START")) == ["You will receive SMS from this hotline again. Reply STOP to opt out."]


def test_the_complainant_asks_the_status_of_their_case(webhooks, session, config, clock):
    case = report(session, config, clock())
    session.commit()
    [reply] = replies(text(webhooks, f"查询 {case.number}"))
    assert reply == f"【泰州市数字城管“帮帮您”热线】案件{case.number}：已受理，正在等待核实立案。"


def test_nobody_else_learns_anything_about_the_case(webhooks, session, config, clock):
    case = report(session, config, clock())
    session.commit()
    [other] = replies(text(webhooks, f"查询 {case.number}", from_=NEIGHBOUR))
    [missing] = replies(text(webhooks, "查询 2001010001", from_=NEIGHBOUR))
    assert other == missing.replace("2001010001", case.number)
    assert "已受理" not in other and "井" not in other


def test_anything_else_gets_help_and_an_anonymous_sender_gets_no_reply(webhooks):
    [reply] = replies(text(webhooks, "你好"))
    assert "查询" in reply and "TD" in reply
    assert replies(text(webhooks, "退订", from_="anonymous")) == []


def test_delivery_status_is_recorded_and_never_moves_back(webhooks, session, clock):
    message = queue_message(session, purpose="intake", purpose_key="intake:x", phone=CITIZEN, body="回执",
                            language="zh-CN", now=clock(), line_id="urban")
    message.status, message.message_sid = "sent", "SM" + "2" * 32
    session.commit()

    def status(value: str, **extra):
        response = webhooks.post(f"/sms/status?message={message.id}",
                                 {"MessageSid": message.message_sid, "MessageStatus": value, **extra})
        assert response.status_code == 204
        session.refresh(message)
        return message.delivery_status

    assert status("sent") == "sent"
    assert status("undelivered", ErrorCode="30003") == "undelivered" and message.error_code == 30003
    assert status("sent") == "undelivered"


def test_a_status_callback_that_beats_the_rest_answer_marks_the_message_sent(webhooks, session, clock):
    message = queue_message(session, purpose="intake", purpose_key="intake:x", phone=CITIZEN, body="回执",
                            language="zh-CN", now=clock(), line_id="urban")
    message.status = "sending"
    session.commit()
    webhooks.post(f"/sms/status?message={message.id}", {"MessageSid": "SM" + "3" * 32, "MessageStatus": "queued"})
    session.refresh(message)
    assert (message.status, message.message_sid, message.delivery_status) == ("sent", "SM" + "3" * 32, "queued")


@pytest.mark.parametrize("extra", [{"MessageSid": "SM" + "4" * 200}, {"ErrorCode": "9" * 30},
                                   {"MessageStatus": "undelivered" * 20}])
def test_a_signed_status_callback_with_values_no_column_holds_is_no_server_error(webhooks, session, clock, extra):
    message = queue_message(session, purpose="intake", purpose_key="intake:x", phone=CITIZEN, body="回执",
                            language="zh-CN", now=clock(), line_id="urban")
    message.status = "sending"
    session.commit()
    response = webhooks.post(f"/sms/status?message={message.id}",
                             {"MessageSid": "SM" + "5" * 32, "MessageStatus": "undelivered", **extra})
    assert response.status_code < 500
    session.refresh(message)
    assert message.message_sid is None or len(message.message_sid) <= 64


# While the database is unavailable ------------------------------------------------------------------------------

def _down(*args, **kwargs):
    raise OperationalError("INSERT INTO sms_opt_out ...", {}, Exception("database is locked"))


def _spooled(app, kind: str) -> list[dict]:
    path = app.config["SETTINGS"].instance_dir / "spool" / f"{kind}.jsonl"
    if not path.exists():
        return []
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.parametrize("word, confirmed", [("退订", "您已退订本热线短信"), ("STOP", "no more SMS")])
def test_an_opt_out_during_an_outage_is_confirmed_kept_and_honoured_on_replay(app, webhooks, session, clock,
                                                                           monkeypatch, word, confirmed):
    owed = queue_message(session, purpose="intake", purpose_key="intake:x", phone=CITIZEN, body="回执",
                         language="zh-CN", now=clock(), line_id="urban")
    session.commit()
    monkeypatch.setattr(inbound, "answer_text", _down)
    [reply] = replies(text(webhooks, word))
    assert confirmed in reply
    [kept] = _spooled(app, "sms_incoming")
    assert kept["form"]["From"] == CITIZEN and kept["form"]["Body"] == word
    assert not opted_out(session, CITIZEN)
    session.commit()        # the test's reads end, as another process's would

    monkeypatch.undo()
    result = app.test_cli_runner().invoke(args=["spool", "replay"])
    assert result.exit_code == 0 and "replayed 1" in result.output, result.output
    assert opted_out(session, CITIZEN)
    session.refresh(owed)
    assert owed.status == "cancelled" and _spooled(app, "sms_incoming") == []


def test_a_status_query_during_an_outage_is_asked_to_try_again_and_not_kept(app, webhooks, monkeypatch):
    monkeypatch.setattr(inbound, "answer_text", _down)
    [reply] = replies(text(webhooks, "查询 2611300001"))
    assert reply == "系统繁忙，暂时无法查询，请稍后再发送，或拨打本热线。"
    [english] = replies(text(webhooks, "STATUS 2611300001"))
    assert english.startswith("We cannot look that up just now")
    assert _spooled(app, "sms_incoming") == []


def test_a_fault_that_is_no_outage_still_answers_the_citizen_and_keeps_nothing(app, webhooks, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(inbound, "answer_text", broken)
    [reply] = replies(text(webhooks, "退订"))
    assert reply.startswith("系统繁忙")
    assert _spooled(app, "sms_incoming") == []


def test_a_delivery_status_during_an_outage_is_spooled_and_replayed(app, webhooks, session, clock, monkeypatch):
    message = queue_message(session, purpose="intake", purpose_key="intake:x", phone=CITIZEN, body="回执",
                            language="zh-CN", now=clock(), line_id="urban")
    message.status, message.message_sid = "sent", "SM" + "4" * 32
    session.commit()
    monkeypatch.setattr(inbound, "record_status", _down)
    response = webhooks.post(f"/sms/status?message={message.id}",
                             {"MessageSid": message.message_sid, "MessageStatus": "delivered"})
    assert response.status_code == 204
    [kept] = _spooled(app, "sms_status")
    assert kept["args"] == {"message": str(message.id)}

    monkeypatch.undo()
    result = app.test_cli_runner().invoke(args=["spool", "replay"])
    assert result.exit_code == 0 and "replayed 1" in result.output, result.output
    session.refresh(message)
    assert message.delivery_status == "delivered"
