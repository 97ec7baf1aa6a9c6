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
    with scope() as session:
        claims = claim(session, clock())
    if claims:
        ring(scope, client, claims, connect_url, clock, counts)
    return counts


# --- tidying ---------------------------------------------------------------------------

def tidy(session: Session, config: HotlineConfig, now: datetime, counts: PassCounts,
         check_presence: bool = True) -> None:
    busy = list(session.scalars(
        select(Seat).where(Seat.state.in_((rules.WRAP_UP, rules.RINGING, rules.ON_CALL, rules.AVAILABLE)))
        .with_for_update(skip_locked=True)))
    held = {seat.call_sid for seat in busy if seat.call_sid}
    ended = set(session.scalars(select(Call.call_sid).where(
        Call.call_sid.in_(held), Call.status.in_(FINAL_STATUSES)))) if held else set()
    # The Dial rings for ring_seconds; its action normally reports the outcome.
    ring_out = timedelta(seconds=config.seats.ring_seconds) + timedelta(seconds=15)
    available = [seat for seat in busy if seat.state == rules.AVAILABLE]
    gone = stale_presence(session, [s.user_id for s in available], now - ON_DUTY_WITHIN) if (
        check_presence and available) else set()
    for seat in busy:
        if seat.call_sid in ended:
            call_gone(session, seat, now)
            counts.freed += 1
        elif rules.wrap_up_over(seat.state, seat.since, config.seats.wrap_up, now):
            move(session, seat, rules.AVAILABLE, now, reason=rules.WRAP_UP_OVER)
            counts.wrapped_up += 1
        elif rules.offer_overdue(seat.state, seat.since, ring_out, now):
            move(session, seat, config.seats.missed_state, now, reason=rules.NO_ANSWER)
            counts.missed += 1
        elif seat.user_id in gone:
            move(session, seat, rules.OFFLINE, now, reason=rules.BOARD_CLOSED)
            counts.closed += 1


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
    idle = [rules.IdleSeat(username, seat.since, skills_of(seat)) for seat, username in seats]
    by_name = {username: seat for seat, username in seats}
    queue_of = dict(session.execute(select(Call.call_sid, Call.queue_name).where(
        Call.call_sid.in_([c.call_sid for c in callers]))).all())
    claimed = []
    for offer in rules.offers(callers, idle):
        seat = by_name[offer.operator]
        try:
            with session.begin_nested():
                # The guard that holds whatever the locks did: still available, or nothing;
                # and a caller another pass gave a seat meanwhile breaks the unique call_sid.
                moved = session.execute(
                    update(Seat).where(Seat.user_id == seat.user_id, Seat.state == rules.AVAILABLE,
                                       Seat.call_sid.is_(None))
                    .values(state=rules.RINGING, since=now, reason=None, call_sid=offer.call_sid)
                    .execution_options(synchronize_session=False))
        except IntegrityError:
            continue
        if moved.rowcount != 1:
            continue
        session.add(SeatChange(user_id=seat.user_id, at=now, previous=rules.AVAILABLE, state=rules.RINGING,
                               call_sid=offer.call_sid, by=SERVICE))
        claimed.append(Claimed(offer.call_sid, queue_of.get(offer.call_sid) or "", seat.user_id, offer.operator))
    return claimed


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
