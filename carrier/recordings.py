"""Recordings made by ``<Record>``, and recordings of live calls started
with the REST API (``POST Calls/{CallSid}/Recordings.json``).

There is no audio, so a ``<Record>`` recording keeps the words the party
typed and a duration estimated from them; a call's recording lasts from its
start to the call's end, in one channel or two (``dual``: each party of a
two-party call on its own).  The media URL serves a silent WAV file of that
length and those channels, so code that downloads recordings gets a real,
playable file.
"""
from __future__ import annotations

import io
import threading
import wave
from dataclasses import dataclass, field
from datetime import datetime

from carrier.sids import RECORDING, new_sid

SAMPLE_RATE = 8000      # telephone audio


@dataclass(frozen=True)
class StatusNotice:
    url: str
    method: str = "POST"
    events: frozenset[str] = frozenset({"completed"})


@dataclass
class Recording:
    call_sid: str
    account_sid: str
    started: datetime
    sid: str = field(default_factory=lambda: new_sid(RECORDING))
    status: str = "in-progress"         # in-progress, completed, absent
    duration: int = 0
    words: str = ""                     # what the party said; never shown through the Twilio API
    source: str = "RecordVerb"
    date_updated: datetime | None = None
    conference_sid: str | None = None   # a conference's recording (record="record-from-start")
    channels: int = 1
    track: str = "both"                 # a call's recording: inbound, outbound or both
    # A call's recording: where and for which events its status is reported.
    callback: StatusNotice | None = None

    def uri(self) -> str:
        return f"/2010-04-01/Accounts/{self.account_sid}/Recordings/{self.sid}"


def silent_wav(seconds: int, channels: int = 1) -> bytes:
    """``seconds`` of silence, 16-bit telephone audio, in ``channels``
    channels (2: the frames interleave the two)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(b"\x00\x00" * channels * SAMPLE_RATE * max(seconds, 0))
    return buffer.getvalue()


class RecordingStore:
    def __init__(self) -> None:
        self._recordings: dict[str, Recording] = {}
        self._lock = threading.Lock()

    def add(self, recording: Recording) -> Recording:
        with self._lock:
            self._recordings[recording.sid] = recording
        return recording

    def get(self, sid: str) -> Recording | None:
        with self._lock:
            return self._recordings.get(sid)

    def all(self, call_sid: str | None = None) -> list[Recording]:
        with self._lock:
            return [r for r in self._recordings.values() if call_sid in (None, r.call_sid)]

    def end(self, recording: Recording, now: datetime, seconds: int) -> bool:
        """``recording``, if it is still running, ends now after ``seconds``:
        completed, or absent if it lasted no time.  False if it had ended
        already (the call's end and a REST stop may come at once)."""
        with self._lock:
            if recording.status != "in-progress":
                return False
            recording.date_updated = now
            recording.duration = max(seconds, 0)
            recording.status = "completed" if seconds > 0 else "absent"
            return True

    def running(self, call_sid: str) -> list[Recording]:
        """The call's recordings started with the REST API and still going."""
        with self._lock:
            return [r for r in self._recordings.values()
                    if r.call_sid == call_sid and r.source == API_SOURCE and r.status == "in-progress"]


API_SOURCE = "StartCallRecordingAPI"
