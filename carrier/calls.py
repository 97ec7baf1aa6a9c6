"""A call leg: who is on it, its status, its status callbacks, its log, and
the mailbox through which everything that happens to it reaches the thread
running it.

One thread runs each live leg and is the only one that moves its status:
the leg's own interpreter, or, for a leg that ``<Dial>`` created, the
interpreter of the call that dialled.  Other threads (the REST API, a
phone's buttons, the other end of a bridge) post to the leg's mailbox
instead, so a hang-up, a redirect and a key press are handled in order by
that one thread, without a lock around every field.  (A REST update may also
replace the leg's callback and fallback URLs, which apply from their next use.)
"""
from __future__ import annotations

import collections
import itertools
import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any

import phonenumbers

from carrier.actions import INPUTS
from carrier.speech import Utterance

if TYPE_CHECKING:
    from carrier.exchange import Carrier
    from carrier.parties import Party

API_VERSION = "2010-04-01"
LIVE = ("queued", "ringing", "in-progress")
FINAL = ("completed", "busy", "no-answer", "failed", "canceled")
EVENTS = ("initiated", "ringing", "answered", "completed")


def rfc2822(moment: datetime | None) -> str | None:
    return format_datetime(moment) if moment else None


@dataclass(frozen=True)
class TwimlSource:
    """Where a call's next TwiML comes from: a URL, or TwiML given inline."""

    url: str | None = None
    method: str = "POST"
    twiml: str | None = None
    params: Mapping[str, str] = field(default_factory=dict)   # e.g. Digits for an action URL

    def describe(self) -> str:
        return f"{self.method} {self.url}" if self.url else "inline TwiML"


@dataclass(frozen=True)
class StatusCallback:
    url: str | None = None
    method: str = "POST"
    events: frozenset[str] = frozenset({"completed"})


# --- what arrives in a mailbox ---------------------------------------------------
# Party actions (carrier.actions) arrive here too.

@dataclass(frozen=True)
class RedirectRequest:
    source: TwimlSource


@dataclass(frozen=True)
class EndRequest:
    status: str           # completed or canceled, from the REST API


@dataclass(frozen=True)
class Dequeue:
    """The call leaves its queue: into a bridge (``<Dial><Queue>``) or to a
    new document (the Members REST resource)."""

    bridge: Any = None
    source: TwimlSource | None = None
    reason: str = "bridged"


@dataclass(frozen=True)
class PeerLeft:
    bridge: Any


@dataclass(frozen=True)
class BridgeConnected:
    """The dequeued caller has heard the <Queue url> document and is on the line."""

    bridge: Any


@dataclass(frozen=True)
class ConferenceNews:
    """Something in a conference this leg must act on: ``changed`` (the
    conference started, or the leg was put on or taken off hold),
    ``removed`` (the Participants resource took it out), ``ended`` (the
    conference is over), or ``announce`` (``document`` is to be played to it)."""

    conference: Any
    kind: str
    document: Any = None


@dataclass(frozen=True)
class MemberAvailable:
    queue_sid: str


@dataclass(frozen=True)
class Envelope:
    call_sid: str
    item: Any

    @property
    def is_input(self) -> bool:
        return isinstance(self.item, INPUTS)


class Mailbox:
    """Everything for a leg, in the order it happened.  A wait that is not
    for input (a pause, hold music, ringing) looks only at signals (hang-ups,
    redirects, ring decisions, queue and bridge news) and leaves keys and
    words queued for the next prompt.  While a leg is bridged by the thread
    of the call that dialled it, its mailbox forwards to that call's, so one
    thread hears both ends."""

    def __init__(self, owner_sid: str) -> None:
        self.owner_sid = owner_sid
        self._cond = threading.Condition()
        self._items: collections.deque[Envelope] = collections.deque()
        self._route: Mailbox | None = None

    def put(self, item: Any) -> None:
        self._deliver(Envelope(self.owner_sid, item))

    def forward_to(self, other: Mailbox | None) -> None:
        self._route = other

    def _deliver(self, envelope: Envelope) -> None:
        if self._route is not None:
            self._route._deliver(envelope)
            return
        with self._cond:
            self._items.append(envelope)
            self._cond.notify_all()

    def take(self, timeout: float | None, *, inputs: bool) -> Envelope | None:
        """The next item (only the next signal, unless ``inputs``); None when
        ``timeout`` real seconds pass first."""
        with self._cond:
            found: list[Envelope] = []

            def ready() -> bool:
                for envelope in self._items:
                    if inputs or not envelope.is_input:
                        found.append(envelope)
                        return True
                return False

            if not self._cond.wait_for(ready, timeout):
                return None
            self._items.remove(found[0])
            return found[0]


@dataclass(frozen=True)
class LogEntry:
    seq: int
    at: datetime
    call_sid: str
    kind: str            # status, callback, request, response, heard, played, input, notice, queue, bridge, ...
    text: str
    data: Mapping[str, Any]
    utterance: Utterance | None = None    # for "heard": what exactly was said

    def to_json(self) -> dict:
        data = dict(self.data)
        if self.utterance is not None:
            data["utterance"] = self.utterance.to_json()
        return {"seq": self.seq, "at": self.at.isoformat(), "call_sid": self.call_sid,
                "kind": self.kind, "text": self.text, "data": data}


class Call:
    def __init__(self, carrier: Carrier, *, sid: str, from_: str, to: str, direction: str,
                 party: Party | None, parent: Call | None = None, source: TwimlSource | None = None,
                 fallback: TwimlSource | None = None, status_callback: StatusCallback | None = None,
                 machine_detection: str | None = None, status: str = "queued",
                 caller_name: str | None = None, forwarded_from: str | None = None) -> None:
        self.carrier = carrier
        self.sid, self.from_, self.to, self.direction = sid, from_, to, direction
        self.account_sid = carrier.account_sid
        self.party = party
        self.parent = parent
        self.source, self.fallback = source, fallback
        self.status_callback = status_callback or StatusCallback()
        self.machine_detection = machine_detection
        self.caller_name, self.forwarded_from = caller_name, forwarded_from
        self.status = status
        now = carrier.clock.now()
        self.date_created = self.date_updated = now
        self.start_time: datetime | None = now if direction == "inbound" else None
        self.answered_at: datetime | None = None
        self.end_time: datetime | None = None
        self.answered_by: str | None = None
        self.queue_time = 0
        self.bridge = None
        self.mailbox = Mailbox(sid)
        self.ended = threading.Event()
        self.log: list[LogEntry] = []
        # Failures of the application on this call: what ended it with an
        # apology, and status callbacks it refused.
        self.errors: list[dict] = []
        self._sequence = itertools.count()

    # --- facts ------------------------------------------------------------------

    @property
    def live(self) -> bool:
        return self.status in LIVE

    @property
    def duration(self) -> int:
        """Seconds from answer to hang-up, rounded up as Twilio bills them."""
        if not self.answered_at:
            return 0
        end = self.end_time or self.carrier.clock.now()
        return math.ceil((end - self.answered_at).total_seconds())

    def params(self) -> dict[str, str]:
        """The parameters Twilio sends with every request about this call."""
        params = {
            "AccountSid": self.account_sid, "CallSid": self.sid, "From": self.from_, "To": self.to,
            "Caller": self.from_, "Called": self.to, "CallStatus": self.status,
            "Direction": self.direction, "ApiVersion": API_VERSION,
        }
        for names, number in ((("FromCountry", "CallerCountry"), self.from_),
                              (("ToCountry", "CalledCountry"), self.to)):
            country = _country(number)
            if country:
                params.update(dict.fromkeys(names, country))
        optional = {"ParentCallSid": self.parent.sid if self.parent else None,
                    "ForwardedFrom": self.forwarded_from, "CallerName": self.caller_name,
                    "AnsweredBy": self.answered_by}
        params.update({k: v for k, v in optional.items() if v})
        return params

    # --- the log ----------------------------------------------------------------

    def note(self, kind: str, text: str, utterance: Utterance | None = None, **data: Any) -> LogEntry:
        entry = self.carrier.record(self, kind, text, data, utterance)
        if self.party is not None:
            self.party.notice(self, entry)
        return entry

    def entries(self, kind: str) -> list[LogEntry]:
        return [entry for entry in self.log if entry.kind == kind]

    # --- status -----------------------------------------------------------------

    def initiate(self) -> None:
        """The carrier starts dialling an outbound leg (Twilio's ``initiated`` event)."""
        self.start_time = self.carrier.clock.now()
        self.note("status", "initiated")
        self._emit("initiated", "initiated")

    def set_status(self, status: str) -> None:
        if status == self.status or not self.live:
            return
        now = self.carrier.clock.now()
        self.status, self.date_updated = status, now
        if status == "in-progress":
            self.answered_at = now
        if status in FINAL:
            self.end_time = now
        self.note("status", status)
        if status == "ringing":
            self._emit("ringing", status)
        elif status == "in-progress":
            self._emit("answered", status)
        elif status in FINAL:
            self._emit("completed", status)
            self.mailbox.forward_to(None)
            self.ended.set()
            self.carrier.call_ended(self)

    def _emit(self, event: str, call_status: str) -> None:
        callback = self.status_callback
        if not callback.url or event not in callback.events:
            return
        params = self.params()
        params.update({
            "CallStatus": call_status, "SequenceNumber": str(next(self._sequence)),
            "Timestamp": rfc2822(self.carrier.clock.now()), "CallbackSource": "call-progress-events",
        })
        if event == "completed":
            params["CallDuration"] = str(self.duration)
        self.carrier.notify(self, callback.url, callback.method, params, what=f"status callback ({event})")

    def wait_ended(self, timeout: float) -> bool:
        return self.ended.wait(timeout)

    def __repr__(self) -> str:
        return f"<Call {self.sid} {self.from_}->{self.to} {self.direction} {self.status}>"


def _country(number: str) -> str | None:
    if not number.startswith("+"):
        return None
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(number)) or None
    except phonenumbers.NumberParseException:
        return None

