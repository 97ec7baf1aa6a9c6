"""What a party hears from ``<Say>``, as text, since the carrier makes no audio.

SSML inside ``<Say>`` is flattened to what a listener would understand:
``<say-as interpret-as="digits">`` becomes a segment read one character at a
time, ``<sub alias>`` is read as its alias, and breaks and prosody change
nothing.  ``Utterance.text`` joins read-out digits (a case number stays one
string to copy); ``Utterance.speakable`` spaces them so a speech synthesiser
in a browser reads them one by one, as Twilio would.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from carrier.twiml import Node

SPELLED = {"digits", "telephone", "characters", "spell-out"}
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Segment:
    text: str
    spelled: bool = False


@dataclass(frozen=True)
class Utterance:
    segments: tuple[Segment, ...]
    language: str | None = None
    voice: str | None = None
    repeat: int = 1          # 0: Twilio repeats it until the prompt is cut short

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments).strip()

    @property
    def speakable(self) -> str:
        return "".join(" " + " ".join(s.text) + " " if s.spelled else s.text for s in self.segments).strip()

    @property
    def spelled(self) -> tuple[str, ...]:
        """The parts read out character by character, e.g. a case number."""
        return tuple(s.text for s in self.segments if s.spelled)

    def to_json(self) -> dict:
        return {"text": self.text, "speakable": self.speakable, "spelled": list(self.spelled),
                "language": self.language, "voice": self.voice, "repeat": self.repeat}


def plain(text: str, language: str | None = None) -> Utterance:
    return Utterance((Segment(text),), language)


def utterance_of(say: Node) -> Utterance:
    segments: list[Segment] = []
    _flatten(say, segments)
    return Utterance(tuple(_merge(segments)), say.attrs.get("language"), say.attrs.get("voice"),
                     int(say.attrs.get("loop", "1")))


def _flatten(node: Node, out: list[Segment]) -> None:
    for part in node.content:
        if isinstance(part, str):
            out.append(Segment(part))
            continue
        if part.name == "say-as" and part.attrs.get("interpret-as") in SPELLED:
            out.append(Segment("".join(part.text.split()), spelled=True))
        elif part.name == "sub":
            out.append(Segment(part.attrs.get("alias", part.text)))
        elif part.name == "break":
            out.append(Segment(" "))
        else:
            _flatten(part, out)


def _merge(segments: list[Segment]) -> list[Segment]:
    """Collapse whitespace the way a listener hears it and drop empty parts."""
    merged: list[Segment] = []
    for segment in segments:
        text = segment.text if segment.spelled else _SPACES.sub(" ", segment.text)
        if not text or (text == " " and (not merged or merged[-1].text.endswith(" "))):
            continue
        if merged and not segment.spelled and not merged[-1].spelled:
            merged[-1] = Segment(merged[-1].text + text)
        else:
            merged.append(Segment(text, segment.spelled))
    return merged


def estimate_seconds(text: str) -> int:
    """How long it takes to say ``text``: about four Chinese characters or
    two and a half words of a spaced language a second.  Used for recording
    durations, since there is no audio to measure."""
    wide = sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF")
    words = len(re.findall(r"[^\s\u2E80-\u9FFF\uF900-\uFAFF\uFF00-\uFFEF]+", text))
    return max(1, math.ceil(wide / 4 + words / 2.5))
