"""Whether a person can take a call now, and how long the queue's wait is.

A line's operators work its business hours; the queue refuses callers when
it is full or the expected wait is too long, and they are offered voicemail
or a callback (which the callbacks package schedules: ``Hotline.owe_callback``,
wired by ``create_app``).  The IVR keeps the first refusal of a call, when and
why, on the call (``operator_refused_at``, ``operator_refused_reason``): the
call-centre figures count the callers refused a person.  Both are sized by the operators on duty, and only callers
still live in the queue count.

The IVR asks these questions without importing the operators' package:
``create_app`` hands ``operator_desk`` and ``queue_estimate`` to its
``Hotline`` (``admit_caller``, ``estimate_wait``), as it hands in the
callbacks' ``request_call_back``.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from call_log.models import Call
from call_log.services import FINAL_STATUSES
from config.catalog import HotlineConfig, Line
from ivr.voice import OperatorDesk
from operators import seats as seat_rules
from operators.presence import operators_on_duty
from operators.seating import staffing
from operators.seats import average

# A queued caller is heard from at every round of the wait music (well
# under a minute); one quiet for this long has gone, whatever the call log
# says, since a final status callback can be lost.
QUEUE_QUIET_AFTER = timedelta(minutes=2)
# The handling time is averaged over the line's latest calls an operator joined.
HANDLING_SAMPLE = 50
HANDLING_WITHIN = timedelta(days=7)


def waiting(session: Session, line: Line, now: datetime) -> int:
    """Callers live in the line's queue now, by the call log."""
    return session.scalar(select(func.count()).select_from(Call).where(
        Call.queue_name == line.operator_queue.name, Call.queued_at.is_not(None),
        Call.queue_ended_at.is_(None), Call.status.not_in(FINAL_STATUSES),
        Call.last_seen_at >= now - QUEUE_QUIET_AFTER)) or 0


def staffed(session: Session, now: datetime) -> int:
    """Operators answering the queue: the seats available, ringing, on a
    call or in wrap-up; where no one keeps a seat state, those on duty by
    their board; and at least one while the line's hours say the desk is
    staffed (operators may answer from a phone with no board open)."""
    return max(1, staffing(session) or operators_on_duty(session, now))


def handling_time(session: Session, config: HotlineConfig, line: Line, now: datetime) -> timedelta:
    """How long an operator takes per caller, from the call log: the
    average talk time of the line's last calls an operator joined, plus the
    wrap-up; the line's configured minutes per caller until there are any."""
    rows = session.execute(
        select(Call.operator_joined_at, Call.ended_at)
        .where(Call.line_id == line.id, Call.operator_joined_at >= now - HANDLING_WITHIN,
               Call.ended_at.is_not(None))
        .order_by(Call.operator_joined_at.desc()).limit(HANDLING_SAMPLE))
    talk = average([ended - joined for joined, ended in rows if ended > joined])
    if talk is None:
        return timedelta(minutes=line.operator_queue.minutes_per_caller)
    return talk + config.seats.wrap_up


def place_in_queue(session: Session, call: Call, now: datetime) -> int | None:
    """The caller's place among the callers live in their queue, by when
    each first joined it (distribution serves them in that order; a caller
    whose offered operator did not answer keeps their place)."""
    if call.queued_at is None or call.queue_ended_at is not None:
        return None
    ahead = session.scalar(select(func.count()).select_from(Call).where(
        Call.queue_name == call.queue_name, Call.queued_at.is_not(None), Call.queue_ended_at.is_(None),
        Call.status.not_in(FINAL_STATUSES), Call.last_seen_at >= now - QUEUE_QUIET_AFTER,
        Call.id != call.id,
        or_(Call.queued_at < call.queued_at, and_(Call.queued_at == call.queued_at, Call.id < call.id)))) or 0
    return ahead + 1


def expected_wait_minutes(position: int, operators: int, handling: timedelta) -> float:
    """The wait of the caller at ``position`` when ``operators`` take callers in turn."""
    return seat_rules.expected_wait_minutes(position, operators, handling)


def queue_estimate(session: Session, config: HotlineConfig, line: Line, call: Call, reported: int | None,
                   now: datetime) -> tuple[int, float]:
    """A queued caller's place and expected wait in minutes.  The place is
    our own order, not Twilio's (a caller sent back to the queue keeps their
    place); Twilio's ``reported`` place only until the call log has one."""
    position = place_in_queue(session, call, now) or reported or 1
    return position, expected_wait_minutes(position, staffed(session, now), handling_time(session, config, line, now))


def operator_desk(session: Session, config: HotlineConfig, line: Line, now: datetime) -> OperatorDesk:
    """Whether to queue the caller: the queue holds ``max_size`` callers per
    operator on duty, and the wait is shared among them."""
    queue = line.operator_queue
    if not config.calendars[line.business_hours].is_open(now):
        return OperatorDesk(False, "closed")
    operators = staffed(session, now)
    ahead = waiting(session, line, now)
    if ahead >= queue.max_size * operators:
        return OperatorDesk(False, "queue_full")
    if expected_wait_minutes(ahead + 1, operators, handling_time(session, config, line, now)) > queue.max_wait_minutes:
        return OperatorDesk(False, "wait_too_long")
    return OperatorDesk(True, queue=queue.name)

