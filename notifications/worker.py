"""Delivering the outbox: at least once, with retries and backoff.

A batch is leased in one short transaction (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so several workers share the work), delivered with no
transaction open, and each result recorded in its own transaction.  A
message that keeps failing is marked ``failing`` and, after the last
attempt, ``dead``; both are listed by ``flask --app app notifications status``.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, ContextManager

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from config.catalog import HotlineConfig
from notifications.models import OutboxMessage
from notifications.signing import EVENT_HEADER, IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, body_of, sign

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliveryPolicy:
    max_attempts: int = 12
    first_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(hours=1)
    timeout_seconds: float = 10.0
    # While one worker delivers a message, others leave it alone this long.
    lease: timedelta = timedelta(minutes=2)
    batch: int = 50

    def delay_after(self, attempts: int) -> timedelta:
        """Exponential backoff: 30 s, 1 min, 2 min, … capped at an hour."""
        return min(self.max_delay, self.first_delay * (2 ** max(0, attempts - 1)))


@dataclass
class DeliveryCounts:
    delivered: int = 0
    failed: int = 0
    dead: int = 0


SessionScope = Callable[[], ContextManager[Session]]


def deliver_due(scope: SessionScope, config: HotlineConfig, now: datetime,
                policy: DeliveryPolicy = DeliveryPolicy(), http: requests.Session | None = None) -> DeliveryCounts:
    """Deliver every message due at ``now``; returns what happened."""
    counts = DeliveryCounts()
    http = http or requests.Session()
    leased = _lease(scope, now, policy)
    for message_id, department, url, event_type, key, payload in leased:
        error = _post(http, config, department, url, event_type, key, payload, now, policy)
        with scope() as session:
            message = session.get(OutboxMessage, message_id)
            message.attempts += 1
            if error is None:
                message.status, message.delivered_at, message.last_error = "delivered", now, None
                counts.delivered += 1
            elif message.attempts >= policy.max_attempts:
                message.status, message.last_error = "dead", error
                counts.dead += 1
                log.error("notification %s to %s is dead after %d attempts: %s", key, department,
                          message.attempts, error)
            else:
                message.status, message.last_error = "failing", error
                message.next_attempt_at = now + policy.delay_after(message.attempts)
                counts.failed += 1
                log.warning("notification %s to %s failed (attempt %d, next at %s): %s", key, department,
                            message.attempts, message.next_attempt_at.isoformat(), error)
    return counts


def _lease(scope: SessionScope, now: datetime, policy: DeliveryPolicy) -> list[tuple]:
    with scope() as session:
        query = (
            select(OutboxMessage)
            .where(OutboxMessage.status.in_(("pending", "failing")), OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(policy.batch).with_for_update(skip_locked=True)
        )
        messages = list(session.scalars(query))
        for message in messages:
            message.next_attempt_at = now + policy.lease
        return [(m.id, m.department_code, m.url, m.event_type, m.idempotency_key, m.payload) for m in messages]


def _post(http: requests.Session, config: HotlineConfig, department_code: str, url: str, event_type: str,
          key: str, payload: dict, now: datetime, policy: DeliveryPolicy) -> str | None:
    """None when delivered, else what went wrong."""
    department = config.departments.get(department_code)
    if department is None or not department.notify_secret:
        return f"department {department_code} has no notification secret configured"
    body = body_of({"id": key, "type": event_type, **payload})
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json", IDEMPOTENCY_HEADER: key, EVENT_HEADER: event_type,
        TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: sign(department.notify_secret, timestamp, body),
    }
    try:
        response = http.post(url, data=body, headers=headers, timeout=policy.timeout_seconds)
    except requests.RequestException as error:
        return f"{error.__class__.__name__}: {error}"[:500]
    if 200 <= response.status_code < 300:
        return None
    return f"HTTP {response.status_code}: {response.text[:200]}"


def problems(session: Session, limit: int = 100) -> list[OutboxMessage]:
    """Messages that keep failing or have given up, oldest first."""
    return list(session.scalars(
        select(OutboxMessage).where(OutboxMessage.status.in_(("failing", "dead")))
        .order_by(OutboxMessage.created_at).limit(limit)))
