"""Writing notifications to the outbox, in the caller's transaction."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from config.catalog import HotlineConfig
from notifications.models import OutboxMessage

# The case events a department's own system hears about.
NOTIFIED_ACTIONS = ("dispatch", "rework", "suspend", "void", "reactivate", "reopen", "close")


def notify_department(session: Session, config: HotlineConfig, department_code: str | None, event_type: str,
                      payload: dict, now: datetime) -> OutboxMessage | None:
    """Queue a notification for a department that has a system to receive it."""
    department = config.departments.get(department_code or "")
    if department is None or not department.notify_url:
        return None
    message = OutboxMessage(
        idempotency_key=str(uuid.uuid4()), department_code=department.code, url=department.notify_url,
        event_type=event_type, payload=payload, status="pending", attempts=0, next_attempt_at=now,
        created_at=now,
    )
    session.add(message)
    return message
