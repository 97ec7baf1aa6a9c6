"""Whether a person can take a call now, and owing a callback instead.

A line's operators work its business hours; the queue refuses callers when
it is full or the expected wait is too long, and they are offered voicemail
or a callback.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from call_log.models import Call
from call_log.services import FINAL_STATUSES
from callbacks.services import request_call_back
from config.catalog import HotlineConfig, Line
from ivr.turns import OperatorDesk


def waiting(session: Session, line: Line) -> int:
    """Callers in the line's queue now, by the call log."""
    return session.scalar(select(func.count()).select_from(Call).where(
        Call.queue_name == line.operator_queue.name, Call.queued_at.is_not(None),
        Call.queue_ended_at.is_(None), Call.status.not_in(FINAL_STATUSES))) or 0


def operator_desk(session: Session, config: HotlineConfig, line: Line, now: datetime) -> OperatorDesk:
    queue = line.operator_queue
    if not config.calendars[line.business_hours].is_open(now):
        return OperatorDesk(False, "closed")
    ahead = waiting(session, line)
    if ahead >= queue.max_size:
        return OperatorDesk(False, "queue_full")
    if (ahead + 1) * queue.minutes_per_caller > queue.max_wait_minutes:
        return OperatorDesk(False, "wait_too_long")
    return OperatorDesk(True, queue=queue.name)


def request_callback(session: Session, config: HotlineConfig, *, purpose: str, phone_e164: str,
                     line_id: str | None, origin_call_id: int | None, language: str | None,
                     now: datetime) -> None:
    """Owe the caller a call back: the callbacks service schedules it."""
    request_call_back(session, config, purpose=purpose, phone_e164=phone_e164, line_id=line_id,
                      origin_call_id=origin_call_id, language=language, now=now)
