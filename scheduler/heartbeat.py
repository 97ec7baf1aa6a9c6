"""The leader's heartbeat, so that others (``/readyz``) know one leads."""
from __future__ import annotations

import os
import socket
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from database import dialect_insert
from scheduler.models import SchedulerHeartbeat


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def beat(session: Session, holder: str, now: datetime) -> None:
    statement = dialect_insert(session, SchedulerHeartbeat).values(id=1, holder=holder, seen_at=now)
    session.execute(statement.on_conflict_do_update(index_elements=["id"],
                                                    set_={"holder": holder, "seen_at": now}))


def last_beat(session: Session) -> SchedulerHeartbeat | None:
    return session.scalars(select(SchedulerHeartbeat).where(SchedulerHeartbeat.id == 1)).one_or_none()
