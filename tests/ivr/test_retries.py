"""Twilio retries webhooks and sends status callbacks twice or out of order:
nothing changes twice and the same TwiML comes back."""
from __future__ import annotations

from sqlalchemy import select

from call_log.models import Call as CallRow
from call_log.models import CallStatusEvent, IvrStep, Recording
from cases.models import Case


def status(webhooks, call, status, sequence, duration=None):
    params = {**call.base_params(), "CallStatus": status, "SequenceNumber": str(sequence),
              "Timestamp": "Fri, 09 Oct 2026 02:00:00 +0000"}
    if duration is not None:
        params["CallDuration"] = str(duration)
    response = webhooks.post("/voice/status", params)
    assert response.status_code == 204
    return response


def test_retried_incoming_webhook_returns_the_same_twiml_and_logs_one_call(new_call, session):
    call = new_call()
    call.dial()
    call.dial()
    assert call.responses[0] == call.responses[1]
    assert session.scalars(select(CallRow)).all().__len__() == 1


def test_retried_step_returns_the_same_twiml_and_changes_nothing(new_call, session):
    call = new_call()
    call.dial()
    action = call.action
    call.say("路灯不亮")
    first = call.responses[-1]
    call._follow(action, {"SpeechResult": "路灯不亮", "Confidence": "0.9"})
    assert call.responses[-1] == first
    logged = session.scalars(select(CallRow)).one()
    assert logged.ivr_step == 2
    assert len(session.scalars(select(IvrStep)).all()) == 2


def test_retried_final_step_creates_one_case(new_call, session):
    call = new_call()
    call.dial()
    call.say("路灯不亮")
    call.press("1")
    call.say("青年路")
    action = call.action
    call.press("1")
    call._follow(action, {"Digits": "1"})
    assert call.responses[-1] == call.responses[-2]
    assert len(session.scalars(select(Case)).all()) == 1


def test_stale_step_repeats_where_the_caller_is(new_call):
    call = new_call()
    call.dial()
    first_action = call.action
    call.press("1")                       # now at "describe"
    current = call.responses[-1]
    call._follow(first_action.replace("step=1", "step=7"), {})
    assert call.responses[-1] == current


def test_duplicate_status_callback_is_stored_once(new_call, webhooks, session):
    call = new_call()
    call.dial()
    status(webhooks, call, "completed", 3, duration=64)
    status(webhooks, call, "completed", 3, duration=64)
    assert len(session.scalars(select(CallStatusEvent)).all()) == 1
    logged = session.scalars(select(CallRow)).one()
    assert logged.status == "completed" and logged.duration_seconds == 64 and logged.ended_at is not None


def test_out_of_order_status_callbacks_keep_the_newest_status(new_call, webhooks, session):
    call = new_call()
    call.dial()
    status(webhooks, call, "completed", 2, duration=30)
    status(webhooks, call, "in-progress", 1)
    logged = session.scalars(select(CallRow)).one()
    assert logged.status == "completed" and logged.last_sequence == 2
    assert [e.sequence_number for e in logged.status_events] == [2, 1]


def test_status_callback_for_an_unseen_call_logs_it(new_call, webhooks, session):
    call = new_call(from_="+14155550123")
    status(webhooks, call, "no-answer", 0)
    logged = session.scalars(select(CallRow)).one()
    assert logged.status == "no-answer" and logged.caller_e164 == "+14155550123"
    assert logged.caller_region == "US"


def test_recording_callback_twice_keeps_one_recording(new_call, webhooks, session):
    call = new_call()
    call.dial()
    params = {**call.base_params(), "RecordingSid": "RE" + "a" * 32, "RecordingUrl": "https://x/RE",
              "RecordingStatus": "completed", "RecordingDuration": "9"}
    assert webhooks.post("/voice/recording", params).status_code == 204
    assert webhooks.post("/voice/recording", params).status_code == 204
    recording = session.scalars(select(Recording)).one()
    assert recording.duration_seconds == 9 and recording.call.call_sid == call.sid


def test_voicemail_recording_and_its_status_callback_share_one_row(new_call, webhooks, session, clock):
    clock.set_local(2026, 10, 9, 23, 0)              # no operators: voicemail
    call = new_call()
    call.dial()
    call.press("0")
    call.press("1")
    call.leave_recording(seconds=20)
    sid = session.scalars(select(Recording)).one().recording_sid
    params = {**call.base_params(), "RecordingSid": sid, "RecordingStatus": "completed",
              "RecordingDuration": "20", "RecordingUrl": "https://x/" + sid}
    webhooks.post("/voice/recording", params)
    assert len(session.scalars(select(Recording)).all()) == 1
    assert session.scalars(select(Case)).one().recording_id is not None


def test_a_status_callback_before_the_incoming_webhook_does_not_break_the_call(new_call, webhooks):
    """Twilio may post 'initiated' or 'ringing' to the status callback before the Voice URL."""
    call = new_call()
    assert webhooks.post("/voice/status", {**call.base_params(), "CallStatus": "ringing",
                                           "SequenceNumber": "0"}).status_code == 204
    call.dial()
    asked = call.say("西仓路银春旅馆门前有两个上水井盖丢失")
    assert "上水井盖" in asked.text and "抱歉" not in asked.text
