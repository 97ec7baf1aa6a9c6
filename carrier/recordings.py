"""Recordings made by ``<Record>``.

There is no audio, so a recording keeps the words the party typed and a
duration estimated from them; its media URL serves a silent WAV file of that
length, so code that downloads recordings gets a real, playable file.
"""
from __future__ import annotations

import io
import threading
import wave
from dataclasses import dataclass, field
from datetime import datetime

from carrier.sids import RECORDING, new_sid

SAMPLE_RATE = 8000      # telephone audio


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

    def uri(self) -> str:
        return f"/2010-04-01/Accounts/{self.account_sid}/Recordings/{self.sid}"


def silent_wav(seconds: int) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(b"\x00\x00" * SAMPLE_RATE * max(seconds, 0))
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
