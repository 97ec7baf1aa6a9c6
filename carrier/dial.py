"""``<Dial>``: connect the call to a number, a Client device or a queue.

To numbers and clients the carrier creates one outbound-dial leg per noun
(``ParentCallSid`` is the dialling call), rings them (``ringing``), plays the
noun's ``url`` whisper to whoever picks up, and bridges.  When the dialled
leg ends, the call goes on: to the ``action`` URL with ``DialCallStatus``,
``DialCallSid`` and ``DialCallDuration``, or to the next verb.  If the caller
hangs up, the action URL is still requested and its TwiML ignored.  A REST
redirect of the caller drops the dialled leg and skips the action.

To a queue the carrier takes the front caller (waiting up to ``timeout``
for one to arrive), runs the ``<Queue url>`` document on that caller's leg,
and bridges the two calls, each of which then goes on with its own TwiML.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from carrier.bridge import ENDED, HANGUP, REDIRECTED, Bridge, Outcome, hold
from carrier.calls import BridgeConnected, Dequeue, MemberAvailable, PeerLeft, StatusCallback, TwimlSource
from carrier.conference import dial_conference
from carrier.ringing import dial_status, ring
from carrier.signals import CallOver, OtherLeg, PartyHungUp, Redirect
from carrier.twiml import SCHEMA_WARNING, TwimlProblem
from carrier.twiml_schema import WHISPER_VERBS

if TYPE_CHECKING:
    from carrier.calls import Call
    from carrier.interpreter import Interpreter
    from carrier.twiml import Document, Node

DEFAULT_TIMEOUT = 30
DEFAULT_TIME_LIMIT = 4 * 60 * 60


@dataclass(frozen=True)
class Target:
    address: str                # +8613... or client:identity
    noun: Node | None          # <Number> or <Client>; None for a bare number


def dial(interp: Interpreter, verb: Node, document: Document) -> TwimlSource | None:
    conferences = [noun for noun in verb.children if noun.name == "Conference"]
    if conferences:
        if len(verb.children) > 1 or verb.own_text:
            raise interp.application_error(TwimlProblem(
                "<Conference> must be the only noun of its <Dial>", code=SCHEMA_WARNING, element="Dial",
                line=verb.line).to_json())
        return dial_conference(interp, verb, document, conferences[0])
    queues = [noun for noun in verb.children if noun.name == "Queue"]
    if queues:
        if len(verb.children) > 1 or verb.own_text:
            raise interp.application_error(TwimlProblem(
                "<Queue> must be the only noun of its <Dial>", code=SCHEMA_WARNING, element="Dial",
                line=verb.line).to_json())
        return _dial_queue(interp, verb, document, queues[0])
    targets = _targets(verb)
    if not targets:
        raise interp.application_error(TwimlProblem("names nobody to dial", code=SCHEMA_WARNING,
                                                    element="Dial", line=verb.line).to_json())
    return _dial_parties(interp, verb, document, targets)


def _targets(verb: Node) -> list[Target]:
    targets = [Target(verb.own_text, None)] if verb.own_text else []
    for noun in verb.children:
        if noun.name == "Number":
            targets.append(Target(noun.text, noun))
        elif noun.name == "Client":
            identity = next((c.text for c in noun.children if c.name == "Identity"), noun.own_text)
            targets.append(Target(f"client:{identity}", noun))
    return targets


# --- numbers and clients -------------------------------------------------------------

def _dial_parties(interp: Interpreter, verb: Node, document: Document,
                  targets: list[Target]) -> TwimlSource | None:
    caller_id = verb.get("callerId") or interp.call.from_
    timeout = verb.number("timeout", DEFAULT_TIMEOUT)
    groups = [[t] for t in targets] if verb.flag("sequential") else [targets]
    legs: dict[str, tuple[Call, Target]] = {}
    answered = None
    try:
        for group in groups:
            ringing = [_leg(interp, document, target, caller_id) for target in group]
            legs.update({leg.sid: (leg, target) for leg, target in zip(ringing, group, strict=True)})
            answered = ring(interp, ringing, timeout)
            if answered:
                break
    except PartyHungUp:
        interp.report(verb.get("action"), verb.method(), {"DialCallStatus": "canceled"}, document)
        raise
    if answered is None:
        return _after(interp, verb, document, dial_status([leg for leg, _ in legs.values()]), None)

    leg, target = legs[answered[0].sid]
    leg.set_status("in-progress")
    try:
        try:
            outcome = _connect(interp, verb, document, leg, target)
        except OtherLeg as other:             # the caller hung up or was redirected during a whisper
            interp.dispatch(other.envelope)
            raise
    except PartyHungUp:
        _end(leg)
        interp.report(verb.get("action"), verb.method(), _dial_params("completed", leg), document)
        raise
    except BaseException:
        _end(leg)
        raise
    if outcome is None:
        return _after(interp, verb, document, "no-answer", leg)
    return _finish_bridge(interp, verb, document, leg, outcome)


def _connect(interp: Interpreter, verb: Node, document: Document, leg: Call,
             target: Target) -> Outcome | None:
    """Whisper to the dialled party, then bridge; None if the whisper hung up."""
    noun = target.noun
    if noun is not None and noun.get("sendDigits"):
        leg.note("played", f"DTMF {noun.get('sendDigits')}", digits=noun.get("sendDigits"))
    if noun is not None and noun.get("url") and not _whisper(interp, leg, noun, document):
        return None
    interp.answer()                           # with answerOnBridge the caller is answered only now
    call = interp.call
    bridge = Bridge(call, leg, one_thread=True)
    bridge.connect()
    outcome = hold(interp, bridge, [call, leg], hang_up_on_star=call if verb.flag("hangupOnStar") else None,
                   time_limit=verb.number("timeLimit", DEFAULT_TIME_LIMIT))
    bridge.end(outcome.left)
    return outcome


def _end(leg: Call) -> None:
    if leg.live:
        leg.set_status("completed")


def _leg(interp: Interpreter, document: Document, target: Target, caller_id: str) -> Call:
    noun = target.noun
    callback = StatusCallback()
    if noun is not None and noun.get("statusCallback"):
        events = (noun.get("statusCallbackEvent") or "completed").replace(",", " ").split()
        callback = StatusCallback(interp.resolve(noun.get("statusCallback"), document),
                                  noun.method("statusCallbackMethod"), frozenset(events))
    leg = interp.carrier.dial_leg(interp.call, target.address, caller_id, callback)
    if noun is not None:
        for parameter in (c for c in noun.children if c.name == "Parameter"):
            leg.note("info", f"custom parameter {parameter.get('name')}={parameter.get('value')}")
    return leg


def _whisper(interp: Interpreter, leg: Call, noun: Node, document: Document) -> bool:
    """Run the noun's ``url`` document for the dialled party before the
    bridge; False when it hangs up instead (the caller is then not connected)."""
    source = TwimlSource(interp.resolve(noun.get("url"), document), noun.method())
    try:
        interp.for_leg(leg).run(source, allowed=WHISPER_VERBS, purpose=f"a <{noun.name} url> whisper")
    except CallOver:
        _end(leg)
        return False
    except Redirect as redirect:              # the dialled leg was taken elsewhere by a REST update
        interp.carrier.release_leg(leg, redirect.source)
        return False
    return True


def _finish_bridge(interp: Interpreter, verb: Node, document: Document, leg: Call,
                   outcome: Outcome) -> TwimlSource | None:
    call = interp.call
    if outcome.left is leg and outcome.reason == REDIRECTED:
        interp.carrier.release_leg(leg, outcome.source)   # the dialled party goes on alone
    else:
        _end(leg)
    if outcome.left is call:
        if outcome.reason == HANGUP:
            interp.report(verb.get("action"), verb.method(), _dial_params("completed", leg), document)
            raise PartyHungUp()
        if outcome.reason == REDIRECTED:
            raise Redirect(outcome.source)
        if outcome.reason == ENDED:
            raise CallOver("completed", "ended through the REST API")
    return _after(interp, verb, document, "completed", leg)


def _dial_params(status: str, leg: Call | None) -> dict[str, str]:
    params = {"DialCallStatus": status}
    if leg is not None:
        params.update({"DialCallSid": leg.sid, "DialCallDuration": str(leg.duration)})
    return params


def _after(interp: Interpreter, verb: Node, document: Document, status: str,
           leg: Call | None) -> TwimlSource | None:
    interp.call.note("dial", f"dial ended: {status}", dial_call_status=status,
                     dial_call_sid=leg.sid if leg else None)
    if not verb.get("action"):
        return None
    return interp.follow(verb.get("action"), verb.method(), _dial_params(status, leg), document)


# --- queues ---------------------------------------------------------------------------

def _dial_queue(interp: Interpreter, verb: Node, document: Document, noun: Node) -> TwimlSource | None:
    call = interp.call
    queue = interp.carrier.queues.named(noun.text)
    if queue is None:
        call.note("notice", f"there is no queue named {noun.text!r}", element="Queue", code=None)
        return _after(interp, verb, document, "failed", None)
    member = queue.take()
    if member is None:
        queue.watch(call.mailbox)
        try:
            member = _wait_for_member(interp, queue, verb.number("timeout", DEFAULT_TIMEOUT))
        finally:
            queue.unwatch(call.mailbox)
    if member is None:
        return _after(interp, verb, document, "no-answer", None)

    interp.answer()
    queue_time = queue.wait_time(member)
    member.call.queue_time = queue_time
    source = None
    if noun.get("url"):
        source = TwimlSource(interp.resolve(noun.get("url"), document), noun.method(),
                             params={"QueueSid": queue.sid, "QueueTime": str(queue_time),
                                     "DequeingCallSid": call.sid})
    bridge = Bridge(call, member.call, one_thread=False)
    member.call.mailbox.put(Dequeue(bridge=bridge, source=source))
    try:
        if not _wait_for_connection(interp, bridge):
            return _after(interp, verb, document, "no-answer", member.call)
        outcome = hold(interp, bridge, [call], hang_up_on_star=call if verb.flag("hangupOnStar") else None,
                       time_limit=verb.number("timeLimit", DEFAULT_TIME_LIMIT))
    except BaseException:
        bridge.end(call)
        raise
    bridge.end(outcome.left)
    if outcome.left is call:
        if outcome.reason == HANGUP:
            interp.report(verb.get("action"), verb.method(), _dial_params("completed", member.call), document)
            raise PartyHungUp()
        if outcome.reason == REDIRECTED:
            raise Redirect(outcome.source)
        if outcome.reason == ENDED:
            raise CallOver("completed", "ended through the REST API")
    return _after(interp, verb, document, "completed", member.call)


def _wait_for_connection(interp: Interpreter, bridge: Bridge) -> bool:
    """The agent hears nothing until the dequeued caller has heard the
    <Queue url> document; False if that caller hangs up first."""
    while True:
        envelope = interp.mailbox.take(None, inputs=False)
        item = envelope.item
        if isinstance(item, BridgeConnected) and item.bridge is bridge:
            return True
        if isinstance(item, PeerLeft) and item.bridge is bridge:
            return False
        interp.dispatch(envelope)


def _wait_for_member(interp: Interpreter, queue, timeout: int):
    deadline = interp.clock.seconds(timeout)
    while True:
        envelope = interp.mailbox.take(deadline, inputs=False)
        if envelope is None:
            return None
        if isinstance(envelope.item, MemberAvailable):
            member = queue.take()
            if member is not None:
                return member
            continue
        interp.dispatch(envelope)
