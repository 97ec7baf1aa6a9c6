"""Recording a live call with the REST API (``POST Calls/{CallSid}/Recordings.json``),
as the service does when an operator answers: the carrier starts it while
the call is live, reports it to the status callback, completes it when the
call ends and serves a silent WAV of its length in one or two channels."""
from __future__ import annotations

import io
import wave

import pytest
import requests
from twilio.base.exceptions import TwilioRestException

from carrier import ScriptedParty, say
from tests.carrier.support import ACCOUNT_SID, AUTH_TOKEN, CITIZEN_NUMBER, finished
from tests.carrier.test_twilio_shapes import check, oai  # noqa: F401


def start_on_answer(stand_in, twilio, started: list, **options):
    """/talk, on a call already answered, starts a recording of it, then says hello: as a webhook of the
    service would."""
    stand_in.on("/voice", "<Response><Redirect>/talk</Redirect></Response>")

    def reply(seen):
        made = twilio.calls(seen.params["CallSid"]).recordings.create(**options)
        started.append(made)
        return "<Response><Say>您好，请讲。</Say><Pause length=\"1\"/></Response>"
    stand_in.on("/talk", reply)


def test_a_dual_channel_recording_runs_until_the_call_ends_and_is_reported(carrier, stand_in, line, twilio):
    started = []
    start_on_answer(stand_in, twilio, started, recording_channels="dual", recording_track="both",
                    recording_status_callback=stand_in.url("/recording"),
                    recording_status_callback_event=["in-progress", "completed"])
    call = finished(carrier.call_in(ScriptedParty(CITIZEN_NUMBER, say("路灯坏了")), line))

    [made] = started
    assert (made.status, made.channels, made.source, made.track, made.call_sid) == \
        ("in-progress", 2, "StartCallRecordingAPI", "both", call.sid)
    assert stand_in.wait_for(lambda: len(stand_in.seen("/recording")) == 2)
    events = {seen.params["RecordingStatus"]: seen.params for seen in stand_in.seen("/recording")}
    assert set(events) == {"in-progress", "completed"}
    done = events["completed"]
    assert (done["CallSid"], done["RecordingSid"], done["RecordingChannels"], done["RecordingSource"]) == \
        (call.sid, made.sid, "2", "StartCallRecordingAPI")
    assert int(done["RecordingDuration"]) >= 1
    assert done["RecordingUrl"] == carrier.api_url(f"/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{made.sid}")

    fetched = twilio.calls(call.sid).recordings(made.sid).fetch()
    assert (fetched.status, fetched.channels, str(fetched.duration)) == ("completed", 2, done["RecordingDuration"])
    audio = requests.get(done["RecordingUrl"] + ".wav", timeout=10)
    with wave.open(io.BytesIO(audio.content)) as wav:
        assert (wav.getnchannels(), wav.getframerate()) == (2, 8000)
        assert wav.getnframes() == 8000 * int(done["RecordingDuration"])


def test_the_answer_has_twilios_call_recording_shape(oai, carrier, stand_in, line):  # noqa: F811
    answers = []

    def reply(seen):
        answers.append(requests.post(
            f"{carrier.api_base_url}/2010-04-01/Accounts/{ACCOUNT_SID}/Calls/{seen.params['CallSid']}/Recordings.json",
            data={"RecordingChannels": "dual"}, auth=(ACCOUNT_SID, AUTH_TOKEN), timeout=10))
        return "<Response><Say>您好</Say></Response>"
    stand_in.on("/voice", "<Response><Redirect>/talk</Redirect></Response>")
    stand_in.on("/talk", reply)
    finished(carrier.call_in(ScriptedParty(CITIZEN_NUMBER), line))
    [answer] = answers
    assert answer.status_code == 201
    body = answer.json()
    check(oai, "/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}/Recordings.json", "post", "201", body)
    assert (body["channels"], body["duration"], body["status"]) == (2, None, "in-progress")


@pytest.mark.parametrize("options, message", [
    ({"recording_channels": "stereo"}, "RecordingChannels must be mono or dual"),
    ({"recording_track": "sideways"}, "RecordingTrack must be inbound, outbound or both"),
    ({"recording_status_callback": "/relative", "recording_status_callback_event": ["completed"]},
     "RecordingStatusCallback is not a valid URL"),
])
def test_a_bad_parameter_is_a_twilio_error(carrier, stand_in, line, twilio, options, message):
    refused = []

    def reply(seen):
        try:
            twilio.calls(seen.params["CallSid"]).recordings.create(**options)
        except TwilioRestException as error:
            refused.append(error)
        return "<Response/>"
    stand_in.on("/voice", "<Response><Redirect>/talk</Redirect></Response>")
    stand_in.on("/talk", reply)
    finished(carrier.call_in(ScriptedParty(CITIZEN_NUMBER), line))
    [error] = refused
    assert error.status == 400 and message in error.msg


def test_a_call_that_has_ended_cannot_be_recorded(carrier, stand_in, line, twilio):
    stand_in.on("/voice", "<Response/>")
    call = finished(carrier.call_in(ScriptedParty(CITIZEN_NUMBER), line))
    with pytest.raises(TwilioRestException) as refused:
        twilio.calls(call.sid).recordings.create(recording_channels="dual")
    assert (refused.value.status, refused.value.code) == (400, 21220)
    with pytest.raises(TwilioRestException) as unknown:
        twilio.calls("CA" + "0" * 32).recordings.create()
    assert unknown.value.status == 404
