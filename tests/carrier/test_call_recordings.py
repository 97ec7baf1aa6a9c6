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


def stop_after_start(stand_in, twilio, started: list, stopped: list, which=None):
    """/talk starts a dual recording, /stop stops it (Status=stopped) and the call goes on: as the service
    does when an operator hands a warm transfer over."""
    stand_in.on("/voice", "<Response><Redirect>/talk</Redirect></Response>")

    def talk(seen):
        started.append(twilio.calls(seen.params["CallSid"]).recordings.create(
            recording_channels="dual", recording_status_callback=stand_in.url("/recording"),
            recording_status_callback_event=["in-progress", "completed"]))
        return "<Response><Say>您好，请讲。</Say><Redirect>/stop</Redirect></Response>"

    def stop(seen):
        [made] = started
        stopped.append(twilio.calls(seen.params["CallSid"]).recordings(which or made.sid).update(status="stopped"))
        return "<Response><Say>部门继续通话</Say><Pause length=\"1\"/></Response>"
    stand_in.on("/talk", talk)
    stand_in.on("/stop", stop)


@pytest.mark.parametrize("which", [None, "Twilio.CURRENT"])
def test_a_stopped_recording_ends_while_the_call_goes_on(carrier, stand_in, line, twilio, which):
    started, stopped = [], []
    stop_after_start(stand_in, twilio, started, stopped, which)
    call = finished(carrier.call_in(ScriptedParty(CITIZEN_NUMBER, say("路灯坏了")), line))

    [made], [answer] = started, stopped
    assert (answer.sid, answer.status, answer.duration) == (made.sid, "stopped", None)
    assert stand_in.wait_for(lambda: len(stand_in.seen("/recording")) == 2)
    events = {seen.params["RecordingStatus"]: seen.params for seen in stand_in.seen("/recording")}
    assert set(events) == {"in-progress", "completed"} and len(stand_in.seen("/recording")) == 2
    seconds = int(events["completed"]["RecordingDuration"])
    # It ended before the words said after the stop, and the call's end did not run it on.
    notes = [(entry.kind, entry.text) for entry in call.log]
    done = notes.index(("recording", f"call recording completed: {seconds} s"))
    assert done < next(i for i, (_, text) in enumerate(notes) if "部门继续通话" in text)
    assert [text for kind, text in notes if kind == "recording"][1:] == [notes[done][1]]
    fetched = twilio.calls(call.sid).recordings(made.sid).fetch()
    assert (fetched.status, str(fetched.duration)) == ("completed", str(seconds))


def test_a_stop_answers_in_twilios_call_recording_shape(oai, carrier, stand_in, line, twilio):  # noqa: F811
    answers = []
    stand_in.on("/voice", "<Response><Redirect>/talk</Redirect></Response>")

    def reply(seen):
        path = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls/{seen.params['CallSid']}/Recordings"
        made = requests.post(f"{carrier.api_base_url}{path}.json", data={"RecordingChannels": "dual"},
                             auth=(ACCOUNT_SID, AUTH_TOKEN), timeout=10).json()
        answers.append(requests.post(f"{carrier.api_base_url}{path}/{made['sid']}.json", data={"Status": "stopped"},
                                     auth=(ACCOUNT_SID, AUTH_TOKEN), timeout=10))
        return "<Response><Say>您好</Say></Response>"
    stand_in.on("/talk", reply)
    finished(carrier.call_in(ScriptedParty(CITIZEN_NUMBER), line))
    [answer] = answers
    assert answer.status_code == 200
    check(oai, "/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}/Recordings/{Sid}.json", "post", "200",
          answer.json())
    assert answer.json()["status"] == "stopped"


def test_a_stop_takes_the_parameters_twilio_names(oai):  # noqa: F811
    operation = oai["paths"]["/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}/Recordings/{Sid}.json"]["post"]
    schema = operation["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert "Status" in schema["properties"] and schema["required"] == ["Status"]
    from carrier.rest.views import RECORDING_UPDATES
    status = oai["components"]["schemas"][schema["properties"]["Status"]["$ref"].rsplit("/", 1)[-1]]
    assert set(RECORDING_UPDATES) <= set(status["enum"])


def test_a_recording_that_has_ended_cannot_be_stopped(carrier, stand_in, line, twilio):
    started, refused = [], []
    start_on_answer(stand_in, twilio, started, recording_channels="dual")
    call = finished(carrier.call_in(ScriptedParty(CITIZEN_NUMBER), line))
    [made] = started
    for which in (made.sid, "Twilio.CURRENT", "RE" + "0" * 32):
        with pytest.raises(TwilioRestException) as gone:
            twilio.calls(call.sid).recordings(which).update(status="stopped")
        refused.append((gone.value.status, gone.value.code))
    assert refused == [(404, 20404)] * 3


@pytest.mark.parametrize("status, answer", [("paused", 501), ("sideways", 400), ("", 400)])
def test_only_stopping_is_emulated(carrier, stand_in, line, twilio, status, answer):
    answers = []
    stand_in.on("/voice", "<Response><Redirect>/talk</Redirect></Response>")

    def reply(seen):
        made = twilio.calls(seen.params["CallSid"]).recordings.create(recording_channels="dual")
        answers.append(requests.post(
            f"{carrier.api_base_url}/2010-04-01/Accounts/{ACCOUNT_SID}/Calls/{seen.params['CallSid']}/Recordings/"
            f"{made.sid}.json", data={"Status": status}, auth=(ACCOUNT_SID, AUTH_TOKEN), timeout=10))
        return "<Response><Say>您好</Say></Response>"
    stand_in.on("/talk", reply)
    call = finished(carrier.call_in(ScriptedParty(CITIZEN_NUMBER), line))
    [refusal] = answers
    assert refusal.status_code == answer
    [recording] = twilio.calls(call.sid).recordings.list()
    assert recording.status == "completed"          # still ran to the call's end
