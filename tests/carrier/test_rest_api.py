"""The REST API, through the real ``twilio`` client pointed at the carrier."""
from __future__ import annotations

from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from carrier import LivePhone, ScriptedParty, answering_machine, press
from carrier.actions import Pickup
from tests.carrier.support import ACCOUNT_SID, AUTH_TOKEN, CITIZEN_NUMBER, finished, heard

CALLBACK_EVENTS = ["initiated", "ringing", "answered", "completed"]


def rest_error(call) -> TwilioRestException:
    with pytest.raises(TwilioRestException) as caught:
        call()
    return caught.value


# --- errors ---------------------------------------------------------------------------

def test_creating_a_call_without_to_is_error_21201(twilio, line):
    error = rest_error(lambda: twilio.calls.create(to="", from_=line, url="https://x.example/voice"))
    assert (error.status, error.code) == (400, 21201)


def test_creating_a_call_without_instructions_is_error_21205(twilio, line):
    error = rest_error(lambda: twilio.calls.create(to=CITIZEN_NUMBER, from_=line))
    assert (error.status, error.code) == (400, 21205)


def test_calling_from_a_number_the_account_does_not_have_is_error_21210(twilio, line):
    error = rest_error(lambda: twilio.calls.create(to=CITIZEN_NUMBER, from_="+8613900000000", twiml="<Response/>"))
    assert (error.status, error.code) == (400, 21210)


def test_a_wrong_auth_token_is_error_20003(carrier):
    intruder = Client(ACCOUNT_SID, "not-the-token")
    intruder.api.base_url = carrier.api_base_url
    error = rest_error(lambda: intruder.calls("CA" + "0" * 32).fetch())
    assert (error.status, error.code) == (401, 20003)


def test_an_unknown_call_is_error_20404(twilio):
    error = rest_error(lambda: twilio.calls("CA" + "0" * 32).fetch())
    assert (error.status, error.code) == (404, 20404)


def test_errors_are_shaped_like_twilios(carrier):
    response = requests.post(f"{carrier.api_base_url}/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json",
                             data={"From": "+8652388012319"}, auth=(ACCOUNT_SID, AUTH_TOKEN), timeout=5)
    assert response.status_code == 400
    assert response.json() == {"code": 21201, "message": "No 'To' number is specified",
                               "more_info": "https://www.twilio.com/docs/errors/21201", "status": 400}


def test_parameters_it_cannot_honour_are_refused_not_ignored(twilio, line):
    error = rest_error(lambda: twilio.calls.create(to=CITIZEN_NUMBER, from_=line, application_sid="AP" + "0" * 32))
    assert (error.status, error.code) == (501, None)


def test_redirecting_a_finished_call_is_error_21220(carrier, twilio, stand_in, line):
    stand_in.on("/voice", "<Response/>")
    call = finished(carrier.call_in(ScriptedParty(CITIZEN_NUMBER), line))
    error = rest_error(lambda: twilio.calls(call.sid).update(url=stand_in.url("/voice")))
    assert (error.status, error.code) == (400, 21220)


# --- outbound calls: answered, busy, no answer, machine -------------------------------------

def place(twilio, stand_in, line, to, **options):
    return twilio.calls.create(to=to, from_=line, url=stand_in.url("/outbound"),
                               status_callback=stand_in.url("/progress"), status_callback_event=CALLBACK_EVENTS,
                               **options)


def progress(stand_in, call_sid: str) -> list[tuple[str, str]]:
    return [(s.params["SequenceNumber"], s.params["CallStatus"])
            for s in stand_in.seen("/progress") if s.params["CallSid"] == call_sid]


def test_an_answered_call_runs_its_twiml_with_every_status_callback(carrier, twilio, stand_in, line):
    complainant = carrier.directory.register(ScriptedParty(CITIZEN_NUMBER, press("1")))
    stand_in.on("/outbound", '<Response><Gather numDigits="1" action="/survey"><Say>满意请按1</Say></Gather>'
                             '</Response>')
    stand_in.on("/survey", "<Response><Say>谢谢</Say></Response>")
    created = place(twilio, stand_in, line, CITIZEN_NUMBER)
    assert (created.status, created.direction, created.to, created._from) == \
        ("queued", "outbound-api", CITIZEN_NUMBER, line)
    call = finished(carrier.call(created.sid))
    assert heard(complainant) == ["满意请按1", "谢谢"]
    assert stand_in.seen("/survey")[0].params["Digits"] == "1"
    assert progress(stand_in, created.sid) == \
        [("0", "initiated"), ("1", "ringing"), ("2", "in-progress"), ("3", "completed")]
    fetched = twilio.calls(created.sid).fetch()
    assert (fetched.status, fetched.duration, fetched.answered_by) == ("completed", str(call.duration), None)


@pytest.mark.parametrize("pickup, status", [(Pickup.BUSY, "busy"), (Pickup.NO_ANSWER, "no-answer")])
def test_an_unanswered_call_reports_why(carrier, twilio, stand_in, line, pickup, status):
    complainant = carrier.directory.register(ScriptedParty(CITIZEN_NUMBER, pickup=pickup))
    created = place(twilio, stand_in, line, CITIZEN_NUMBER)
    finished(carrier.call(created.sid))
    assert progress(stand_in, created.sid) == [("0", "initiated"), ("1", "ringing"), ("2", status)]
    assert stand_in.seen("/outbound") == [] and heard(complainant) == []
    assert twilio.calls(created.sid).fetch().status == status


@pytest.mark.parametrize("mode, answered_by", [("Enable", "machine_start"), ("DetectMessageEnd", "machine_end_beep")])
def test_an_answering_machine_is_detected_when_asked(carrier, twilio, stand_in, line, mode, answered_by):
    carrier.directory.register(answering_machine(CITIZEN_NUMBER))
    stand_in.on("/outbound", "<Response><Say>这里是泰州数字城管，您反映的问题已处理。</Say></Response>")
    created = place(twilio, stand_in, line, CITIZEN_NUMBER, machine_detection=mode)
    finished(carrier.call(created.sid))
    assert stand_in.seen("/outbound")[0].params["AnsweredBy"] == answered_by
    completed = [s.params for s in stand_in.seen("/progress") if s.params["CallStatus"] == "completed"]
    assert completed[0]["AnsweredBy"] == answered_by
    assert twilio.calls(created.sid).fetch().answered_by == answered_by


def test_a_machine_without_detection_is_just_answered(carrier, twilio, stand_in, line):
    carrier.directory.register(answering_machine(CITIZEN_NUMBER))
    stand_in.on("/outbound", "<Response><Say>留言</Say></Response>")
    created = place(twilio, stand_in, line, CITIZEN_NUMBER)
    finished(carrier.call(created.sid))
    assert "AnsweredBy" not in stand_in.seen("/outbound")[0].params
    assert progress(stand_in, created.sid)[-1] == ("3", "completed")


def test_a_number_nobody_answers_on_the_carrier_fails(carrier, twilio, stand_in, line):
    created = place(twilio, stand_in, line, "+8613900000001")
    finished(carrier.call(created.sid))
    assert progress(stand_in, created.sid) == [("0", "initiated"), ("1", "failed")]


def test_only_the_completed_event_is_sent_unless_others_are_asked_for(carrier, twilio, stand_in, line):
    carrier.directory.register(ScriptedParty(CITIZEN_NUMBER))
    created = twilio.calls.create(to=CITIZEN_NUMBER, from_=line, twiml="<Response><Say>hi</Say></Response>",
                                  status_callback=stand_in.url("/progress"))
    finished(carrier.call(created.sid))
    [only] = stand_in.seen("/progress")
    assert (only.params["SequenceNumber"], only.params["CallStatus"], only.params["CallbackSource"]) == \
        ("0", "completed", "call-progress-events")
    assert parsedate_to_datetime(only.params["Timestamp"]).utcoffset() == timedelta(0)
    assert only.params["CallDuration"].isdigit()


def test_an_incoming_call_reports_completion_to_the_numbers_status_callback(carrier, stand_in, line):
    stand_in.on("/voice", "<Response><Say>hi</Say></Response>")
    call = finished(carrier.call_in(ScriptedParty(CITIZEN_NUMBER), line))
    statuses = stand_in.seen("/status")
    assert [(s.params["CallSid"], s.params["CallStatus"], s.params["SequenceNumber"]) for s in statuses] \
        == [(call.sid, "completed", "0")]


# --- live calls ----------------------------------------------------------------------------

def test_a_live_call_is_redirected_by_update(carrier, twilio, stand_in, line):
    stand_in.on("/voice", '<Response><Gather action="/menu"><Say>请按键</Say></Gather></Response>')
    stand_in.on("/operator", "<Response><Say>接线员为您服务</Say></Response>")
    person = LivePhone(CITIZEN_NUMBER)
    call = carrier.call_in(person, line)
    assert carrier.wait_until(lambda: any(e.text == "请按键" for e in call.entries("heard")))
    updated = twilio.calls(call.sid).update(url=stand_in.url("/operator"), method="POST")
    assert updated.sid == call.sid
    finished(call)
    assert stand_in.seen("/menu") == []
    assert stand_in.seen("/operator")[0].params["CallStatus"] == "in-progress"
    assert [e.text for e in call.entries("heard")] == ["请按键", "接线员为您服务"]


def test_a_live_call_takes_inline_twiml(carrier, twilio, stand_in, line):
    stand_in.on("/voice", '<Response><Gather action="/menu"><Say>请按键</Say></Gather></Response>')
    call = carrier.call_in(LivePhone(CITIZEN_NUMBER), line)
    assert carrier.wait_until(lambda: bool(call.entries("heard")))
    twilio.calls(call.sid).update(twiml='<Response><Say>系统维护，再见</Say><Hangup/></Response>')
    finished(call)
    assert [e.text for e in call.entries("heard")] == ["请按键", "系统维护，再见"]


def test_a_live_call_is_hung_up_by_update(carrier, twilio, stand_in, line):
    stand_in.on("/voice", '<Response><Gather action="/menu"><Say>请按键</Say></Gather></Response>')
    call = carrier.call_in(LivePhone(CITIZEN_NUMBER), line)
    assert carrier.wait_until(lambda: bool(call.entries("heard")))
    twilio.calls(call.sid).update(status="completed")
    finished(call)
    assert call.status == "completed"
    assert [c.params["CallStatus"] for c in stand_in.seen("/status")] == ["completed"]


def test_a_ringing_call_can_be_canceled(carrier, twilio, stand_in, line):
    carrier.directory.register(LivePhone(CITIZEN_NUMBER))       # rings until someone picks up
    created = place(twilio, stand_in, line, CITIZEN_NUMBER)
    assert carrier.wait_until(lambda: carrier.call(created.sid).status == "ringing")
    twilio.calls(created.sid).update(status="canceled")
    finished(carrier.call(created.sid))
    assert progress(stand_in, created.sid) == [("0", "initiated"), ("1", "ringing"), ("2", "canceled")]


def test_calls_are_listed_and_filtered(carrier, twilio, stand_in, line):
    stand_in.on("/voice", "<Response/>")
    first = finished(carrier.call_in(ScriptedParty(CITIZEN_NUMBER), line))
    second = finished(carrier.call_in(ScriptedParty("+8613900000002"), line))
    assert [c.sid for c in twilio.calls.list()] == [second.sid, first.sid]
    assert [c.sid for c in twilio.calls.list(from_=CITIZEN_NUMBER)] == [first.sid]
    assert [c.sid for c in twilio.calls.list(page_size=1)] == [second.sid, first.sid]
