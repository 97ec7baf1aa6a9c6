"""The verbs, run against a stand-in application over real HTTP."""
from __future__ import annotations

import io
import wave

import requests
from twilio.request_validator import RequestValidator

from carrier import ScriptedParty, hang_up, press, say, silence
from carrier.interpreter import APPLICATION_ERROR
from tests.carrier.support import ACCOUNT_SID, AUTH_TOKEN, CITIZEN_NUMBER, finished, heard


def caller(*steps) -> ScriptedParty:
    return ScriptedParty(CITIZEN_NUMBER, *steps)


def test_an_incoming_call_sends_twilios_parameters_and_answers_on_the_first_verb(carrier, stand_in, line):
    stand_in.on("/voice", "<Response><Say>您好</Say></Response>")
    call = finished(carrier.call_in(caller(), line))
    first = stand_in.seen("/voice")[0]
    assert first.params == {
        "AccountSid": ACCOUNT_SID, "CallSid": call.sid, "From": CITIZEN_NUMBER, "To": line, "Caller": CITIZEN_NUMBER,
        "Called": line, "CallStatus": "ringing", "Direction": "inbound", "ApiVersion": "2010-04-01",
        "FromCountry": "CN", "CallerCountry": "CN", "ToCountry": "CN", "CalledCountry": "CN",
    }
    assert call.sid.startswith("CA") and len(call.sid) == 34
    assert [e.text for e in call.entries("status")] == ["in-progress", "completed"]


def test_gather_posts_speech_to_its_action(carrier, stand_in, line):
    stand_in.on("/voice", '<Response><Gather input="dtmf speech" language="cmn-Hans-CN" action="/heard" '
                          'numDigits="1"><Say>请说出问题</Say></Gather><Say>没有听到</Say></Response>')
    stand_in.on("/heard", "<Response><Hangup/></Response>")
    party = caller(say("井盖丢失了", confidence=0.81))
    finished(carrier.call_in(party, line))
    posted = stand_in.seen("/heard")[0].params
    assert (posted["SpeechResult"], posted["Confidence"], posted["CallStatus"]) == ("井盖丢失了", "0.81", "in-progress")
    assert "Digits" not in posted
    assert heard(party) == ["请说出问题"]


def test_gather_collects_keys_until_the_finishing_key(carrier, stand_in, line):
    stand_in.on("/voice", '<Response><Gather action="/keys" finishOnKey="#"/></Response>')
    stand_in.on("/keys", "<Response/>")
    finished(carrier.call_in(caller(press("13812#")), line))
    assert stand_in.seen("/keys")[0].params["Digits"] == "13812"


def test_gather_stops_at_num_digits_and_loses_the_keys_after(carrier, stand_in, line):
    stand_in.on("/voice", '<Response><Gather action="/keys" numDigits="2"/></Response>')
    stand_in.on("/keys", "<Response/>")
    call = finished(carrier.call_in(caller(press("123")), line))
    assert stand_in.seen("/keys")[0].params["Digits"] == "12"
    assert any("keys 3 came after" in e.text for e in call.entries("notice"))


def test_gather_without_input_falls_through_to_the_next_verb(carrier, stand_in, line):
    stand_in.on("/voice", '<Response><Gather action="/keys"><Say>按键</Say></Gather><Say>再见</Say></Response>')
    party = caller(silence())
    finished(carrier.call_in(party, line))
    assert stand_in.seen("/keys") == []
    assert heard(party) == ["按键", "再见"]


def test_gather_with_action_on_empty_result_posts_without_input(carrier, stand_in, line):
    stand_in.on("/voice", '<Response><Gather action="/keys" actionOnEmptyResult="true"/><Say>never</Say></Response>')
    stand_in.on("/keys", "<Response/>")
    finished(carrier.call_in(caller(silence()), line))
    posted = stand_in.seen("/keys")[0].params
    assert "Digits" not in posted and "SpeechResult" not in posted


def test_gather_for_keys_ignores_words(carrier, stand_in, line):
    stand_in.on("/voice", '<Response><Gather input="dtmf" action="/keys"/><Say>再见</Say></Response>')
    call = finished(carrier.call_in(caller(say("一")), line))
    assert stand_in.seen("/keys") == []
    assert [(e.data["element"], e.data["attribute"]) for e in call.entries("notice")] == [("Gather", "input")]


def test_gather_without_action_posts_to_the_current_document(carrier, stand_in, line):
    stand_in.on("/voice", lambda seen: "<Response/>" if "Digits" in seen.params else "<Response><Gather/></Response>")
    finished(carrier.call_in(caller(press("5")), line))
    assert [s.params.get("Digits") for s in stand_in.seen("/voice")] == [None, "5"]


def test_redirect_follows_relative_urls_with_get_parameters_in_the_query(carrier, stand_in, line):
    stand_in.on("/voice", '<Response><Redirect method="GET">next?step=2</Redirect></Response>')
    stand_in.on("/next", "<Response><Say>第二步</Say></Response>")
    party = caller()
    call = finished(carrier.call_in(party, line))
    second = stand_in.seen("/next")[0]
    assert (second.method, second.params["step"], second.params["CallSid"]) == ("GET", "2", call.sid)
    assert second.signature_valid
    assert heard(party) == ["第二步"]


def test_pause_and_play_are_heard_as_sounds(carrier, stand_in, line):
    stand_in.on("/voice", '<Response><Pause length="2"/><Play digits="ww12">https://x.example/tone.mp3</Play></Response>')
    call = finished(carrier.call_in(caller(), line))
    assert [e.text for e in call.entries("played")] == ["DTMF ww12", "audio https://x.example/tone.mp3"]


def test_hangup_ends_the_call_and_skips_the_rest(carrier, stand_in, line):
    stand_in.on("/voice", "<Response><Say>一</Say><Hangup/><Say>二</Say></Response>")
    party = caller()
    call = finished(carrier.call_in(party, line))
    assert (call.status, heard(party)) == ("completed", ["一"])


def test_reject_leaves_the_call_unanswered(carrier, stand_in, line):
    stand_in.on("/voice", '<Response><Reject reason="busy"/></Response>')
    call = finished(carrier.call_in(caller(), line))
    assert call.status == "busy"
    assert call.answered_at is None
    assert stand_in.seen("/status")[0].params["CallStatus"] == "busy"


def test_reject_without_reason_ends_as_no_answer(carrier, stand_in, line):
    stand_in.on("/voice", "<Response><Reject/></Response>")
    assert finished(carrier.call_in(caller(), line)).status == "no-answer"


def test_record_posts_the_recording_then_its_status_callback(carrier, stand_in, line, twilio):
    stand_in.on("/voice", '<Response><Record action="/recorded" maxLength="60" finishOnKey="#" '
                          'recordingStatusCallback="/recording-status"/></Response>')
    stand_in.on("/recorded", "<Response><Say>谢谢</Say></Response>")
    party = caller(say("路灯不亮"), press("#"))
    call = finished(carrier.call_in(party, line))
    posted = stand_in.seen("/recorded")[0].params
    status = stand_in.seen("/recording-status")[0].params
    assert posted["RecordingSid"].startswith("RE") and posted["Digits"] == "#"
    assert posted["RecordingUrl"] == \
        f"{carrier.api_base_url}/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{posted['RecordingSid']}"
    assert (status["RecordingSid"], status["RecordingStatus"], status["CallSid"]) == \
        (posted["RecordingSid"], "completed", call.sid)
    paths = [r.path for r in stand_in.requests]
    assert paths.index("/recorded") < paths.index("/recording-status")
    recording = twilio.recordings(posted["RecordingSid"]).fetch()
    assert (recording.call_sid, recording.status, recording.duration) == \
        (call.sid, "completed", posted["RecordingDuration"])
    media = requests.get(posted["RecordingUrl"], timeout=5)
    with wave.open(io.BytesIO(media.content)) as audio:
        assert audio.getnframes() == audio.getframerate() * int(posted["RecordingDuration"])


def test_a_caller_hanging_up_during_record_still_reaches_the_action(carrier, stand_in, line):
    stand_in.on("/voice", '<Response><Record action="/recorded"/><Say>never</Say></Response>')
    stand_in.on("/recorded", "<Response><Say>ignored</Say></Response>")
    party = caller(say("井盖没了"), hang_up())
    call = finished(carrier.call_in(party, line))
    posted = stand_in.seen("/recorded")[0].params
    assert (posted["Digits"], posted["CallStatus"]) == ("hangup", "completed")
    assert heard(party) == [] and call.status == "completed"


def test_record_with_nothing_said_goes_on_without_the_action(carrier, stand_in, line):
    stand_in.on("/voice", '<Response><Record action="/recorded" recordingStatusCallback="/rs" '
                          'recordingStatusCallbackEvent="completed absent"/><Say>没有录到</Say></Response>')
    party = caller(silence())
    finished(carrier.call_in(party, line))
    assert stand_in.seen("/recorded") == []
    assert stand_in.seen("/rs")[0].params["RecordingStatus"] == "absent"
    assert heard(party) == ["没有录到"]


def test_record_transcription_passes_the_words_through(carrier, stand_in, line):
    stand_in.on("/voice", '<Response><Record action="/recorded" transcribeCallback="/transcribed"/></Response>')
    stand_in.on("/recorded", "<Response/>")
    finished(carrier.call_in(caller(say("the street lamp at number eighteen is dark"), hang_up()), line))
    posted = stand_in.seen("/transcribed")[0].params
    assert (posted["TranscriptionStatus"], posted["TranscriptionText"]) == \
        ("completed", "the street lamp at number eighteen is dark")


def test_an_application_error_sends_the_request_to_the_fallback_url(carrier, stand_in, line):
    stand_in.on("/voice", ("boom", 500, {"Content-Type": "text/plain"}))
    stand_in.on("/fallback", "<Response><Say>抱歉</Say></Response>")
    party = caller()
    call = finished(carrier.call_in(party, line))
    fallback = stand_in.seen("/fallback")[0].params
    assert (fallback["ErrorCode"], fallback["ErrorUrl"]) == ("11200", stand_in.url("/voice"))
    assert heard(party) == ["抱歉"] and call.errors == []


def test_without_a_fallback_the_caller_hears_twilios_apology(carrier, stand_in, line):
    stand_in.on("/voice", ("<Response><Say>hi</Say></Response>", 200, {"Content-Type": "application/json"}))
    stand_in.on("/fallback", ("gone", 404, {}))
    party = caller()
    call = finished(carrier.call_in(party, line))
    assert heard(party) == [APPLICATION_ERROR]
    assert [e["code"] for e in call.errors] == [11200]
    assert [e.data["code"] for e in call.entries("notice")] == [12300, 11200]


def test_twiml_the_carrier_cannot_run_is_reported_with_element_and_attribute(carrier, stand_in, line):
    stand_in.on("/voice", '<Response><Say>一</Say><Gather input="speech" speechTimout="auto"/></Response>')
    party = caller()
    call = finished(carrier.call_in(party, line))
    assert [(e["code"], e["element"], e["attribute"]) for e in call.errors] == [(12200, "Gather", "speechTimout")]
    assert heard(party) == [APPLICATION_ERROR]


def test_a_number_nobody_has_is_not_in_service(carrier):
    call = finished(carrier.call_in(caller(), "+8652300000000"))
    assert call.status == "failed"


def test_signatures_fail_with_another_token(carrier, stand_in, line):
    """The stand-in's check can fail: a carrier keyed with another token is refused."""
    carrier.webhooks.validator = RequestValidator(AUTH_TOKEN[::-1])
    stand_in.forged = True
    stand_in.on("/voice", "<Response/>")
    finished(carrier.call_in(caller(), line))
    assert [s.signature_valid for s in stand_in.requests] == [False, False]
