"""The dispatch queue: each department's cases, most urgent and soonest due
first, and claiming them safely when many people and servers work at once.

On PostgreSQL a claim locks its row with ``SELECT … FOR UPDATE SKIP
LOCKED``: two claimers never get the same case and neither waits for the
other.  SQLite serialises writers, so the same code is correct there.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import case as when
from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.lifecycle import Transition
from cases.models import Case
from cases.workflow import apply_to, load_for_update
from config.catalog import HotlineConfig

QUEUED = ("dispatched", "handling")
_PRIORITY_ORDER = when({"urgent": 0, "high": 1}, value=Case.priority, else_=2)


def queue(session: Session, department_code: str, *, statuses: tuple[str, ...] = QUEUED,
          limit: int = 100, offset: int = 0) -> list[Case]:
    """The department's queue: priority first, then the earliest due time."""
    query = (
        select(Case).where(Case.department_code == department_code, Case.status.in_(statuses))
        .order_by(_PRIORITY_ORDER, Case.due_at.is_(None), Case.due_at, Case.id)
        .limit(limit).offset(offset)
    )
    return list(session.scalars(query))


def claim_next(session: Session, config: HotlineConfig, department_code: str, actor: str,
               now: datetime) -> Case | None:
    """Claim the first unclaimed case of the department's queue, or None."""
    query = (
        select(Case).where(Case.department_code == department_code, Case.status == "dispatched")
        .order_by(_PRIORITY_ORDER, Case.due_at.is_(None), Case.due_at, Case.id)
        .limit(1).with_for_update(skip_locked=True)
    )
    case = session.scalars(query).first()
    if case is None:
        return None
    return apply_to(session, config, case, Transition("claim", actor, "department", now))


def claim(session: Session, config: HotlineConfig, number: str, department_code: str, actor: str,
          now: datetime) -> Case:
    """Claim one case by its number; refused if it is not in this department's queue."""
    case = load_for_update(session, number)
    if case.department_code != department_code:
        raise NotInQueue(f"case {number} is not in {department_code}'s queue")
    return apply_to(session, config, case, Transition("claim", actor, "department", now))


class NotInQueue(LookupError):
    pass
