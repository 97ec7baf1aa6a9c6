"""Two legs connected: the parties talk until one of them leaves.

Talking is typed text: what one party says is heard by the other, so a
person at the operator's browser phone and a caller can hold a conversation.
A bridge made by ``<Dial>`` to a number or client is held by the thread of
the dialling call, which hears both legs.  A bridge made by ``<Dial><Queue>``
joins two calls that each keep their own thread: each holds its end, and
whoever leaves first tells the other with ``PeerLeft``.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from carrier.actions import HangUp, Press, Speak, Talking, Wait
from carrier.calls import BridgeConnected, EndRequest, PeerLeft, RedirectRequest, TwimlSource
from carrier.speech import plain

if TYPE_CHECKING:
    from carrier.calls import Call
    from carrier.interpreter import Interpreter

HANGUP, STAR, TIME_LIMIT, REDIRECTED, ENDED, PEER_LEFT = (
    "hangup", "star", "time-limit", "redirected", "ended", "peer-left")


class Bridge:
    def __init__(self, a: Call, b: Call, *, one_thread: bool) -> None:
        self.a, self.b = a, b                 # a: the call that dialled
        self.one_thread = one_thread
        self.left: Call | None = None
        self._lock = threading.Lock()
        a.bridge = b.bridge = self

    def peer(self, leg: Call) -> Call:
        return self.b if leg is self.a else self.a

    def connect(self) -> None:
        """The two parties can hear each other from now on."""
        for leg in (self.a, self.b):
            peer = self.peer(leg)
            leg.note("bridge", f"connected to {peer.party.name if peer.party else peer.to}",
                     peer_call_sid=peer.sid, event="connected")
        if not self.one_thread:
            self.a.mailbox.put(BridgeConnected(self))

    def relay(self, speaker: Call, text: str) -> None:
        listener = self.peer(speaker)
        who = speaker.party.name if speaker.party else speaker.from_
        listener.note("heard", text, utterance=plain(text), speaker=who)

    def end(self, left: Call) -> bool:
        """``left`` leaves; the other end is told, unless one thread holds both."""
        with self._lock:
            if self.left is not None:
                return False
            self.left = left
        for leg in (self.a, self.b):
            if leg.bridge is self:
                leg.bridge = None
            leg.note("bridge", "disconnected", event="disconnected", left_call_sid=left.sid)
        if not self.one_thread:
            self.peer(left).mailbox.put(PeerLeft(self))
        return True


@dataclass(frozen=True)
class Outcome:
    left: Call                 # the leg that left the bridge
    reason: str
    source: TwimlSource | None = None


def hold(interp: Interpreter, bridge: Bridge, legs: list[Call], *, hang_up_on_star: Call | None = None,
         time_limit: int | None = None) -> Outcome:
    """Keep the bridge up for ``legs`` (the ones this thread holds) until a
    party hangs up, presses * where ``hang_up_on_star`` allows it, the time
    limit passes, a REST update takes a leg away, or the other end leaves."""
    owned = {leg.sid: leg for leg in legs}
    for leg in legs:
        outcome = _let_scripted_party_talk(bridge, leg, hang_up_on_star)
        if outcome:
            return outcome
    deadline = interp.clock.seconds(time_limit)
    while True:
        envelope = interp.mailbox.take(deadline, inputs=True)
        if envelope is None:
            return Outcome(bridge.peer(legs[0]), TIME_LIMIT)
        leg = owned.get(envelope.call_sid)
        if leg is None:
            continue
        item = envelope.item
        if isinstance(item, PeerLeft):
            if item.bridge is bridge:
                return Outcome(bridge.peer(leg), PEER_LEFT)
            continue
        outcome = _act(bridge, leg, item, hang_up_on_star)
        if outcome:
            return outcome


def _let_scripted_party_talk(bridge: Bridge, leg: Call, hang_up_on_star: Call | None) -> Outcome | None:
    """A scripted party says and presses what its script holds for the
    conversation; a person's phone is told it is connected."""
    party = leg.party
    if party is None:
        return None
    moment = Talking(bridge.peer(leg).party.name if bridge.peer(leg).party else bridge.peer(leg).to)
    while True:
        action = party.next_action(leg, moment)
        if party.live or action is None or isinstance(action, Wait):
            return None
        outcome = _act(bridge, leg, action, hang_up_on_star)
        if outcome:
            return outcome
        if not isinstance(action, (Speak, Press)):
            return None


def _act(bridge: Bridge, leg: Call, item: object, hang_up_on_star: Call | None) -> Outcome | None:
    if isinstance(item, HangUp):
        return Outcome(leg, HANGUP)
    if isinstance(item, RedirectRequest):
        return Outcome(leg, REDIRECTED, item.source)
    if isinstance(item, EndRequest):
        return Outcome(leg, ENDED)
    if isinstance(item, Speak):
        leg.note("input", f"said “{item.text}”", speech=item.text)
        bridge.relay(leg, item.text)
    elif isinstance(item, Press):
        leg.note("input", f"pressed {item.digits}", digits=item.digits)
        if leg is hang_up_on_star and "*" in item.digits:
            return Outcome(bridge.peer(leg), STAR)
    return None
