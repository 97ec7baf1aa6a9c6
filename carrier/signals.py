"""How the interpreter unwinds when something overtakes the TwiML it runs.

A hang-up, a REST redirect, a dequeue or the other end of a bridge leaving
can arrive while a verb is half done; the verb's code raises or lets through
one of these, and each verb that must react (``<Dial>`` still reports to its
action URL, ``<Enqueue>`` leaves its queue) catches what concerns it.
"""
from __future__ import annotations

from typing import Any


class Signal(Exception):
    pass


class CallOver(Signal):
    """The leg ends with ``status``."""

    def __init__(self, status: str = "completed", reason: str = "") -> None:
        super().__init__(reason or status)
        self.status, self.reason = status, reason


class PartyHungUp(CallOver):
    def __init__(self) -> None:
        super().__init__("completed", "the party hung up")


class Redirect(Signal):
    """Continue with other TwiML (a REST update of the live call)."""

    def __init__(self, source: Any) -> None:
        super().__init__(source.describe())
        self.source = source


class Dequeued(Signal):
    def __init__(self, event: Any) -> None:
        super().__init__(event.reason)
        self.event = event


class PeerLeftBridge(Signal):
    def __init__(self, bridge: Any) -> None:
        super().__init__("the other party left")
        self.bridge = bridge


class OtherLeg(Signal):
    """A signal for another leg this thread looks after (the caller hanging up
    while the dialled party hears a whisper)."""

    def __init__(self, envelope: Any) -> None:
        super().__init__(f"{type(envelope.item).__name__} for {envelope.call_sid}")
        self.envelope = envelope


class LeaveQueue(Signal):
    pass


class ConferenceInterrupt(Signal):
    """News from the conference the leg is in (see ``carrier.calls.ConferenceNews``)."""

    def __init__(self, news: Any) -> None:
        super().__init__(news.kind)
        self.news = news
