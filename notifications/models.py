"""The outbox: notifications to departments' own systems, written in the
same transaction as the case event they announce, delivered by a worker."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from database import Base, utcnow


class OutboxMessage(Base):
    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Sent as the Idempotency-Key header: receivers drop a second delivery.
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    department_code: Mapped[str] = mapped_column(String(32))
    url: Mapped[str] = mapped_column(String(500))
    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | delivered | failing | dead
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column()


Index("ix_outbox_due", OutboxMessage.status, OutboxMessage.next_attempt_at)
