"""What a party on a call can do, and the moments at which the carrier asks.

A party acts with keys (``Press``), words (``Speak``), by letting a prompt
time out (``Silence``), by hanging up (``HangUp``), or by simply staying on
the line until something happens to it (``Wait``).  When its phone rings it
picks up as a person or as an answering machine, is busy, declines, or does
not answer (``Pickup``).

The moments (``Listening``, ``Recording``, ``Holding``, ``Talking``) tell a
party what the carrier is waiting for, so a scripted party can check its next
step fits and a person's phone can show the right controls.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

DTMF_KEYS = frozenset("0123456789*#")


class Pickup(enum.Enum):
    HUMAN = "human"
    MACHINE = "machine"
    BUSY = "busy"
    DECLINE = "decline"
    NO_ANSWER = "no-answer"
    FAIL = "failed"

    @property
    def answered(self) -> bool:
        return self in (Pickup.HUMAN, Pickup.MACHINE)

    @property
    def call_status(self) -> str:
        """The status an unanswered call ends with.  A declined phone sends
        the same signal as a busy one, so the network reports it as busy."""
        return {Pickup.BUSY: "busy", Pickup.DECLINE: "busy", Pickup.NO_ANSWER: "no-answer",
                Pickup.FAIL: "failed"}.get(self, "in-progress")


# --- actions -------------------------------------------------------------------

@dataclass(frozen=True)
class Press:
    digits: str

    def __post_init__(self) -> None:
        bad = set(self.digits) - DTMF_KEYS
        if not self.digits or bad:
            raise ValueError(f"a phone keypad has no key {''.join(sorted(bad)) or 'for nothing'!r}")


@dataclass(frozen=True)
class Speak:
    """Words as a speech recogniser would hand them over: typed text and a
    confidence, since the carrier recognises no audio."""

    text: str
    confidence: float = 0.92


@dataclass(frozen=True)
class Silence:
    pass


@dataclass(frozen=True)
class HangUp:
    pass


@dataclass(frozen=True)
class Wait:
    pass


@dataclass(frozen=True)
class Answer:
    """A person's decision about a ringing phone, sent from a phone's UI."""

    pickup: Pickup


Action = Press | Speak | Silence | HangUp | Wait
INPUTS = (Press, Speak, Silence)


# --- moments -------------------------------------------------------------------

@dataclass(frozen=True)
class Listening:
    """A ``<Gather>`` waits for this party."""

    input: frozenset[str]
    num_digits: int | None
    finish_on_key: str
    language: str | None = None


@dataclass(frozen=True)
class Recording:
    """A ``<Record>`` is recording this party.  ``after_speech`` is asked once
    the party has spoken: only a finishing key or a hang-up ends it now,
    anything else means the recording stops on silence."""

    finish_on_key: str
    max_length: int
    after_speech: bool = False


@dataclass(frozen=True)
class Holding:
    queue: str


@dataclass(frozen=True)
class Talking:
    peer: str


@dataclass(frozen=True)
class Conferencing:
    """In a conference: ``mode`` is ``waiting`` (for it to start), ``held``
    or ``talking``."""

    conference: str
    mode: str


Moment = Listening | Recording | Holding | Talking | Conferencing


def describe(action: Action) -> str:
    if isinstance(action, Press):
        return f"pressed {action.digits}"
    if isinstance(action, Speak):
        return f"said “{action.text}”"
    if isinstance(action, HangUp):
        return "hung up"
    if isinstance(action, Wait):
        return "stays on the line"
    return "stayed silent"
