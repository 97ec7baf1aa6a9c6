"""Ringing one or more phones until one picks up.

Used for a REST call to a party and for the legs of ``<Dial>``, which rings
all its numbers and clients at once (or one after the other with
``sequential``); the first to pick up wins and the others stop ringing.
A scripted party decides at once; a person's phone rings until they answer,
decline or the timeout passes.  Each leg's status callbacks follow: initiated,
ringing, then answered or its final status.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from carrier.actions import Answer, HangUp, Pickup
from carrier.calls import EndRequest, RedirectRequest

if TYPE_CHECKING:
    from carrier.calls import Call
    from carrier.interpreter import Interpreter

CANCELED = "canceled"


def ring(interp: Interpreter, legs: list[Call], timeout: int) -> tuple[Call, Pickup] | None:
    """Ring ``legs`` at once; the first to pick up and how it answered, or
    None when nobody did.  Every other leg ends with its final status."""
    decided: dict[str, Pickup | str] = {}
    for leg in legs:
        leg.initiate()
        if leg.party is None:
            leg.note("notice", f"nobody answers {leg.to} on the local carrier", code=None)
            decided[leg.sid] = Pickup.FAIL
            continue
        leg.set_status("ringing")
        pickup = leg.party.ring(leg)
        if pickup is not None:
            decided[leg.sid] = pickup

    by_sid = {leg.sid: leg for leg in legs}
    winner = _first_answered(legs, decided)
    deadline = interp.clock.seconds(timeout)
    while winner is None and len(decided) < len(legs):
        envelope = interp.mailbox.take(deadline, inputs=False)
        if envelope is None:
            break                                         # nobody picked up in time
        leg = by_sid.get(envelope.call_sid)
        if leg is None:
            try:
                interp.dispatch(envelope)                 # the caller hung up or was redirected
            except BaseException:
                _stop(legs, decided, winner=None, default=CANCELED)
                raise
            continue
        item = envelope.item
        if isinstance(item, Answer):
            decided[leg.sid] = item.pickup
        elif isinstance(item, HangUp):
            decided[leg.sid] = Pickup.DECLINE
        elif isinstance(item, EndRequest):
            decided[leg.sid] = CANCELED
        elif isinstance(item, RedirectRequest):
            leg.source = item.source                      # a REST update before answer: used on answer
        winner = _first_answered(legs, decided)
    _stop(legs, decided, winner, default="no-answer")
    return (winner, decided[winner.sid]) if winner else None


def _first_answered(legs: list[Call], decided: dict) -> Call | None:
    return next((leg for leg in legs if isinstance(decided.get(leg.sid), Pickup) and decided[leg.sid].answered), None)


def _stop(legs: list[Call], decided: dict, winner: Call | None, default: str) -> None:
    for leg in legs:
        if leg is winner:
            continue
        outcome = decided.get(leg.sid)
        if isinstance(outcome, Pickup):
            status = CANCELED if outcome.answered else outcome.call_status
        else:
            status = outcome or (CANCELED if winner else default)
        leg.set_status(status)


def dial_status(legs: list[Call]) -> str:
    """One DialCallStatus for legs nobody answered."""
    statuses = {leg.status for leg in legs}
    if len(statuses) == 1:
        return statuses.pop()
    return "no-answer"
