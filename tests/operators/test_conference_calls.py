"""Calls bridged through a conference, with signed webhooks and the real
twilio client over the one REST double: an offer rings the operator (the
whisper, then the call's conference) while the caller waits in it; a
missed offer sends the caller back to the queue; the conference's status
callbacks keep who is in it; supervisors listen, coach and barge in; the
operator holds and warm-transfers.  Twilio's refusals are shown in words."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from accounts.models import User
from call_log.models import Call as CallRow
from call_log.twilio_rest import build_client
from database import db
from operators import seats as rules
from operators.services import OperatorUrls, take_over
from tests.support.conferences import (
    answered,
    available,
    double,
    event,
    in_conference,
    offered,
    one_pass,
    operator_leg,
    participants,
    seat,
)
from tests.support.twiml import Document, parse
from wiring import services


@pytest.fixture
def twilio_http(app):
    return double(app)


def operator(app, clock, username: str) -> None:
    available(app, clock, username)


# --- the bridge --------------------------------------------------------------------------------

def test_an_offer_rings_the_operator_while_the_caller_waits_in_the_calls_conference(
        app, new_call, clock, twilio_http, webhooks):
    operator(app, clock, "wang")
    call, document = offered(app, new_call, twilio_http, webhooks)

    conference = document.root.find("Dial/Conference")
    assert conference.text == f"hotline-{call.sid}"
    assert (conference.get("participantLabel"), conference.get("startConferenceOnEnter"),
            conference.get("endConferenceOnExit")) == ("caller", "false", "true")
    assert conference.get("waitUrl").endswith("/voice/operator/hold")
    assert conference.get("statusCallback").endswith("/voice/operator/conference")
    assert "转接话务员" in document.text
    leg = operator_leg(twilio_http)
    assert leg["Url"].endswith(f"/voice/operator/whisper?call={call.sid}")
    assert (leg["To"], str(leg["Timeout"])) == ("client:wang", str(services(app).config.seats.ring_seconds))
    assert leg["From"] == services(app).config.lines["urban"].number
    assert "/voice/operator/leg?" in leg["StatusCallback"]
    assert seat(app, "wang").state == rules.RINGING
    assert participants(app, call) == []       # the operator's leg is written down once it answers


def test_the_operator_hears_the_whisper_then_joins_the_same_conference(app, new_call, clock, twilio_http, webhooks):
    operator(app, clock, "wang")
    call, _ = offered(app, new_call, twilio_http, webhooks)
    whisper = answered(webhooks, call, twilio_http)

    assert "来电" in whisper.text
    conference = whisper.root.find("Dial/Conference")
    assert conference.text == f"hotline-{call.sid}"
    assert (conference.get("participantLabel"), conference.get("startConferenceOnEnter"),
            conference.get("endConferenceOnExit")) == ("operator", "true", "true")
    assert seat(app, "wang").state == rules.ON_CALL
    event(webhooks, call, "conference-start")
    event(webhooks, call, "participant-join", "caller", call.sid, 2)
    event(webhooks, call, "participant-join", "operator", operator_leg(twilio_http)["_sid"], 3)
    assert participants(app, call) == [("operator", "joined", "talk", False), ("caller", "joined", "talk", False)]
    with db.session_scope(app) as session:
        row = session.scalars(select(CallRow).where(CallRow.call_sid == call.sid)).one()
        assert (row.conference_name, row.conference_sid, row.operator) == (f"hotline-{call.sid}", "CF" + "c" * 32,
                                                                           "wang")


def test_an_operator_who_does_not_answer_is_marked_away_and_the_caller_goes_back_to_the_queue(
        app, new_call, clock, twilio_http, webhooks):
    operator(app, clock, "wang")
    clock.moment += timedelta(seconds=10)
    operator(app, clock, "li")
    call, _ = offered(app, new_call, twilio_http, webhooks)
    leg = operator_leg(twilio_http)
    clock.moment += timedelta(seconds=20)

    response = webhooks.post(leg["StatusCallback"], {**call.base_params(), "CallSid": leg["_sid"],
                                                     "CallStatus": "no-answer", "Direction": "outbound-api"})
    assert response.status_code == 204
    wang = seat(app, "wang")
    assert (wang.state, wang.reason, wang.call_sid) == (rules.BREAK, rules.NO_ANSWER, None)
    redirect = twilio_http.sent[-1]
    assert redirect.url.endswith(f"/Calls/{call.sid}.json") and redirect.data["Url"].endswith("/voice/operator/requeue")
    again = Document(parse(webhooks.post(redirect.data["Url"], call.base_params()).data))
    assert again.root.find("Enqueue").text == "urban-operators" and "话务员暂时未能接听" in again.text
    assert participants(app, call) == []       # Wang's leg never answered: no one was in the call
    # The caller had waited in the first conference; the next is a new one of the same name, counting afresh.
    event(webhooks, call, "participant-join", "caller", call.sid, 2)
    event(webhooks, call, "participant-leave", "caller", call.sid, 3)
    event(webhooks, call, "participant-join", "caller", call.sid, 1, ConferenceSid="CF" + "d" * 32)
    assert participants(app, call) == [("caller", "joined", "talk", False)]
    # The next pass offers the caller to the next operator.
    assert one_pass(app, twilio_http).offered == 1
    assert seat(app, "li").state == rules.RINGING


def test_a_caller_who_hung_up_before_the_operator_picked_up_is_said_to_have_gone(
        app, new_call, clock, twilio_http, webhooks):
    operator(app, clock, "wang")
    call, _ = offered(app, new_call, twilio_http, webhooks)
    webhooks.post("/voice/status", {**call.base_params(), "CallStatus": "completed", "SequenceNumber": "9"})
    whisper = answered(webhooks, call, twilio_http)
    assert "来电人已挂机" in whisper.text and whisper.hangs_up
    assert seat(app, "wang").state == rules.AVAILABLE


def test_the_operator_leaving_puts_the_seat_in_wrap_up_and_the_caller_hears_goodbye(
        app, new_call, clock, twilio_http, webhooks):
    operator(app, clock, "wang")
    call, document = offered(app, new_call, twilio_http, webhooks)
    leg = in_conference(webhooks, call, twilio_http)
    clock.moment += timedelta(minutes=3)
    event(webhooks, call, "participant-leave", "operator", leg, 4)
    assert (seat(app, "wang").state, seat(app, "wang").call_sid) == (rules.WRAP_UP, None)
    event(webhooks, call, "conference-end", sequence=5)
    assert [status for _, status, _, _ in participants(app, call)] == ["left", "left"]
    goodbye = webhooks.post(document.root.find("Dial").get("action"),
                            {**call.base_params(), "DialCallStatus": "completed"})
    assert Document(parse(goodbye.data)).hangs_up


def test_conference_callbacks_must_be_signed(client, new_call):
    response = client.post("/voice/operator/conference", data={"StatusCallbackEvent": "conference-end",
                                                               "FriendlyName": "hotline-CA1"})
    assert response.status_code == 403


def test_a_takeover_the_operator_does_not_answer_lets_the_caller_leave_a_message(
        app, new_call, clock, twilio_http, webhooks):
    operator(app, clock, "wang")
    call = new_call()
    call.dial()
    call.say("路灯不亮")
    with db.session_scope(app) as session:
        wang = session.scalars(select(User).where(User.username == "wang")).one()
        urls = OperatorUrls(connect=lambda name: f"https://hotline.example.org/voice/operator/connect?operator={name}",
                            transfer=lambda department, case: "")
        twilio_http.answers[f"/Calls/{call.sid}.json"] = (200, {"sid": call.sid, "status": "in-progress"})
        take_over(session, build_client(app.config["SETTINGS"], twilio_http), call.sid, wang, urls, clock())
    document = Document(parse(webhooks.post(twilio_http.sent[-1].data["Url"], call.base_params()).data))
    assert document.root.find("Dial/Conference").text == f"hotline-{call.sid}"
    assert seat(app, "wang").state == rules.ON_CALL
    leg = operator_leg(twilio_http)
    webhooks.post(leg["StatusCallback"], {**call.base_params(), "CallSid": leg["_sid"], "CallStatus": "busy"})
    assert (seat(app, "wang").state, seat(app, "wang").reason) == (rules.WRAP_UP, rules.NO_ANSWER)
    requeue = twilio_http.sent[-1].data["Url"]
    assert requeue.endswith("/voice/operator/requeue")
    message = Document(parse(webhooks.post(requeue, call.base_params()).data))
    assert message.record is not None
