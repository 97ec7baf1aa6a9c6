"""The carrier's Messages resource, through the real twilio client: sending
an SMS with status callbacks signed like Twilio's, listing and fetching,
Twilio's refusals, and texts a party sends to one of the account's numbers,
answered with TwiML <Message>."""
from __future__ import annotations

import pytest
from twilio.base.exceptions import TwilioRestException

from carrier import IncomingNumber, ScriptedParty
from tests.carrier.support import CITIZEN_NUMBER
from tests.carrier.test_twilio_shapes import api, check, oai  # noqa: F401  (Twilio's OpenAPI description)

SMS_LINE = "+8652388012320"


@pytest.fixture
def sms_line(carrier, stand_in) -> str:
    carrier.add_number(IncomingNumber(SMS_LINE, stand_in.url("/voice"), sms_url=stand_in.url("/sms")))
    return SMS_LINE


def statuses(stand_in, path="/status") -> list[str]:
    return [seen.params["MessageStatus"] for seen in stand_in.seen(path)]


def test_an_sms_reaches_the_party_and_its_status_callbacks_come_in_order(carrier, twilio, stand_in, sms_line):
    citizen = carrier.directory.register(ScriptedParty(CITIZEN_NUMBER))
    sent = twilio.messages.create(to=CITIZEN_NUMBER, from_=sms_line, body="您的案件编号2610090001",
                                  status_callback=stand_in.url("/status"))
    assert (sent.sid[:2], sent.status, sent.direction, sent.num_segments) == ("SM", "queued", "outbound-api", "1")
    assert stand_in.wait_for(lambda: "delivered" in statuses(stand_in))
    assert statuses(stand_in) == ["sent", "delivered"]          # created queued: no callback for that
    assert citizen.received() == ["您的案件编号2610090001"]
    first = stand_in.seen("/status")[0]
    assert (first.params["MessageSid"], first.params["To"], first.params["From"]) == (sent.sid, CITIZEN_NUMBER,
                                                                                      sms_line)
    assert twilio.messages(sent.sid).fetch().status == "delivered"
    assert [m.sid for m in twilio.messages.list(to=CITIZEN_NUMBER)] == [sent.sid]
    assert twilio.messages.list(to="+8613900000009") == []


def test_an_undeliverable_number_ends_undelivered_with_30003(carrier, twilio, stand_in, sms_line):
    carrier.messages.undeliverable.add(CITIZEN_NUMBER)
    sent = twilio.messages.create(to=CITIZEN_NUMBER, from_=sms_line, body="回执",
                                  status_callback=stand_in.url("/status"))
    assert stand_in.wait_for(lambda: "undelivered" in statuses(stand_in))
    assert stand_in.seen("/status")[-1].params["ErrorCode"] == "30003"
    assert twilio.messages(sent.sid).fetch().error_code == 30003


def test_a_messaging_service_picks_the_sender(carrier, twilio, sms_line):
    service = carrier.messages.add_service(sms_line)
    sent = twilio.messages.create(to=CITIZEN_NUMBER, messaging_service_sid=service, body="回执")
    assert (sent.from_, sent.messaging_service_sid) == (sms_line, service)


@pytest.mark.parametrize("details, code", [
    ({"body": "回执"}, 21603),                                             # neither From nor a service
    ({"from_": SMS_LINE, "body": ""}, 21602),
    ({"from_": "+8652300000000", "body": "回执"}, 21606),                  # not the account's number
    ({"from_": SMS_LINE, "body": "长" * 1601}, 21617),
    ({"messaging_service_sid": "MG" + "0" * 32, "body": "回执"}, 21701),
])
def test_twilios_refusals(carrier, twilio, sms_line, details, code):
    with pytest.raises(TwilioRestException) as refused:
        twilio.messages.create(to=CITIZEN_NUMBER, **details)
    assert (refused.value.status, refused.value.code) == (400, code)
    assert carrier.messages.all() == []


def test_a_bad_to_number_is_21211(carrier, twilio, sms_line):
    with pytest.raises(TwilioRestException) as refused:
        twilio.messages.create(to="12345", from_=sms_line, body="回执")
    assert refused.value.code == 21211


def test_answers_have_twilios_shape(oai, carrier, sms_line):  # noqa: F811
    created = api(carrier, "/Messages.json", "POST", To=CITIZEN_NUMBER, From=sms_line, Body="回执")
    assert created.status_code == 201
    check(oai, "/2010-04-01/Accounts/{AccountSid}/Messages.json", "post", "201", created.json())
    fetched = api(carrier, f"/Messages/{created.json()['sid']}.json")
    check(oai, "/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json", "get", "200", fetched.json())
    listed = api(carrier, f"/Messages.json?To={CITIZEN_NUMBER}")
    check(oai, "/2010-04-01/Accounts/{AccountSid}/Messages.json", "get", "200", listed.json())


def test_a_party_texts_a_line_and_gets_the_applications_reply(carrier, stand_in, sms_line):
    stand_in.on("/sms", "<Response><Message>您已退订本热线短信</Message></Response>")
    citizen = carrier.directory.register(ScriptedParty(CITIZEN_NUMBER))
    inbound = carrier.messages.text_in(citizen, sms_line, "退订")
    assert carrier.messages.wait_until(lambda: len(carrier.messages.all()) == 2)
    [seen] = stand_in.seen("/sms")
    assert (seen.method, seen.params["From"], seen.params["To"], seen.params["Body"], seen.params["MessageSid"]) == \
        ("POST", CITIZEN_NUMBER, sms_line, "退订", inbound.sid)
    assert seen.signature_valid
    reply = carrier.messages.all()[-1]
    assert (reply.direction, reply.from_, reply.to) == ("outbound-reply", sms_line, CITIZEN_NUMBER)
    assert carrier.messages.wait_until(lambda: citizen.received() == ["您已退订本热线短信"])


def test_a_reply_is_read_with_the_twiml_check_and_what_twilio_would_warn_of_is_noted(carrier, stand_in, sms_line):
    # A voice verb in a messaging reply is skipped with a warning; the <Message> beside it is sent.
    stand_in.on("/sms", "<Response><Say>你好</Say><Message><Body>已收到</Body></Message></Response>")
    citizen = carrier.directory.register(ScriptedParty(CITIZEN_NUMBER))
    inbound = carrier.messages.text_in(citizen, sms_line, "你好")
    assert carrier.messages.wait_until(lambda: citizen.received() == ["已收到"])
    assert any("<Say>" in note for note in inbound.notes)


def test_a_reply_that_is_not_twiml_sends_nothing_and_says_why(carrier, stand_in, sms_line):
    stand_in.on("/sms", "<Response><Message>unclosed</Response>")
    citizen = carrier.directory.register(ScriptedParty(CITIZEN_NUMBER))
    inbound = carrier.messages.text_in(citizen, sms_line, "你好")
    assert carrier.messages.wait_until(lambda: any("12100" in note for note in inbound.notes))
    assert [m.direction for m in carrier.messages.all()] == ["inbound"]
