"""Operators' seats in the database: an operator's state, what moves it
(their choice in the console, a call's events, the wrap-up timer), their
skills, and every change kept as history.  The rules are operators.seats;
offering callers is operators.distribution."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounts.models import User
from config.catalog import HotlineConfig
from operators import seats as rules
from operators.models import OperatorPresence, Seat, SeatChange
from operators.presence import ANSWERING_ROLES, report_present

log = logging.getLogger(__name__)
SERVICE = "service"


@dataclass(frozen=True)
class SeatView:
    """One seat as the board shows it."""

    username: str
    name: str
    state: str
    since: datetime
    reason: str | None
    call_sid: str | None
    lines: tuple[str, ...]
    languages: tuple[str, ...]


def seat_of(session: Session, user: User, now: datetime, lock: bool = False) -> Seat:
    """The operator's seat; a new one is offline."""
    query = select(Seat).where(Seat.user_id == user.id)
    seat = session.scalars(query.with_for_update() if lock else query).first()
    if seat is None:
        seat = Seat(user_id=user.id, state=rules.OFFLINE, since=now, lines=[], languages=[])
        session.add(seat)
        session.flush()
    return seat


def _record(session: Session, seat: Seat, state: str, now: datetime, by: str, reason: str | None = None,
            call_sid: str | None = None) -> None:
    session.add(SeatChange(user_id=seat.user_id, at=now, previous=seat.state, state=state, reason=reason,
                           call_sid=call_sid if call_sid is not None else seat.call_sid, by=by))
    seat.state, seat.since, seat.reason = state, now, reason


def choose(session: Session, user: User, wanted: str, now: datetime) -> Seat:
    """The operator sets their own state in the console."""
    seat = seat_of(session, user, now, lock=True)
    rules.check_choice(seat.state, wanted)
    if seat.state != wanted:
        _record(session, seat, wanted, now, user.username)
        if wanted == rules.AVAILABLE:
            # Available from the console means at the desk: the board says so too.
            report_present(session, user.id, now)
    return seat


def move(session: Session, seat: Seat, state: str, now: datetime, reason: str | None = None,
         call_sid: str | None = None) -> bool:
    """The service moves a seat (an offer, a call's events, a timer); a
    change the rules do not allow from where the seat is now is ignored
    and says so, since webhooks arrive twice and out of order."""
    if not rules.may_move(seat.state, state):
        return False
    _record(session, seat, state, now, SERVICE, reason, call_sid)
    seat.call_sid = call_sid if state in (rules.RINGING, rules.ON_CALL) else None
    return True


def holding(session: Session, call_sid: str) -> Seat | None:
    """The seat offered or on this call, locked."""
    return session.scalars(select(Seat).where(Seat.call_sid == call_sid).with_for_update()).first()


def took_call(session: Session, user: User, call_sid: str, now: datetime) -> None:
    """The operator took a caller by hand (takeover, answer next): on a call."""
    seat = seat_of(session, user, now, lock=True)
    if seat.state == rules.RINGING and seat.call_sid != call_sid:
        return      # ringing with an offered caller: that call's outcome moves the seat
    if seat.call_sid == call_sid and seat.state == rules.ON_CALL:
        return
    other = holding(session, call_sid)
    if other is not None and other.user_id != seat.user_id:
        # Offered to someone else and taken over meanwhile: their offer is off.
        move(session, other, rules.AVAILABLE, now, reason=rules.CALLER_LEFT)
    move(session, seat, rules.ON_CALL, now, call_sid=call_sid)


def answered(session: Session, call_sid: str, now: datetime) -> Seat | None:
    """The operator's device picked up the offered caller (the whisper is asked for)."""
    seat = holding(session, call_sid)
    if seat is not None and seat.state == rules.RINGING:
        move(session, seat, rules.ON_CALL, now, call_sid=call_sid)
    return seat


def bridge_ended(session: Session, config: HotlineConfig, call_sid: str, connected: bool,
                 now: datetime, caller_gone: bool = False) -> str | None:
    """The caller's <Dial> (the call's conference, or a cold transfer) ended.  Says what became of the seat:
    ``missed`` (an offered caller not answered: the operator is marked away
    and the caller goes back to the queue), ``caller_left`` (the caller hung
    up while the device rang: no fault of the operator's), ``ended``
    (wrap-up) or None."""
    seat = holding(session, call_sid)
    if seat is None:
        return None
    if seat.state == rules.RINGING and not connected and caller_gone:
        move(session, seat, rules.AVAILABLE, now, reason=rules.CALLER_LEFT)
        return "caller_left"
    if seat.state == rules.RINGING and not connected:
        move(session, seat, config.seats.missed_state, now, reason=rules.NO_ANSWER)
        log.info("operator seat %s missed an offered call; marked %s", seat.user_id, seat.state)
        return "missed"
    if seat.state == rules.RINGING:
        # The caller left the conference while the operator's device still
        # rang, without hanging up: the operator's leg says what became of it.
        return None
    if seat.state == rules.ON_CALL:
        move(session, seat, rules.WRAP_UP, now, reason=rules.CALL_ENDED)
        return "ended"
    return None


def call_gone(session: Session, seat: Seat, now: datetime) -> None:
    """The held call ended without the bridge telling us (the caller hung up)."""
    if seat.state == rules.RINGING:
        move(session, seat, rules.AVAILABLE, now, reason=rules.CALLER_LEFT)
    elif seat.state == rules.ON_CALL:
        move(session, seat, rules.WRAP_UP, now, reason=rules.CALL_ENDED)


def set_skills(session: Session, user: User, lines: list[str] | None, languages: list[str] | None,
               config: HotlineConfig, now: datetime) -> Seat:
    unknown = [line for line in lines or [] if line not in config.lines]
    if unknown:
        raise rules.SeatError(f"no such line: {', '.join(unknown)} (lines.yaml has {', '.join(config.lines)})")
    spoken = sorted({language for line in config.lines.values() for language in line.languages})
    unknown = [language for language in languages or [] if language not in spoken]
    if unknown:
        raise rules.SeatError(f"no line speaks {', '.join(unknown)} (they speak {', '.join(spoken)})")
    seat = seat_of(session, user, now, lock=True)
    if lines is not None:
        seat.lines = sorted(set(lines))
    if languages is not None:
        seat.languages = sorted(set(languages))
    return seat


def skills_of(seat: Seat) -> rules.Skills:
    return rules.Skills(frozenset(seat.lines or ()), frozenset(seat.languages or ()))


def seats(session: Session) -> list[SeatView]:
    """Every answering person's seat, for the board: those who never set a
    state are offline since they were created."""
    rows = session.execute(
        select(User, Seat).outerjoin(Seat, Seat.user_id == User.id)
        .where(User.active.is_(True), User.role.in_(ANSWERING_ROLES)).order_by(User.username))
    return [SeatView(user.username, user.display_name or user.username,
                     seat.state if seat else rules.OFFLINE, seat.since if seat else user.created_at,
                     seat.reason if seat else None, seat.call_sid if seat else None,
                     tuple(seat.lines or ()) if seat else (), tuple(seat.languages or ()) if seat else ())
            for user, seat in rows]


def staffing(session: Session) -> int:
    """Seats answering the queues now or soon (available, ringing, on a
    call, in wrap-up)."""
    return session.scalar(select(func.count()).select_from(Seat).where(Seat.state.in_(rules.STAFFING))) or 0


def stale_presence(session: Session, user_ids: list[int], since: datetime) -> set[int]:
    """Of these operators, those whose board has not reported in since ``since``."""
    heard = set(session.scalars(select(OperatorPresence.user_id).where(
        OperatorPresence.user_id.in_(user_ids), OperatorPresence.seen_at >= since)))
    return set(user_ids) - heard
