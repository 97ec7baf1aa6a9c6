"""The scheduler sends the outbox with ``messages.create``: From the line's
number (or through a Messaging Service), a signed StatusCallback, retries
with backoff on 429 and 5xx, no retry for a bad number, and never the same
SMS twice after a send was cut off."""
from __future__ import annotations

import dataclasses
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from sms.sender import SENDING_TIMEOUT, SendCounts
from sms.services import queue_message
from wiring import services

CITIZEN = "+8613812345678"


def owe(session, clock, body="【热线】您反映的问题已受理", key="intake:test", **details):
    message = queue_message(session, purpose="intake", purpose_key=key, phone=CITIZEN, body=body,
                            language="zh-CN", now=clock(), line_id="urban", **details)
    session.commit()
    return message


def test_a_due_message_is_sent_from_the_lines_number_with_a_status_callback(session, clock, twilio, send, outbox):
    owe(session, clock)
    counts = send()
    assert (counts.sent, counts.retried, counts.failed) == (1, 0, 0)
    [request] = [r for r in twilio.sent if r.url.endswith("/Messages.json")]
    assert request.method == "POST"
    assert {k: request.data[k] for k in ("To", "From", "Body")} == \
        {"To": CITIZEN, "From": "+8652388012319", "Body": "【热线】您反映的问题已受理"}
    [message] = outbox()
    callback = urlsplit(request.data["StatusCallback"])
    assert (callback.scheme, callback.netloc, callback.path) == ("https", "hotline.example.org", "/sms/status")
    assert parse_qs(callback.query) == {"message": [str(message.id)]}
    assert (message.status, message.message_sid, message.delivery_status, message.attempts) == \
        ("sent", twilio.messages[0]["_sid"], "queued", 1)
    assert send().sent == 0                                      # nothing is sent twice


def test_a_messaging_service_sends_instead_of_a_number(app, session, clock, twilio, send):
    sid = "MG" + "ab" * 16
    services(app).sms = dataclasses.replace(services(app).sms, messaging_service_sid=sid)
    owe(session, clock)
    send()
    [request] = [r for r in twilio.sent if r.url.endswith("/Messages.json")]
    assert request.data["MessagingServiceSid"] == sid and "From" not in request.data


def test_a_message_due_later_waits(session, clock, twilio, send, outbox):
    owe(session, clock, due=clock() + timedelta(minutes=10))
    assert send().sent == 0 and twilio.messages == []
    clock.moment = clock() + timedelta(minutes=10)
    assert send().sent == 1


def test_rate_limits_and_twilio_failures_are_retried_with_backoff(app, session, clock, twilio, send, outbox):
    delay = services(app).sms.retry_delay
    owe(session, clock)
    twilio.fail_next(429, 20429, "Too Many Requests")
    assert send().retried == 1
    [message] = outbox()
    assert (message.status, message.error_code, message.next_attempt_at) == \
        ("pending", 20429, clock() + delay(1))
    twilio.fail_next(503, 20503, "Service Unavailable")
    clock.moment = message.next_attempt_at
    assert send().retried == 1
    [message] = outbox()
    assert message.next_attempt_at == clock() + delay(2)
    clock.moment = message.next_attempt_at
    assert send().sent == 1
    assert outbox()[0].status == "sent" and outbox()[0].attempts == 3


def test_a_bad_number_fails_for_good_without_retrying(session, clock, twilio, send, outbox):
    owe(session, clock)
    twilio.fail_next(400, 21211, "The 'To' number is not a valid phone number.")
    assert send().failed == 1
    [message] = outbox()
    assert (message.status, message.error_code) == ("failed", 21211)
    clock.moment = clock() + timedelta(days=1)
    assert send().sent == 0 and twilio.messages == []


def test_a_message_that_keeps_meeting_5xx_gives_up_after_max_attempts(app, session, clock, twilio, send, outbox):
    services(app).sms = dataclasses.replace(services(app).sms, max_attempts=2)
    owe(session, clock)
    for _ in range(2):
        twilio.fail_next(500)
        send()
        clock.moment = clock() + timedelta(hours=3)
    [message] = outbox()
    assert (message.status, message.attempts) == ("failed", 2)


def test_a_send_cut_off_after_twilio_took_it_is_adopted_not_sent_again(session, clock, twilio, send, outbox):
    message = owe(session, clock)
    # The sender claimed it and died before Twilio's answer came back; Twilio had taken it.
    message.status, message.claimed_at, message.attempts = "sending", clock(), 1
    session.commit()
    sid = twilio.took_sms(CITIZEN, message.body)
    clock.moment = clock() + SENDING_TIMEOUT + timedelta(seconds=1)
    counts = send()
    assert (counts.settled, counts.sent) == (1, 0)
    [message] = outbox()
    assert (message.status, message.message_sid) == ("sent", sid)
    assert [r.method for r in twilio.sent if "/Messages" in r.url] == ["GET"]          # looked up, never resent


def test_a_send_cut_off_before_twilio_took_it_is_sent_once(session, clock, twilio, send, outbox):
    message = owe(session, clock)
    message.status, message.claimed_at, message.attempts = "sending", clock(), 1
    session.commit()
    twilio.took_sms(CITIZEN, "another message to the same number")
    clock.moment = clock() + SENDING_TIMEOUT + timedelta(seconds=1)
    counts = send()
    assert (counts.settled, counts.sent) == (1, 1)
    [message] = outbox()
    assert message.status == "sent" and message.message_sid == twilio.messages[-1]["_sid"]


def test_a_claim_not_yet_quiet_for_long_is_left_alone(session, clock, twilio, send, outbox):
    message = owe(session, clock)
    message.status, message.claimed_at = "sending", clock()
    session.commit()
    clock.moment = clock() + SENDING_TIMEOUT - timedelta(seconds=1)
    assert send() == SendCounts() and twilio.sent == []


def test_a_number_that_opted_out_after_queueing_gets_nothing(session, clock, twilio, send, outbox):
    from sms.models import SmsOptOut
    owe(session, clock)
    session.add(SmsOptOut(phone_e164=CITIZEN, created_at=clock(), source="test"))
    session.commit()
    assert send().sent == 0 and twilio.messages == []
    assert outbox()[0].status == "cancelled"
