"""The people and machines on the far end of a call leg.

``ScriptedParty`` follows a script of steps, for tests and scripted terminal
calls: a caller who says a complaint and presses 1, an operator's device that
answers and hangs up, a complainant who is busy or does not pick up.  A
script that runs out hangs up, so no call outlives its test.

``LivePhone`` is a person at a browser: the carrier tells it what happens
through a feed the page reads, and the person's clicks come back as actions
through ``Carrier.deliver``.

``Directory`` knows which party answers which address: an E.164 number, or
``client:<identity>`` for a Twilio Client device.
"""
from __future__ import annotations

import collections
import threading
from typing import TYPE_CHECKING, Any

from carrier.actions import (
    Action,
    Conferencing,
    HangUp,
    Holding,
    Listening,
    Moment,
    Pickup,
    Press,
    Recording,
    Silence,
    Speak,
    Talking,
    Wait,
)
from carrier.speech import Utterance

if TYPE_CHECKING:
    from carrier.calls import Call, LogEntry
    from carrier.messages import Message


# --- script steps ---------------------------------------------------------------

def press(digits: str) -> Press:
    return Press(digits)


def say(text: str, confidence: float = 0.92) -> Speak:
    return Speak(text, confidence)


def silence() -> Silence:
    return Silence()


def hang_up() -> HangUp:
    return HangUp()


def wait() -> Wait:
    """Stay on the line until something changes: in a queue, until taken out
    of it; in a conversation, until the other side hangs up."""
    return Wait()


# --- parties --------------------------------------------------------------------

class Party:
    """What the carrier needs from whoever is on the far end of a leg."""

    live = False   # a person acting in real time, whose input arrives by mailbox

    def __init__(self, address: str, name: str | None = None) -> None:
        self.address = address
        self.name = name or address

    def attach(self, call: Call) -> None:
        """A leg with this party at its end was created."""

    def ring(self, call: Call) -> Pickup | None:
        """The phone rings.  None: a person decides, later, through the mailbox."""
        return Pickup.HUMAN

    def next_action(self, call: Call, moment: Moment) -> Action | None:
        return Silence()

    def notice(self, call: Call, entry: LogEntry) -> None:
        """Something happened on a leg this party is on (it heard a prompt, the status changed...)."""

    def text(self, message: Message) -> None:
        """An SMS to this party's number arrived, or one it sent went out."""


class ScriptedParty(Party):
    """Takes one step of its script each time the carrier asks it something.

    ``wait()`` holds while the kind of moment stays the same: waiting in a
    queue, the wait music's prompts get silence; once connected to someone,
    the next step is taken.  Connected, it says and presses its next steps
    at once, up to a ``wait()`` or a hang-up: it does not react turn by turn.
    """

    def __init__(self, address: str, *steps: Action, pickup: Pickup = Pickup.HUMAN,
                 name: str | None = None) -> None:
        super().__init__(address, name)
        self.steps = collections.deque(steps)
        self.pickup = pickup
        self.calls: list[Call] = []
        self.heard: list[tuple[str, Utterance]] = []
        self.texts: list[Message] = []            # SMS it received and sent
        self._waiting: dict[str, type] = {}
        self._lock = threading.Lock()

    def attach(self, call: Call) -> None:
        self.calls.append(call)

    def ring(self, call: Call) -> Pickup:
        return self.pickup

    def next_action(self, call: Call, moment: Moment) -> Action:
        with self._lock:
            if isinstance(moment, Recording) and moment.after_speech:
                return self._after_speech(moment)
            waiting_in = self._waiting.get(call.sid)
            if waiting_in is not None:
                if waiting_in is type(moment) or (waiting_in is Holding and isinstance(moment, (Listening, Recording))):
                    return Wait() if isinstance(moment, (Holding, Talking, Conferencing)) else Silence()
                del self._waiting[call.sid]
            if not self.steps:
                return HangUp()
            step = self.steps.popleft()
            if isinstance(step, Wait):
                self._waiting[call.sid] = type(moment)
            return step

    def _after_speech(self, moment: Recording) -> Action:
        """Only a hang-up or a finishing key that is next in the script ends a
        recording after the words; anything else is left for later prompts."""
        upcoming = self.steps[0] if self.steps else None
        if isinstance(upcoming, HangUp) or (isinstance(upcoming, Press) and upcoming.digits[0] in moment.finish_on_key):
            return self.steps.popleft()
        return Silence()

    def notice(self, call: Call, entry: LogEntry) -> None:
        if entry.kind == "heard":
            self.heard.append((call.sid, entry.utterance))

    def text(self, message: Message) -> None:
        with self._lock:
            self.texts.append(message)

    def received(self) -> list[str]:
        """The bodies of the SMS that reached it, in order."""
        with self._lock:
            return [m.body for m in self.texts if m.to == self.address]

    def utterances(self, call_sid: str | None = None) -> list[Utterance]:
        return [u for sid, u in self.heard if call_sid in (None, sid)]


def answering_machine(address: str, patience: int = 3) -> ScriptedParty:
    """A voicemail box: picks up, never speaks or presses, and hangs up after
    ``patience`` prompts, as a mailbox does when its recording time runs out."""
    return ScriptedParty(address, *[Silence()] * patience, pickup=Pickup.MACHINE, name=f"voicemail {address}")


class Feed:
    """An append-only list of events a page reads with long polling."""

    def __init__(self) -> None:
        self._events: list[dict] = []
        self._cond = threading.Condition()

    def publish(self, kind: str, **data: Any) -> None:
        with self._cond:
            self._events.append({"seq": len(self._events) + 1, "kind": kind, **data})
            self._cond.notify_all()

    def since(self, after: int, timeout: float) -> list[dict]:
        with self._cond:
            self._cond.wait_for(lambda: len(self._events) > after, timeout)
            return self._events[after:]


class LivePhone(Party):
    live = True

    def __init__(self, address: str, name: str | None = None) -> None:
        super().__init__(address, name)
        self.feed = Feed()
        self.current: Call | None = None

    def attach(self, call: Call) -> None:
        if call.direction == "inbound":      # this phone placed the call
            self.current = call
            self.feed.publish("calling", call_sid=call.sid, from_=call.from_, to=call.to)

    def ring(self, call: Call) -> Pickup | None:
        if self.current is not None and self.current.live:
            return Pickup.BUSY          # one call at a time, like a real handset
        self.current = call
        self.feed.publish("ringing", call_sid=call.sid, from_=call.from_, to=call.to)
        return None

    def next_action(self, call: Call, moment: Moment) -> None:
        self.feed.publish("prompt", call_sid=call.sid, **_moment_json(moment))

    def notice(self, call: Call, entry: LogEntry) -> None:
        self.feed.publish("log", call_sid=call.sid, entry=entry.to_json())
        if entry.kind == "status" and entry.text not in ("queued", "initiated", "ringing"):
            self.feed.publish("status", call_sid=call.sid, status=entry.text)
            if call is self.current and not call.live:
                self.current = None

    def text(self, message: Message) -> None:
        self.feed.publish("sms", sid=message.sid, from_=message.from_, to=message.to, body=message.body,
                          at=message.date_created.isoformat(),
                          direction="sent" if message.from_ == self.address else "received")


def _moment_json(moment: Moment) -> dict:
    if isinstance(moment, Listening):
        return {"moment": "listening", "input": sorted(moment.input), "num_digits": moment.num_digits,
                "finish_on_key": moment.finish_on_key}
    if isinstance(moment, Recording):
        return {"moment": "recording", "finish_on_key": moment.finish_on_key, "max_length": moment.max_length}
    if isinstance(moment, Holding):
        return {"moment": "holding", "queue": moment.queue}
    if isinstance(moment, Conferencing):
        return {"moment": "conference", "conference": moment.conference, "mode": moment.mode}
    return {"moment": "talking", "peer": moment.peer}


class Directory:
    """Which party answers which address.  ``catch_all`` answers numbers no
    one registered (the browser's complainant phone takes all callbacks)."""

    def __init__(self) -> None:
        self._parties: dict[str, Party] = {}
        self.catch_all: Party | None = None
        self._lock = threading.Lock()

    def register(self, party: Party) -> Party:
        with self._lock:
            self._parties[party.address] = party
        return party

    def unregister(self, party: Party) -> None:
        with self._lock:
            if self._parties.get(party.address) is party:
                del self._parties[party.address]
            if self.catch_all is party:
                self.catch_all = None

    def lookup(self, address: str) -> Party | None:
        with self._lock:
            party = self._parties.get(address)
            if party is None and not address.startswith("client:"):
                party = self.catch_all
            return party
