"""Operators' seats: the states an operator is in, which changes are
allowed and who causes them, and who is offered the next waiting caller.

Pure rules over plain data: no Flask, no database, no Twilio.  The seat
services (operators.distribution, operators.seat_services) store what these
functions decide.

An operator is ``available`` (idle, may be offered a caller), ``ringing``
(offered a caller, their device rings: reserved for that caller alone),
``on_call``, in ``wrap_up`` after a call (for a set time, then available
again), on a ``break`` or ``offline``.  ``ringing`` is the reservation that
makes "never two callers for one operator" a state rather than a race.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Sequence

AVAILABLE, RINGING, ON_CALL, WRAP_UP, BREAK, OFFLINE = "available", "ringing", "on_call", "wrap_up", "break", "offline"
STATES = (AVAILABLE, RINGING, ON_CALL, WRAP_UP, BREAK, OFFLINE)
# What an operator may choose in the console; the others follow calls.
CHOSEN = (AVAILABLE, BREAK, OFFLINE)
# Seats that answer the queues now or soon: they size the wait estimate.
STAFFING = (AVAILABLE, RINGING, ON_CALL, WRAP_UP)

# Why a seat changed, when the operator did not choose it.
NO_ANSWER = "no_answer"          # offered a caller and did not pick up
BOARD_CLOSED = "board_closed"    # available, but their live board stopped reporting in
WRAP_UP_OVER = "wrap_up_over"
CALLER_LEFT = "caller_left"      # the caller hung up while the operator's device rang
CALL_ENDED = "call_ended"

# Who may move a seat from one state to another: the operator (in the
# console) or the service (distribution, a call's events, timers).
_BY_OPERATOR = {
    OFFLINE: {AVAILABLE, BREAK},
    BREAK: {AVAILABLE, OFFLINE},
    AVAILABLE: {BREAK, OFFLINE},
    WRAP_UP: {AVAILABLE, BREAK, OFFLINE},
    RINGING: set(),              # the offer is answered or missed first
    ON_CALL: set(),              # the call ends first (then wrap-up)
}
_BY_SERVICE = {
    AVAILABLE: {RINGING, ON_CALL, OFFLINE},
    RINGING: {ON_CALL, AVAILABLE, BREAK, OFFLINE},
    ON_CALL: {WRAP_UP},
    WRAP_UP: {AVAILABLE, ON_CALL},
    BREAK: {ON_CALL},            # a supervisor on a break may still take a call over
    OFFLINE: {ON_CALL},
}


class SeatError(ValueError):
    """A change of state that the rules do not allow."""


def may_choose(current: str, wanted: str) -> bool:
    return wanted in _BY_OPERATOR.get(current, set())


def may_move(current: str, wanted: str) -> bool:
    return wanted in _BY_SERVICE.get(current, set())


def check_choice(current: str, wanted: str) -> None:
    if wanted not in CHOSEN:
        raise SeatError(f"an operator cannot choose the state {wanted!r}")
    if current == wanted:
        return
    if not may_choose(current, wanted):
        raise SeatError(f"cannot go from {current} to {wanted} now")


@dataclass(frozen=True)
class Skills:
    """What calls an operator can take: lines and languages.  An empty set
    means every one (a new operator takes any call until told otherwise)."""

    lines: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()

    def fit(self, line_id: str | None, language: str | None) -> bool:
        return ((not self.lines or (line_id or "") in self.lines)
                and (not self.languages or (language or "") in self.languages))


@dataclass(frozen=True)
class IdleSeat:
    """An available operator, idle since ``since``."""

    operator: str
    since: datetime
    skills: Skills = Skills()


@dataclass(frozen=True)
class WaitingCaller:
    """A caller in an operator queue, waiting since ``since``."""

    call_sid: str
    since: datetime
    line_id: str | None
    language: str | None


@dataclass(frozen=True)
class Offer:
    call_sid: str
    operator: str


def offers(callers: Iterable[WaitingCaller], seats: Iterable[IdleSeat]) -> list[Offer]:
    """Pair waiting callers with available operators: the caller waiting
    longest first, each to the operator idle longest among those with the
    right skills.  Each caller and each operator appears at most once; a
    caller nobody fits waits, and the next caller may still be served."""
    free = sorted(seats, key=lambda s: (s.since, s.operator))
    paired: list[Offer] = []
    for caller in sorted(callers, key=lambda c: (c.since, c.call_sid)):
        if not free:
            break
        chosen = next((seat for seat in free if seat.skills.fit(caller.line_id, caller.language)), None)
        if chosen is not None:
            free.remove(chosen)
            paired.append(Offer(caller.call_sid, chosen.operator))
    return paired


def wrap_up_over(state: str, since: datetime, wrap_up: timedelta, now: datetime) -> bool:
    return state == WRAP_UP and now - since >= wrap_up


def offer_overdue(state: str, since: datetime, ring: timedelta, now: datetime) -> bool:
    """A device that rang this long with no word from Twilio (the Dial's
    action lost) is treated as not answered."""
    return state == RINGING and now - since >= ring


def expected_wait_minutes(position: int, staffing: int, handling: timedelta) -> float:
    """The wait of the caller at ``position`` when ``staffing`` operators
    each take a caller per ``handling`` (the average handling time)."""
    rounds = -(-max(1, position) // max(1, staffing))
    return rounds * handling.total_seconds() / 60


def average(durations: Sequence[timedelta]) -> timedelta | None:
    if not durations:
        return None
    return sum(durations, timedelta()) / len(durations)
