"""The SMS outbox and the numbers that opted out of SMS."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from database import Base, utcnow

PURPOSES = ("intake", "closed", "unreachable")
# pending: waiting to be sent (again); sending: claimed, messages.create under
# way; sent: Twilio took it (delivery_status follows); failed: given up;
# cancelled: the number opted out before it went.
STATUSES = ("pending", "sending", "sent", "failed", "cancelled")


class SmsMessage(Base):
    """One SMS owed to someone.  ``purpose_key`` is unique, so a case event
    seen twice owes one message, not two."""

    __tablename__ = "sms_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16))
    purpose_key: Mapped[str] = mapped_column(String(120), unique=True)
    phone_e164: Mapped[str] = mapped_column(String(32), index=True)
    line_id: Mapped[str | None] = mapped_column(ForeignKey("line.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the sender claimed it; a claim with no answer for long is looked up (sms.sender).
    claimed_at: Mapped[datetime | None] = mapped_column()
    message_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Twilio's own status of the message, from the status callback: queued,
    # sent, delivered, undelivered, failed.
    delivery_status: Mapped[str | None] = mapped_column(String(16))
    error_code: Mapped[int | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


Index("ix_sms_message_due", SmsMessage.status, SmsMessage.next_attempt_at)


class SmsOptOut(Base):
    """A number that texted 退订 / TD / STOP; 恢复 / START removes the row."""

    __tablename__ = "sms_opt_out"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone_e164: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str | None] = mapped_column(String(64))
