"""Automatic distribution: offer each waiting caller to the longest-idle
available operator with the right skills.

A pass (the scheduler's ``operators.distribute`` job, and the console when
an operator becomes available) first tidies the seats: wrap-ups that are
over become available, offers that rang too long with no word from Twilio
count as missed, seats holding a call that has ended are freed, and
available operators whose board stopped reporting in go offline.  Then it
claims pairs in one short transaction and only afterwards, outside it,
asks Twilio to take each caller out of the queue to the operator's device
(Queue Members, by CallSid; the caller hears the connect notice, the
operator the whisper first).

Claims are safe with several app servers and schedulers: the available
seats are read ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite's writers
take turns), each seat is moved by a conditional UPDATE (still available,
or nothing), and a seat's ``call_sid`` is unique, so a caller is never held
by two seats nor a seat given two callers.  The waiting calls are read
without a lock: webhooks write those rows at every wait round, and a pass
that skipped a locked caller would leave them waiting for nothing.
"""
from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from accounts.models import User
from call_log.models import Call
from call_log.services import FINAL_STATUSES
from config.catalog import HotlineConfig
from operators import seats as rules
from operators.board import live
from operators.models import Seat, SeatChange
from operators.presence import ON_DUTY_WITHIN
from operators.seating import SERVICE, call_gone, move, skills_of, stale_presence

log = logging.getLogger(__name__)

SessionScope = Callable[[], AbstractContextManager[Session]]
OFFER_FAILED = "offer_failed"
# Waiting callers and available seats looked at per pass: a pass offers at
# most as many callers as there are available operators.
BATCH = 500
CLAIM_TRIES = 3


@dataclass(frozen=True)
class Claimed:
    call_sid: str
    queue_name: str
    user_id: int
    operator: str


@dataclass
class PassCounts:
    offered: int = 0
    failed: int = 0
    missed: int = 0          # offers that rang out with no word from Twilio
    freed: int = 0           # seats holding a call that had ended
    wrapped_up: int = 0
    closed: int = 0          # available, but the board stopped reporting in
    offers: list[Claimed] = field(default_factory=list)


def distribute(scope: SessionScope, client: Client, config: HotlineConfig, connect_url: Callable[[str], str],
               clock: Callable[[], datetime], check_presence: bool = True) -> PassCounts:
    """One pass: tidy the seats, claim offers, then ring the operators."""
    counts = PassCounts()
    with scope() as session:
        tidy(session, config, clock(), counts, check_presence)
    claims: list[Claimed] = []
    for _ in range(CLAIM_TRIES):
        try:
            with scope() as session:
                claims = claim(session, clock())
            break
        except IntegrityError:
            # Another pass gave one of these callers a seat at the same moment: read again.
            # After CLAIM_TRIES the next pass (at most a second away) takes over.
            continue
    if claims:
        ring(scope, client, claims, connect_url, clock, counts)
    return counts


# --- tidying ---------------------------------------------------------------------------

def tidy(session: Session, config: HotlineConfig, now: datetime, counts: PassCounts,
         check_presence: bool = True) -> None:
    """Read the seats without locks, then lock only those with something to
    change (skipping any another pass holds), and change them if they
    still need it: passes running at once do not hold each other up."""
    busy = list(session.execute(
        select(Seat.user_id, Seat.state, Seat.since, Seat.call_sid)
        .where(Seat.state.in_((rules.WRAP_UP, rules.RINGING, rules.ON_CALL, rules.AVAILABLE)))))
    held = {call_sid for _, _, _, call_sid in busy if call_sid}
    ended = set(session.scalars(select(Call.call_sid).where(
        Call.call_sid.in_(held), Call.status.in_(FINAL_STATUSES)))) if held else set()
    available = [user_id for user_id, state, _, _ in busy if state == rules.AVAILABLE]
    gone = stale_presence(session, available, now - ON_DUTY_WITHIN) if (check_presence and available) else set()
    # The Dial rings for ring_seconds; its action normally reports the outcome.
    ring_out = timedelta(seconds=config.seats.ring_seconds) + timedelta(seconds=15)

    def change(state: str, since: datetime, call_sid: str | None, user_id: int) -> str | None:
        if call_sid in ended:
            return "freed"
        if rules.wrap_up_over(state, since, config.seats.wrap_up, now):
            return "wrapped_up"
        if rules.offer_overdue(state, since, ring_out, now):
            return "missed"
        if state == rules.AVAILABLE and user_id in gone:
            return "closed"
        return None

    due = {user_id for user_id, state, since, call_sid in busy if change(state, since, call_sid, user_id)}
    if not due:
        return
    for seat in session.scalars(select(Seat).where(Seat.user_id.in_(due)).with_for_update(skip_locked=True)):
        what = change(seat.state, seat.since, seat.call_sid, seat.user_id)
        if what == "freed":
            call_gone(session, seat, now)
        elif what == "wrapped_up":
            move(session, seat, rules.AVAILABLE, now, reason=rules.WRAP_UP_OVER)
        elif what == "missed":
            move(session, seat, config.seats.missed_state, now, reason=rules.NO_ANSWER)
        elif what == "closed":
            move(session, seat, rules.OFFLINE, now, reason=rules.BOARD_CLOSED)
        else:
            continue
        setattr(counts, what, getattr(counts, what) + 1)


# --- claiming --------------------------------------------------------------------------

def waiting_callers(session: Session, now: datetime) -> list[rules.WaitingCaller]:
    """Callers in an operator queue whom no seat holds, longest waiting first.

    Not locked: the call rows are the webhooks' (every wait round writes
    one), and a pass never writes them.  What keeps a caller to one seat is
    the unique ``operator_seat.call_sid``."""
    held = select(Seat.call_sid).where(Seat.call_sid.is_not(None))
    query = (select(Call.call_sid, Call.queued_at, Call.line_id, Call.language)
             .where(live(now), Call.queued_at.is_not(None), Call.queue_ended_at.is_(None),
                    Call.call_sid.not_in(held))
             .order_by(Call.queued_at, Call.id).limit(BATCH))
    return [rules.WaitingCaller(sid, since, line, language) for sid, since, line, language in session.execute(query)]


def claim(session: Session, now: datetime) -> list[Claimed]:
    seats = list(session.execute(
        select(Seat, User.username).join(User, User.id == Seat.user_id)
        .where(Seat.state == rules.AVAILABLE, User.active.is_(True), User.device.is_not(None))
        .order_by(Seat.since).limit(BATCH).with_for_update(skip_locked=True, of=Seat)))
    if not seats:
        return []
    callers = waiting_callers(session, now)
    if not callers:
        return []
    free = {username: rules.IdleSeat(username, seat.since, skills_of(seat)) for seat, username in seats}
    by_name = {username: seat for seat, username in seats}
    queue_of = dict(session.execute(select(Call.call_sid, Call.queue_name).where(
        Call.call_sid.in_([c.call_sid for c in callers]))).all())
    claimed: list[Claimed] = []
    gone: set[str] = set()           # callers claimed here, or by another pass meanwhile
    while True:
        pairs = rules.offers([c for c in callers if c.call_sid not in gone], free.values())
        lost = False
        for offer in pairs:
            outcome = _claim_one(session, by_name[offer.operator], offer.call_sid, now)
            if outcome == "seat_gone":
                del free[offer.operator]
                continue
            gone.add(offer.call_sid)
            if outcome == "caller_gone":
                lost = True          # this operator may still take the next caller
                continue
            del free[offer.operator]
            claimed.append(Claimed(offer.call_sid, queue_of.get(offer.call_sid) or "", by_name[offer.operator].user_id,
                                   offer.operator))
        if not lost:
            break
    # The history, in one statement at the end (an add per claim would flush before each UPDATE).
    session.add_all([SeatChange(user_id=c.user_id, at=now, previous=rules.AVAILABLE, state=rules.RINGING,
                                call_sid=c.call_sid, by=SERVICE) for c in claimed])
    return claimed


def _claim_one(session: Session, seat: Seat, call_sid: str, now: datetime) -> str:
    """Give the seat the caller, in one statement: "claimed", "seat_gone"
    (no longer available) or "caller_gone" (no longer waiting, or given a
    seat by another pass since this one read it).  A pass giving the same
    caller a seat at this moment breaks the unique call_sid: IntegrityError,
    and ``distribute`` runs the claim again on fresh reads."""
    held = select(Seat.call_sid).where(Seat.call_sid == call_sid).exists()
    moved = session.execute(
        update(Seat).where(Seat.user_id == seat.user_id, Seat.state == rules.AVAILABLE, Seat.call_sid.is_(None),
                           _still_waiting(call_sid, now), ~held)
        .values(state=rules.RINGING, since=now, reason=None, call_sid=call_sid)
        .execution_options(synchronize_session=False))
    if moved.rowcount == 1:
        return "claimed"
    available = session.scalar(select(Seat.user_id).where(
        Seat.user_id == seat.user_id, Seat.state == rules.AVAILABLE, Seat.call_sid.is_(None)))
    return "caller_gone" if available is not None else "seat_gone"


def _still_waiting(call_sid: str, now: datetime):
    """The caller is still waiting, by what is committed now (PostgreSQL
    reads each statement afresh; SQLite's pass holds the write lock)."""
    return select(Call.id).where(Call.call_sid == call_sid, live(now), Call.queued_at.is_not(None),
                                 Call.queue_ended_at.is_(None)).exists()


# --- ringing ---------------------------------------------------------------------------

def ring(scope: SessionScope, client: Client, claims: list[Claimed], connect_url: Callable[[str], str],
         clock: Callable[[], datetime], counts: PassCounts) -> None:
    """Take each claimed caller out of Twilio's queue to their operator; an
    offer Twilio refuses (the caller has just left the queue) is undone."""
    try:
        queue_sids = {q.friendly_name: q.sid for q in client.queues.list()}
    except Exception:  # noqa: BLE001 - Twilio unreachable: undo every claim, the next pass tries again
        log.exception("could not list Twilio's queues; %d offer(s) undone", len(claims))
        _undo(scope, claims, clock())
        counts.failed += len(claims)
        return
    undone = []
    for offer in claims:
        sid = queue_sids.get(offer.queue_name)
        try:
            if sid is None:
                raise LookupError(offer.queue_name)
            client.queues(sid).members(offer.call_sid).update(url=connect_url(offer.operator), method="POST")
        except (TwilioRestException, LookupError) as error:
            log.info("offer of call %s to %s failed: %s", offer.call_sid, offer.operator, error)
            undone.append(offer)
            continue
        except Exception:  # noqa: BLE001 - the network: undo this one, the next pass tries again
            log.exception("offer of call %s to %s failed", offer.call_sid, offer.operator)
            undone.append(offer)
            continue
        counts.offered += 1
        counts.offers.append(offer)
        log.info("call %s offered to %s", offer.call_sid, offer.operator)
    if undone:
        _undo(scope, undone, clock())
        counts.failed += len(undone)


def _undo(scope: SessionScope, claims: list[Claimed], now: datetime) -> None:
    with scope() as session:
        for offer in claims:
            seat = session.scalars(select(Seat).where(Seat.user_id == offer.user_id).with_for_update()).first()
            if seat is not None and seat.state == rules.RINGING and seat.call_sid == offer.call_sid:
                move(session, seat, rules.AVAILABLE, now, reason=OFFER_FAILED)
