"""A caller owed a queue or missed-call callback who gets through to a
person before it is placed is not called back: bridged by a <Dial><Queue>,
answered from the queue in the console, or taken over in the console."""
from __future__ import annotations

import pytest

from accounts.services import create_user
from callbacks.models import Callback
from callbacks.services import request_call_back
from operators.services import OperatorUrls, answer_next, take_over
from tests.callbacks.conftest import later
from tests.support.twilio_http import TwilioRest, call_resource

A = "+8613812345678"
URLS = OperatorUrls(connect=lambda operator: f"https://hotline.example.org/voice/operator/connect?operator={operator}",
                    transfer=lambda department, case: "https://hotline.example.org/voice/operator/transfer")


@pytest.fixture
def operator(session):
    user = create_user(session, "op1", "operator password 1", "operator", device="client:op1",
                       hash_method="pbkdf2:sha256:1000")
    session.commit()
    return user


@pytest.fixture
def console_twilio():
    """The operators' Twilio client, over a transport that answers them."""
    from twilio.rest import Client

    http = TwilioRest()
    return http, Client("AC" + "0" * 32, "token", http_client=http)


def owe_missed(session, config, clock) -> Callback:
    callback = request_call_back(session, config, purpose="missed", phone_e164=A, line_id="urban",
                                 origin_call_id=None, language=None, now=clock())
    session.commit()
    return callback


def status_of(session, callback) -> tuple[str, str | None]:
    session.expire_all()
    row = session.get(Callback, callback.id)
    return row.status, row.last_result


def test_a_caller_answered_from_the_queue_in_the_console_is_not_called_back(
        session, config, clock, twilio, dispatch, new_call, operator, console_twilio):
    callback = owe_missed(session, config, clock)
    later(clock, minutes=1)
    again = new_call(from_=A)
    again.dial()
    again.press("0")                                            # waiting for a person again
    http, client = console_twilio
    queue_sid = "QU" + "1" * 32
    http.answers["/Queues.json"] = (200, {"queues": [{"sid": queue_sid, "friendly_name": "urban-operators"}],
                                          "page": 0, "page_size": 50, "uri": "/Queues.json",
                                          "first_page_uri": "/Queues.json", "next_page_uri": None,
                                          "previous_page_uri": None, "start": 0, "end": 0})
    http.answers["/Members/Front.json"] = (200, {"call_sid": again.sid, "queue_sid": queue_sid, "position": 1})
    answer_next(session, client, config, "urban", operator, URLS, clock())
    session.commit()
    later(clock, minutes=10)
    counts = dispatch()
    assert counts.dropped == 1 and twilio.created == []
    assert status_of(session, callback) == ("cancelled", "caller_got_through")


def test_a_caller_taken_over_in_the_console_is_not_called_back(session, config, clock, twilio, dispatch, new_call,
                                                                operator, console_twilio):
    callback = owe_missed(session, config, clock)
    later(clock, minutes=1)
    again = new_call(from_=A)
    again.dial()
    again.say("我刚才打过电话，路灯还是不亮")
    http, client = console_twilio
    http.answers[f"/Calls/{again.sid}.json"] = (200, call_resource(again.sid))
    take_over(session, client, again.sid, operator, URLS, clock())
    session.commit()
    later(clock, minutes=10)
    assert dispatch().dropped == 1 and twilio.created == []
    assert status_of(session, callback) == ("cancelled", "caller_got_through")


def test_an_operator_who_joined_before_the_callback_was_owed_does_not_cancel_it(
        session, config, clock, twilio, dispatch, new_call, operator, console_twilio):
    earlier = new_call(from_=A)
    earlier.dial()
    http, client = console_twilio
    http.answers[f"/Calls/{earlier.sid}.json"] = (200, call_resource(earlier.sid))
    take_over(session, client, earlier.sid, operator, URLS, clock())
    session.commit()
    later(clock, minutes=1)
    owe_missed(session, config, clock)
    later(clock, minutes=10)
    assert dispatch().placed == 1 and [c["To"] for c in twilio.created] == [A]


def test_a_caller_still_waiting_is_called_back(session, config, clock, twilio, dispatch, new_call):
    owe_missed(session, config, clock)
    later(clock, minutes=1)
    again = new_call(from_=A)
    again.dial()
    again.press("0")
    later(clock, minutes=10)
    assert dispatch().placed == 1
