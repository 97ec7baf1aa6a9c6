"""``<Record>``: a recording of what the party says.

The party's words become the recording's content, with a duration estimated
from them (there is no audio).  The recording ends when the party presses a
key of ``finishOnKey``, hangs up, or falls silent.  As on Twilio: when nothing
was said, the action URL is not requested and the next verb runs; when the
party hangs up, the action URL is still requested with ``Digits=hangup`` and
its TwiML is ignored.  The action request comes first, then the recording
status callback (Twilio sends that one when the file is ready), then an
optional transcription callback.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from carrier.actions import HangUp, Press, Speak
from carrier.actions import Recording as RecordingMoment
from carrier.calls import rfc2822
from carrier.recordings import Recording
from carrier.sids import TRANSCRIPTION, new_sid
from carrier.signals import PartyHungUp
from carrier.speech import estimate_seconds

if TYPE_CHECKING:
    from carrier.calls import TwimlSource
    from carrier.interpreter import Interpreter
    from carrier.twiml import Document, Node

DEFAULT_FINISH_KEYS = "1234567890*#"
DEFAULT_TIMEOUT = 5
DEFAULT_MAX_LENGTH = 3600
# Twilio transcribes recordings of 2 to 120 seconds only.
TRANSCRIBABLE = range(2, 121)


def record(interp: Interpreter, verb: Node, document: Document) -> TwimlSource | Document | None:
    call = interp.call
    finish_keys = verb.get("finishOnKey", DEFAULT_FINISH_KEYS)
    max_length = verb.number("maxLength", DEFAULT_MAX_LENGTH)
    timeout = verb.number("timeout", DEFAULT_TIMEOUT)
    recording = interp.carrier.recordings.add(Recording(call.sid, call.account_sid, interp.clock.now()))
    _status_callback(interp, verb, document, recording, "in-progress")
    if verb.flag("playBeep", True):
        interp.sound("beep")

    words, finished_by, hung_up = [], None, False
    try:
        action = interp.ask(RecordingMoment(finish_keys, max_length))
        while isinstance(action, Speak):
            words.append(action.text)
            action = interp.ask(RecordingMoment(finish_keys, max_length, after_speech=True), within=timeout)
        if isinstance(action, Press) and action.digits[0] in finish_keys:
            finished_by = action.digits[0]
        elif isinstance(action, HangUp):
            raise PartyHungUp()
    except PartyHungUp:
        hung_up = True

    recording.words = " ".join(words).strip()
    recording.date_updated = interp.clock.now()
    if not recording.words:
        recording.status = "absent"
        call.note("recording", "nothing was said; no recording", recording_sid=recording.sid)
        _status_callback(interp, verb, document, recording, "absent")
        if hung_up:
            raise PartyHungUp()
        return None

    recording.status = "completed"
    recording.duration = min(estimate_seconds(recording.words), max_length)
    call.note("recording", f"recorded {recording.duration} s: “{recording.words}”",
              recording_sid=recording.sid, duration=recording.duration)
    url = interp.carrier.api_url(recording.uri())
    params = {"RecordingUrl": url, "RecordingSid": recording.sid, "RecordingDuration": str(recording.duration)}
    if finished_by or hung_up:
        params["Digits"] = "hangup" if hung_up else finished_by
    if hung_up:
        interp.report(verb.get("action") or document.url, verb.method(), params, document)
        _after(interp, verb, document, recording, url)
        raise PartyHungUp()
    following = interp.load(interp.follow(verb.get("action"), verb.method(), params, document))
    _after(interp, verb, document, recording, url)
    return following


def _after(interp: Interpreter, verb: Node, document: Document, recording: Recording, url: str) -> None:
    _status_callback(interp, verb, document, recording, "completed")
    if verb.get("transcribeCallback") or verb.flag("transcribe"):
        _transcription(interp, verb, document, recording, url)


def _status_callback(interp: Interpreter, verb: Node, document: Document, recording: Recording,
                     event: str) -> None:
    target = verb.get("recordingStatusCallback")
    events = (verb.get("recordingStatusCallbackEvent") or "completed").replace(",", " ").split()
    if not target or event not in events:
        return
    call = interp.call
    params = {
        "AccountSid": call.account_sid, "CallSid": call.sid, "RecordingSid": recording.sid,
        "RecordingUrl": interp.carrier.api_url(recording.uri()), "RecordingStatus": event,
        "RecordingDuration": str(recording.duration), "RecordingChannels": "1",
        "RecordingStartTime": rfc2822(recording.started), "RecordingSource": recording.source,
    }
    interp.carrier.notify(call, interp.resolve(target, document), verb.method("recordingStatusCallbackMethod"),
                          params, what=f"recording status callback ({event})")


def _transcription(interp: Interpreter, verb: Node, document: Document, recording: Recording,
                   url: str) -> None:
    """Twilio's transcription is English only; the carrier passes the typed
    words through, and fails recordings outside 2 to 120 seconds as Twilio does."""
    target = verb.get("transcribeCallback")
    if not target:
        return
    ok = recording.duration in TRANSCRIBABLE
    sid = new_sid(TRANSCRIPTION)
    params = {
        **interp.call.params(), "TranscriptionSid": sid, "TranscriptionStatus": "completed" if ok else "failed",
        "TranscriptionUrl": interp.carrier.api_url(
            f"/2010-04-01/Accounts/{interp.call.account_sid}/Transcriptions/{sid}"),
        "RecordingSid": recording.sid, "RecordingUrl": url,
    }
    if ok:
        params["TranscriptionText"] = recording.words
    interp.carrier.notify(interp.call, interp.resolve(target, document), "POST", params,
                          what="transcription callback")
