"""Whether a person can take a call now.

A line's operators work its business hours; the queue refuses callers when
it is full or the expected wait is too long, and they are offered voicemail
or a callback (which the callbacks package schedules: ``Hotline.owe_callback``,
wired by ``create_app``).  Both are sized by the operators on duty, and only callers
still live in the queue count.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from call_log.models import Call
from call_log.services import FINAL_STATUSES
from config.catalog import HotlineConfig, Line
from ivr.turns import OperatorDesk
from operators.presence import operators_on_duty

# A queued caller is heard from at every round of the wait music (well
# under a minute); one quiet for this long has gone, whatever the call log
# says, since a final status callback can be lost.
QUEUE_QUIET_AFTER = timedelta(minutes=2)


def waiting(session: Session, line: Line, now: datetime) -> int:
    """Callers live in the line's queue now, by the call log."""
    return session.scalar(select(func.count()).select_from(Call).where(
        Call.queue_name == line.operator_queue.name, Call.queued_at.is_not(None),
        Call.queue_ended_at.is_(None), Call.status.not_in(FINAL_STATUSES),
        Call.last_seen_at >= now - QUEUE_QUIET_AFTER)) or 0


def staffed(session: Session, now: datetime) -> int:
    """Operators answering the queue: those on duty, and at least one while
    the line's hours say the desk is staffed (operators may answer from a
    phone with no board open)."""
    return max(1, operators_on_duty(session, now))


def expected_wait_minutes(position: int, operators: int, minutes_per_caller: float) -> float:
    """The wait of the caller at ``position`` when ``operators`` take callers in turn."""
    return math.ceil(position / max(1, operators)) * minutes_per_caller


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
    if expected_wait_minutes(ahead + 1, operators, queue.minutes_per_caller) > queue.max_wait_minutes:
        return OperatorDesk(False, "wait_too_long")
    return OperatorDesk(True, queue=queue.name)

