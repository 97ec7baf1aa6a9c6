"""Signed webhooks with values Twilio never sends (control characters, numbers
too big for any column, endless text) still get an answer, never a 500, and
every TwiML answer is well-formed XML: what is spoken carries no C0 controls."""
from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlalchemy import select

from call_log.models import Call as CallRow
from call_log.models import CallStatusEvent
from cases.services import NewCase, open_case
from config.catalog import PromptSet
from ivr.prompts import Segment, Utterance
from ivr.twiml import render_whisper, speakable
from tests.support.twiml import Document, parse
from wiring import services

CONTROLS = "\x00\x01\x08\x0b\x0c\x1f"


def test_speakable_drops_c0_controls_and_turns_line_breaks_into_spaces():
    assert speakable("西仓路\x01银春\x0b旅馆\x00门前\t两个\r\n井盖") == "西仓路银春旅馆门前 两个  井盖"
    assert speakable("\ud800\ufffe\uffff") == ""


def test_a_whisper_of_words_with_control_characters_is_well_formed(app):
    prompts: dict[str, PromptSet] = services(app).config.prompts
    words = Utterance("zh-CN", (Segment("来电人说：西仓路" + CONTROLS + "井盖丢失"), Segment("26\x0b10", digits=True)))
    document = parse(render_whisper([words], prompts))
    assert "".join(document.itertext()) == "来电人说：西仓路井盖丢失2610"


def test_speech_with_control_characters_reaches_the_operator_whisper_as_well_formed_twiml(new_call, webhooks):
    call = new_call()
    call.dial()
    call.say("西仓路" + CONTROLS + "银春旅馆门前有两个上水井盖丢失")
    answer = webhooks.post(f"/voice/operator/whisper?call={call.sid}", {**call.base_params(), "CallStatus": "ringing"})
    assert answer.status_code == 200
    assert "西仓路银春旅馆门前有两个上水井盖丢失" in Document(parse(answer.data)).text


def test_a_place_typed_with_control_characters_reaches_the_department_whisper_as_well_formed_twiml(
        app, session, clock, new_call, webhooks):
    config = services(app).config
    case = open_case(session, config, NewCase(
        line_id="urban", channel="console", description="下水道堵了", location="海陵北路\x0b十八亩\x0150号",
        category_code=next(iter(config.categories)), caller_e164=None, callback_number=None), clock())
    session.commit()
    call = new_call()
    answer = webhooks.post(f"/voice/operator/department-whisper?case={case.number}", call.base_params())
    assert answer.status_code == 200
    assert "海陵北路十八亩50号" in Document(parse(answer.data)).text


@pytest.mark.parametrize("params", [
    {"SequenceNumber": "9" * 30}, {"SequenceNumber": "-1"}, {"CallDuration": "99999999999999999999"},
    {"CallStatus": "completed" + "x" * 5000}, {"CallStatus": "compl\x00eted"}, {"CallSid": "CA" + "f" * 5000},
    {"Timestamp": "\x00" * 100}, {"To": "+8652388012319" * 50}, {"From": "\x00+8613812345678"},
])
def test_status_callbacks_with_values_twilio_never_sends_are_answered(new_call, webhooks, session, params):
    call = new_call()
    call.dial()
    answer = webhooks.post("/voice/status", {**call.base_params(), "CallStatus": "completed",
                                             "SequenceNumber": "3", **params})
    assert answer.status_code == 204


def test_a_status_value_is_cleaned_before_it_is_kept(new_call, webhooks, session):
    call = new_call()
    call.dial()
    webhooks.post("/voice/status", {**call.base_params(), "CallStatus": "comp\x00leted", "SequenceNumber": "3"})
    row = session.scalars(select(CallRow).where(CallRow.call_sid == call.sid)).one()
    assert row.status == "completed"
    assert [event.status for event in session.scalars(select(CallStatusEvent))] == ["completed"]


@pytest.mark.parametrize("params", [{"QueuePosition": "9" * 30, "AvgQueueTime": "9" * 30},
                                    {"QueuePosition": "-3", "AvgQueueTime": "1e309"},
                                    {"QueuePosition": "NaN", "AvgQueueTime": "inf"}])
def test_the_queue_wait_loop_with_numbers_out_of_range_still_says_something(new_call, webhooks, params):
    call = new_call()
    call.dial()
    call.press("0")
    answer = webhooks.post("/voice/queue/wait", {**call.base_params(), **params})
    assert answer.status_code == 200
    parse(answer.data)


@pytest.mark.parametrize("step", ["9" * 30, "-1", "1e3", "\x00"])
def test_a_step_number_out_of_range_is_answered_with_twiml(new_call, webhooks, step):
    call = new_call()
    call.dial()
    answer = webhooks.post(f"/voice/step?step={quote(step)}", {**call.base_params(), "Digits": "1",
                                                         "Confidence": "nan"})
    assert answer.status_code == 200
    parse(answer.data)


def test_a_caller_whose_words_are_only_control_characters_is_asked_again(new_call):
    call = new_call()
    call.dial()
    again = call.say("\x00\x01\x0b")        # parsed as XML by the caller helper
    assert again.gather is not None
    assert call.press("\x00").gather is not None
