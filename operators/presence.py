"""Operators on duty: those whose live board has reported in lately.

The board page posts every 30 seconds while it is open; an operator (or
supervisor) with a device to ring, active, and heard from within
``ON_DUTY_WITHIN`` is on duty.  The operator queue is sized by how many are.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounts.models import User
from database import dialect_insert
from operators.models import OperatorPresence

ON_DUTY_WITHIN = timedelta(minutes=2)
# A report this soon after the last one changes nothing worth a write.
REPORT_EVERY = timedelta(seconds=20)
ANSWERING_ROLES = ("operator", "supervisor")


def report_present(session: Session, user_id: int, now: datetime) -> None:
    seen = session.scalar(select(OperatorPresence.seen_at).where(OperatorPresence.user_id == user_id))
    if seen is not None and now - seen < REPORT_EVERY:
        return
    if seen is None:
        session.execute(dialect_insert(session, OperatorPresence).values(user_id=user_id, seen_at=now)
                        .on_conflict_do_nothing(index_elements=["user_id"]))
    session.execute(OperatorPresence.__table__.update().where(OperatorPresence.user_id == user_id)
                    .values(seen_at=now))


def operators_on_duty(session: Session, now: datetime) -> int:
    return session.scalar(select(func.count()).select_from(OperatorPresence).join(
        User, User.id == OperatorPresence.user_id).where(
        OperatorPresence.seen_at >= now - ON_DUTY_WITHIN, User.active.is_(True), User.device.is_not(None),
        User.role.in_(ANSWERING_ROLES))) or 0
