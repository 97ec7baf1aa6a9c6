"""``<Enqueue>``: wait in a named queue until someone takes the call.

While waiting, the ``waitUrl`` document runs again and again (with
``QueuePosition``, ``QueueTime``, ``AvgQueueTime``, ``CurrentQueueSize`` and
``MaxQueueSize``); it may use ``<Say>``, ``<Play>``, ``<Pause>``,
``<Gather>``, ``<Redirect>``, ``<Leave>`` and ``<Hangup>``.  Each round lasts
at least as long as its prompts would take to say, so a document of prompts
only does not hammer the application.  Without ``waitUrl`` the caller hears
hold music.

The wait ends with a ``QueueResult`` for the ``action`` URL:
  bridged      a ``<Dial><Queue>`` took the call, and the agent hung up
               (the call goes on with the action's TwiML);
  leave        ``<Leave>`` in the wait document (goes on likewise);
  queue-full   the queue had no room (goes on likewise);
  hangup       the caller hung up (action requested, TwiML ignored);
  redirected   a REST update took the call elsewhere (likewise ignored);
  redirected-from-bridged  the same, during the bridge.
The Members REST resource dequeues with a URL: the action is reported as
``redirected`` and the call continues at that URL.  Without ``action`` the
call continues with the verb after ``<Enqueue>``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from carrier.actions import Holding
from carrier.bridge import ENDED, HANGUP, REDIRECTED, hold
from carrier.calls import TwimlSource
from carrier.signals import CallOver, Dequeued, LeaveQueue, PartyHungUp, PeerLeftBridge, Redirect
from carrier.speech import estimate_seconds
from carrier.twiml_schema import QUEUE_URL_VERBS, WAIT_VERBS

if TYPE_CHECKING:
    from carrier.calls import Dequeue
    from carrier.interpreter import Interpreter
    from carrier.queues import CallQueue, Member
    from carrier.twiml import Document, Node

# Twilio's default hold music is a classical playlist; call it this long a round.
HOLD_MUSIC_SECONDS = 10
PLAY_SECONDS = 10


def enqueue(interp: Interpreter, verb: Node, document: Document) -> TwimlSource | None:
    call = interp.call
    queue = interp.carrier.queues.get_or_create(verb.text)
    if verb.get("maxQueueSize"):
        queue.max_size = verb.number("maxQueueSize", queue.max_size)
    member = queue.join(call)
    if member is None:
        call.note("queue", f"queue {queue.friendly_name} is full", queue_sid=queue.sid, event="full")
        return _after(interp, verb, document, queue, "queue-full", 0)
    call.note("queue", f"waiting in queue {queue.friendly_name} at position {queue.position(member)}",
              queue_sid=queue.sid, event="joined")
    wait = TwimlSource(interp.resolve(verb.get("waitUrl"), document), verb.method("waitUrlMethod")) \
        if verb.get("waitUrl") else None
    try:
        _hold_in_queue(interp, queue, member, wait)
    except LeaveQueue:
        return _left(interp, verb, document, queue, member, "leave")
    except PartyHungUp:
        _left(interp, verb, document, queue, member, "hangup", report=True)
        raise
    except Redirect:
        _left(interp, verb, document, queue, member, "redirected", report=True, call_goes_on=True)
        raise
    except CallOver:
        queue.leave(member)
        raise
    except Dequeued as dequeued:
        return _dequeued(interp, verb, document, queue, member, dequeued.event)
    raise AssertionError("a queue wait only ends through a signal")


def _hold_in_queue(interp: Interpreter, queue: CallQueue, member: Member, wait: TwimlSource | None) -> None:
    """Loop until something takes the caller out of the queue (always a signal)."""
    interp.in_queue = True
    try:
        interp.consult(Holding(queue.friendly_name))
        while True:
            if wait is None:
                interp.sound("hold music")
                interp.pause(HOLD_MUSIC_SECONDS)
                continue
            source = TwimlSource(wait.url, wait.method, params=queue.wait_params(member))
            document = interp.load(source, WAIT_VERBS, "a waitUrl document")
            interp.run(document, allowed=WAIT_VERBS, purpose="a waitUrl document")
            interp.pause(max(1, round_seconds(document)))
    finally:
        interp.in_queue = False


def round_seconds(document: Document) -> int:
    """How long one round of wait music would take on a real line."""
    total = 0
    for verb in document.verbs:
        for node in [verb, *verb.children]:
            if node.name == "Say":
                total += estimate_seconds(node.text)
            elif node.name == "Play":
                total += PLAY_SECONDS
    return total


def _left(interp: Interpreter, verb: Node, document: Document, queue: CallQueue, member: Member,
          result: str, report: bool = False, call_goes_on: bool = False) -> TwimlSource | None:
    queue_time = queue.wait_time(member)
    queue.leave(member)
    interp.call.queue_time = queue_time
    interp.call.note("queue", f"left queue {queue.friendly_name}: {result}", queue_sid=queue.sid,
                     event="left", result=result)
    if report:
        interp.report(verb.get("action"), verb.method(), _params(queue, result, queue_time), document,
                      call_goes_on=call_goes_on)
        return None
    return _after(interp, verb, document, queue, result, queue_time)


def _dequeued(interp: Interpreter, verb: Node, document: Document, queue: CallQueue,
              member: Member, event: Dequeue) -> TwimlSource | None:
    """Taken out of the queue: to a new document, or into a bridge with an agent."""
    call = interp.call
    queue_time = call.queue_time = queue.wait_time(member)
    call.note("queue", f"taken from queue {queue.friendly_name}", queue_sid=queue.sid, event="left",
              result=event.reason)
    if event.bridge is None:
        interp.report(verb.get("action"), verb.method(), _params(queue, "redirected", queue_time), document,
                      call_goes_on=True)
        raise Redirect(event.source)
    bridge = event.bridge
    try:
        interp.joining = bridge
        try:
            if event.source is not None:
                interp.run(event.source, allowed=QUEUE_URL_VERBS, purpose="a <Queue url> document")
        finally:
            interp.joining = None
        bridge.connect()
        outcome = hold(interp, bridge, [call])
    except PeerLeftBridge:
        return _after(interp, verb, document, queue, "bridged", queue_time)
    except PartyHungUp:
        bridge.end(call)
        interp.report(verb.get("action"), verb.method(), _params(queue, "bridged", queue_time), document)
        raise
    except Redirect:
        bridge.end(call)
        interp.report(verb.get("action"), verb.method(), _params(queue, "redirected-from-bridged", queue_time),
                      document, call_goes_on=True)
        raise
    except BaseException:
        bridge.end(call)
        raise
    bridge.end(outcome.left)
    if outcome.left is call:
        if outcome.reason == HANGUP:
            interp.report(verb.get("action"), verb.method(), _params(queue, "bridged", queue_time), document)
            raise PartyHungUp()
        if outcome.reason == REDIRECTED:
            interp.report(verb.get("action"), verb.method(),
                          _params(queue, "redirected-from-bridged", queue_time), document, call_goes_on=True)
            raise Redirect(outcome.source)
        if outcome.reason == ENDED:
            raise CallOver("completed", "ended through the REST API")
    return _after(interp, verb, document, queue, "bridged", queue_time)


def _params(queue: CallQueue, result: str, queue_time: int) -> dict[str, str]:
    return {"QueueResult": result, "QueueSid": queue.sid, "QueueTime": str(queue_time)}


def _after(interp: Interpreter, verb: Node, document: Document, queue: CallQueue, result: str,
           queue_time: int) -> TwimlSource | None:
    if not verb.get("action"):
        return None
    return interp.follow(verb.get("action"), verb.method(), _params(queue, result, queue_time), document)
