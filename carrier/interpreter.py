"""Running TwiML for one call leg.

The interpreter fetches a document (signed, with Twilio's parameters), runs
its verbs in order, and follows the next URL a verb names, until a document
runs out (the call hangs up, as on Twilio) or the call ends.  The simple
verbs live here; ``<Gather>``, ``<Record>``, ``<Dial>`` and ``<Enqueue>`` have
modules of their own.

Failures follow Twilio: an unreachable application, an HTTP error, a reply
that is not TwiML or a document that does not parse sends the request to the
call's Fallback URL with ``ErrorCode`` and ``ErrorUrl``; without one, the
caller hears that an application error occurred and the call ends.  Every
failure is a ``notice`` in the call's log with its code.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from carrier import conference as conference_leg
from carrier import dial, enqueue, gather, record
from carrier.actions import INPUTS, Action, HangUp, Moment, Pickup, Press, Silence, Speak, describe
from carrier.calls import ConferenceNews, Dequeue, EndRequest, Envelope, Mailbox, PeerLeft, RedirectRequest, TwimlSource
from carrier.ringing import ring
from carrier.signals import (
    CallOver,
    ConferenceInterrupt,
    Dequeued,
    LeaveQueue,
    OtherLeg,
    PartyHungUp,
    PeerLeftBridge,
    Redirect,
)
from carrier.speech import Utterance, plain, utterance_of
from carrier.twiml import PARSE_FAILURE, Document, Node, TwimlProblem, check_allowed, parse
from carrier.webhooks import WebhookFailure

if TYPE_CHECKING:
    from carrier.calls import Call
    from carrier.exchange import Carrier

INVALID_URL = 11100
APPLICATION_ERROR = "We are sorry, an application error has occurred. Goodbye."
NOT_IN_SERVICE = "The number you have dialed is not in service."


class Interpreter:
    def __init__(self, carrier: Carrier, call: Call, mailbox: Mailbox | None = None) -> None:
        self.carrier = carrier
        self.call = call
        self.clock = carrier.clock
        # A dialled leg is run by the thread of the call that dialled it and
        # reads that call's mailbox, where its own mailbox forwards.
        self.mailbox = mailbox or call.mailbox
        self.in_queue = False       # <Leave> only means something in a queue's wait music
        self.joining = None         # the bridge a dequeued caller is being connected to
        self.conference = None      # the conference this leg is in

    def for_leg(self, leg: Call) -> Interpreter:
        """An interpreter for a leg this thread looks after (a dialled party's whisper)."""
        return Interpreter(self.carrier, leg, mailbox=self.mailbox)

    # --- whole calls ---------------------------------------------------------------

    def run_inbound(self) -> None:
        call = self.call
        if call.source is None:
            self.hear(plain(NOT_IN_SERVICE, "en-US"))
            call.note("notice", f"no number {call.to} on this account", code=None)
            call.set_status("failed")
            return
        self._run_to_end(call.source)

    def run_outbound(self, ring_timeout: int, send_digits: str | None) -> None:
        call = self.call
        try:
            answered = ring(self, [call], ring_timeout)
        except CallOver as over:
            call.set_status(over.status)
            return
        if answered is None:
            return
        if call.machine_detection:
            call.answered_by = _answered_by(call.machine_detection, answered[1])
        call.set_status("in-progress")
        if send_digits:
            call.note("played", f"DTMF {send_digits}", digits=send_digits)
        self._run_to_end(call.source)

    def run_dial_out(self, conference, participant, ring_timeout: int) -> None:
        """A Participants dial-out: ring, then join the conference."""
        conference_leg.run_dial_out(self, conference, participant, ring_timeout)

    def run_redirected(self, source: TwimlSource) -> None:
        """A dialled leg taken out of its bridge by a REST update runs on its own."""
        self._run_to_end(source)

    def _run_to_end(self, source: TwimlSource) -> None:
        call = self.call
        try:
            self.run(source)
            status = "completed"
        except CallOver as over:
            status = over.status
            if isinstance(over, PartyHungUp) and call.status == "ringing":
                status = "canceled"      # the caller gave up before anything answered
        call.set_status(status)

    # --- documents ---------------------------------------------------------------------

    def run(self, source: TwimlSource | Document | None, *, allowed: frozenset[str] | None = None,
            purpose: str = "") -> None:
        """Run documents until one ends without naming another."""
        while source is not None:
            try:
                document = source if isinstance(source, Document) else self.load(source, allowed, purpose)
                source = self.execute(document)
            except Redirect as redirect:
                if allowed is not None:
                    raise                 # a REST redirect ends a whisper or wait document too
                source = redirect.source

    def load(self, source: TwimlSource, allowed: frozenset[str] | None = None, purpose: str = "") -> Document:
        """The document at ``source`` (or the Fallback URL's); ``allowed``
        limits its verbs, for documents with a special purpose."""
        try:
            text = source.twiml if source.twiml is not None else self.fetch(source)
            document = parse(text, url=source.url, strict=self.carrier.strict)
        except WebhookFailure as failure:
            document = self._fall_back(source, failure.code, failure.message)
        except TwimlProblem as problem:
            if problem.code != PARSE_FAILURE or source.twiml is not None:
                raise self.application_error(problem.to_json()) from None
            document = self._fall_back(source, problem.code, str(problem))
        if allowed is not None:
            try:
                check_allowed(document, allowed, purpose)
            except TwimlProblem as problem:
                raise self.application_error(problem.to_json()) from None
        for warning in document.warnings:
            self.call.note("notice", str(warning), **warning.to_json())
        return document

    def fetch(self, source: TwimlSource, **override: str) -> str:
        params = {**self.call.params(), **source.params, **override}
        self.call.note("request", f"{source.method} {source.url}", url=source.url, method=source.method,
                       params=params)
        text = self.carrier.webhooks.fetch_twiml(source.url, source.method, params)
        self.call.note("response", "TwiML", url=source.url, twiml=text)
        return text

    def _fall_back(self, source: TwimlSource, code: int, message: str) -> Document:
        self.call.note("notice", message, code=code, url=source.url)
        fallback = self.call.fallback
        if fallback and fallback.url and fallback.url != source.url:
            retry = TwimlSource(fallback.url, fallback.method,
                                params={"ErrorCode": str(code), "ErrorUrl": source.url or ""})
            try:
                return parse(self.fetch(retry), url=fallback.url, strict=self.carrier.strict)
            except WebhookFailure as failure:
                raise self.application_error({"code": failure.code, "message": failure.message,
                                              "url": failure.url}) from failure
            except TwimlProblem as problem:
                raise self.application_error(problem.to_json()) from problem
        raise self.application_error({"code": code, "message": message, "url": source.url}, logged=True)

    def application_error(self, notice: dict, *, logged: bool = False) -> CallOver:
        """What Twilio does when it cannot go on: an apology, then hang up."""
        if not logged:
            self.call.note("notice", notice["message"], **notice)
        self.call.errors.append(notice)
        self.hear(plain(APPLICATION_ERROR, "en-US"))
        return CallOver("completed", "application error")

    def execute(self, document: Document) -> TwimlSource | Document | None:
        for verb in document.verbs:
            self.check_signals()
            if not (verb.name == "Reject" or (verb.name == "Dial" and verb.flag("answerOnBridge"))):
                self.answer()
            following = VERBS[verb.name](self, verb, document)
            if following is not None:
                return following
        return None

    def answer(self) -> None:
        """An inbound call is answered by the first verb that is not <Reject>."""
        if self.call.status == "ringing" and self.call.direction == "inbound":
            self.call.set_status("in-progress")

    # --- URLs ------------------------------------------------------------------------------

    def resolve(self, url: str, document: Document) -> str:
        absolute = urljoin(document.url, url) if document.url else url
        if not urlsplit(absolute).scheme:
            raise self.application_error({"code": INVALID_URL, "problem": "schema", "message":
                                          f"{INVALID_URL} cannot use the relative URL {url!r}: "
                                          "TwiML given inline has no address to resolve it against"})
        return absolute

    def follow(self, url: str | None, method: str, params: dict[str, str], document: Document) -> TwimlSource:
        """The next document: ``url`` (or, as Twilio does, the current one)."""
        if not url and not document.url:
            raise self.application_error({"code": INVALID_URL, "problem": "schema", "message":
                                          f"{INVALID_URL} no action URL and no document URL to post to"})
        return TwimlSource(self.resolve(url or document.url, document), method, params=params)

    def report(self, url: str | None, method: str, params: dict[str, str], document: Document, *,
               call_goes_on: bool = False) -> None:
        """Request an action URL whose TwiML will not run, as Twilio still
        does for <Dial>, <Record> and <Enqueue>: the caller has gone
        (``CallStatus=completed``), or a REST request moved the call on
        elsewhere (``call_goes_on``: the call's own, live status)."""
        if not url:
            return
        source = TwimlSource(self.resolve(url, document), method, params=params)
        try:
            self.fetch(source, **({} if call_goes_on else {"CallStatus": "completed"}))
        except WebhookFailure as failure:
            self.call.note("notice", failure.message, code=failure.code, url=failure.url)

    # --- what the party hears --------------------------------------------------------------

    def hear(self, utterance: Utterance) -> None:
        self.call.note("heard", utterance.text, utterance=utterance)

    def sound(self, what: str, **data: str) -> None:
        self.call.note("played", what, **data)

    def prompt(self, verb: Node, document: Document) -> None:
        """<Say>, <Play> or <Pause>, alone or nested in <Gather>."""
        VERBS[verb.name](self, verb, document)

    # --- waiting and asking ----------------------------------------------------------------

    def check_signals(self) -> None:
        envelope = self.mailbox.take(0, inputs=False)
        while envelope is not None:
            self.dispatch(envelope)
            envelope = self.mailbox.take(0, inputs=False)

    def dispatch(self, envelope: Envelope) -> Action | None:
        """Turn what arrived into an input to return, or a signal to raise."""
        item = envelope.item
        if envelope.call_sid != self.call.sid:
            if isinstance(item, (HangUp, RedirectRequest, EndRequest)):
                raise OtherLeg(envelope)
            return None
        if isinstance(item, HangUp):
            raise PartyHungUp()
        if isinstance(item, RedirectRequest):
            raise Redirect(item.source)
        if isinstance(item, EndRequest):
            raise CallOver(item.status, "ended through the REST API")
        if isinstance(item, Dequeue):
            raise Dequeued(item)
        if isinstance(item, PeerLeft):
            if item.bridge is self.joining:
                raise PeerLeftBridge(item.bridge)
            return None
        if isinstance(item, ConferenceNews):
            if item.conference is self.conference and self.conference is not None:
                raise ConferenceInterrupt(item)
            return None
        return item if isinstance(item, INPUTS) else None

    def pause(self, call_seconds: float) -> None:
        """Let call time pass; anything but input cuts it short."""
        envelope = self.mailbox.take(self.clock.seconds(call_seconds), inputs=False)
        while envelope is not None:
            self.dispatch(envelope)
            envelope = self.mailbox.take(0, inputs=False)

    def consult(self, moment: Moment) -> Action | None:
        """Ask the party what it does now.  A person's phone is told what the
        carrier waits for and answers later, through the mailbox."""
        self.check_signals()
        party = self.call.party
        if party is None:
            return Silence()
        action = party.next_action(self.call, moment)
        if action is None:
            return None
        if isinstance(action, HangUp):
            raise PartyHungUp()
        self._note_input(action)
        return action

    def ask(self, moment: Moment, *, within: float | None = None, again: bool = False) -> Action | None:
        """The party's next input at ``moment``.  A person gets ``within``
        call seconds (None: as long as they like, up to the idle limit);
        ``again`` asks for more of the same input without re-announcing."""
        party = self.call.party
        if party is None or not party.live:
            return self.consult(moment)
        if not again:
            party.next_action(self.call, moment)
        limit = self.clock.seconds(within) if within is not None else self.carrier.idle_limit
        while True:
            envelope = self.mailbox.take(limit, inputs=True)
            if envelope is None:
                if within is not None:
                    return None
                self.call.note("notice", f"nobody acted for {int(limit)} seconds; the carrier hangs up")
                raise CallOver("completed", "idle")
            item = self.dispatch(envelope)
            if item is not None:
                self._note_input(item)
                return item

    def _note_input(self, action: Action) -> None:
        if isinstance(action, (Press, Speak)):
            self.call.note("input", describe(action), digits=getattr(action, "digits", None),
                           speech=getattr(action, "text", None))


# --- the simple verbs ----------------------------------------------------------------------

def _say(interp: Interpreter, verb: Node, document: Document) -> None:
    interp.hear(utterance_of(verb))


def _play(interp: Interpreter, verb: Node, document: Document) -> None:
    if verb.get("digits"):
        interp.sound(f"DTMF {verb.get('digits')}", digits=verb.get("digits"))
    if verb.text:
        interp.sound(f"audio {verb.text}", url=interp.resolve(verb.text, document), loop=verb.get("loop", "1"))


def _pause(interp: Interpreter, verb: Node, document: Document) -> None:
    interp.pause(verb.number("length", 1))


def _redirect(interp: Interpreter, verb: Node, document: Document) -> TwimlSource:
    return TwimlSource(interp.resolve(verb.text, document), verb.method())


def _hangup(interp: Interpreter, verb: Node, document: Document) -> None:
    raise CallOver("completed", "<Hangup>")


def _reject(interp: Interpreter, verb: Node, document: Document) -> None:
    if interp.call.status == "in-progress":
        raise CallOver("completed", "<Reject> after the call was answered")
    busy = verb.get("reason", "rejected") == "busy"
    interp.sound("busy tone" if busy else "not-in-service announcement")
    raise CallOver("busy" if busy else "no-answer", "<Reject>")


def _leave(interp: Interpreter, verb: Node, document: Document) -> None:
    if not interp.in_queue:
        interp.call.note("notice", "<Leave> outside a queue does nothing", element="Leave", code=None)
        return
    raise LeaveQueue()


def _answered_by(mode: str, pickup: Pickup) -> str:
    if pickup is Pickup.HUMAN:
        return "human"
    return "machine_end_beep" if mode == "DetectMessageEnd" else "machine_start"


VERBS: dict[str, Callable[[Interpreter, Node, Document], object]] = {
    "Say": _say, "Play": _play, "Pause": _pause, "Redirect": _redirect, "Hangup": _hangup,
    "Reject": _reject, "Leave": _leave, "Gather": gather.gather, "Record": record.record,
    "Dial": dial.dial, "Enqueue": enqueue.enqueue,
}
