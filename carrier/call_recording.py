"""Recording a live call with the REST API, as Twilio does
(``POST Calls/{CallSid}/Recordings.json``).

The recording starts at once (``in-progress``) and runs until the call ends,
or until it is stopped (``POST Calls/{CallSid}/Recordings/{Sid}.json`` with
``Status=stopped``); then it is ``completed`` with the call's time since the
start, rounded up.
A ``dual`` recording has two channels: on a bridged call, the party who
called on the first and the other party on the second.  Status callbacks
go to ``RecordingStatusCallback`` for the events asked for (``in-progress``,
``completed``, ``absent``); the start's is sent from its own thread, as
Twilio sends it after answering the request, so an application waiting
for the REST answer in a webhook is not held up.
"""
from __future__ import annotations

import math
import threading
from typing import TYPE_CHECKING

from carrier.calls import rfc2822
from carrier.recordings import API_SOURCE, Recording, StatusNotice

if TYPE_CHECKING:
    from carrier.calls import Call
    from carrier.exchange import Carrier

CHANNELS = {"mono": 1, "dual": 2}
TRACKS = ("inbound", "outbound", "both")
EVENTS = ("in-progress", "completed", "absent")


def start(carrier: Carrier, call: Call, channels: int, track: str, notice: StatusNotice | None) -> Recording:
    recording = carrier.recordings.add(Recording(call.sid, call.account_sid, carrier.clock.now(), source=API_SOURCE,
                                                 channels=channels, track=track, callback=notice))
    call.note("recording", f"recording the call ({'dual' if channels == 2 else 'mono'}, {track})",
              recording_sid=recording.sid, channels=channels)
    if notice is not None and "in-progress" in notice.events:
        threading.Thread(target=_report, args=(carrier, call, recording, "in-progress"),
                         name=f"recording-{recording.sid}", daemon=True).start()
    return recording


def finish(carrier: Carrier, call: Call) -> None:
    """The call ended: its running recordings are complete (or absent, if
    they lasted no time at all)."""
    for recording in carrier.recordings.running(call.sid):
        if _end(carrier, call, recording):
            _report(carrier, call, recording, recording.status)


def stop(carrier: Carrier, call: Call, recording: Recording) -> bool:
    """``Status=stopped``: the recording ends now, while the call goes on.
    Its status callback is sent from a thread of its own, after the REST
    answer, as Twilio sends it once the file is ready.  False if it had
    ended already."""
    if not _end(carrier, call, recording):
        return False
    threading.Thread(target=_report, args=(carrier, call, recording, recording.status),
                     name=f"recording-{recording.sid}", daemon=True).start()
    return True


def _end(carrier: Carrier, call: Call, recording: Recording) -> bool:
    now = carrier.clock.now()
    if not carrier.recordings.end(recording, now, math.ceil((now - recording.started).total_seconds())):
        return False
    call.note("recording", f"call recording {recording.status}: {recording.duration} s",
              recording_sid=recording.sid, duration=recording.duration)
    return True


def _report(carrier: Carrier, call: Call, recording: Recording, event: str) -> None:
    notice = recording.callback
    if notice is None or event not in notice.events:
        return
    params = {
        "AccountSid": call.account_sid, "CallSid": call.sid, "RecordingSid": recording.sid,
        "RecordingUrl": carrier.api_url(recording.uri()), "RecordingStatus": event,
        "RecordingDuration": str(recording.duration) if event != "in-progress" else "-1",
        "RecordingChannels": str(recording.channels), "RecordingStartTime": rfc2822(recording.started),
        "RecordingSource": recording.source, "RecordingTrack": recording.track,
    }
    carrier.notify(call, notice.url, notice.method, params, what=f"recording status callback ({event})")
