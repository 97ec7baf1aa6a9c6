"""Callbacks owed to complainants, their answers, and numbers that opted out."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from database import Base, utcnow

PURPOSES = ("outcome", "queue", "missed", "after_hours")
STATUSES = ("pending", "calling", "completed", "unreachable", "cancelled", "opted_out")
# An attempt is "placing" from the moment it is claimed until Twilio has
# answered calls.create, then "placed" until its final status, then "ended".
ATTEMPT_STATUSES = ("placing", "placed", "ended")
ANSWERS = ("satisfied", "basically_satisfied", "unsatisfied", "unreachable")


class Callback(Base):
    """A call the centre owes someone.  ``purpose_key`` makes "never twice
    for the same purpose" a unique constraint rather than a hope."""

    __tablename__ = "callback"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16))
    purpose_key: Mapped[str] = mapped_column(String(120), unique=True)
    phone_e164: Mapped[str] = mapped_column(String(32), index=True)
    line_id: Mapped[str | None] = mapped_column(ForeignKey("line.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    complainant_id: Mapped[int | None] = mapped_column(ForeignKey("complainant.id", ondelete="CASCADE"))
    origin_call_id: Mapped[int | None] = mapped_column(ForeignKey("call.id", ondelete="SET NULL"))
    language: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    due_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    last_call_sid: Mapped[str | None] = mapped_column(String(64))
    last_result: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    attempts_made: Mapped[list["CallbackAttempt"]] = relationship(
        back_populates="callback", order_by="CallbackAttempt.number", cascade="all, delete-orphan")


Index("ix_callback_due", Callback.status, Callback.next_attempt_at)


class CallbackAttempt(Base):
    """One call placed for a callback.  The row exists before calls.create
    is sent, and its id is in the call's webhook URLs, so Twilio's first
    webhook finds it even if it arrives before the REST answer does."""

    __tablename__ = "callback_attempt"
    __table_args__ = (UniqueConstraint("callback_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    callback_id: Mapped[int] = mapped_column(ForeignKey("callback.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()                      # 1 for the first attempt
    status: Mapped[str] = mapped_column(String(16), default="placing")
    call_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    call_id: Mapped[int | None] = mapped_column(ForeignKey("call.id", ondelete="SET NULL"))
    placed_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_by: Mapped[str | None] = mapped_column(String(32))   # human, machine_start, fax, unknown
    # busy, no-answer, failed, canceled, machine, answered, hung_up, rest_error, rejected,
    # account_fault, interrupted
    result: Mapped[str | None] = mapped_column(String(32))
    ended_at: Mapped[datetime | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(Text)

    callback: Mapped[Callback] = relationship(back_populates="attempts_made")


Index("ix_callback_attempt_status_placed", CallbackAttempt.status, CallbackAttempt.placed_at)


class CallbackPause(Base):
    """Callbacks are paused: Twilio refused ``calls.create`` for a fault in
    the centre's own account (no permission to call +86, a From number not
    verified, a bad Url...), which every further call would hit too.  While
    a row has no ``resumed_at``, nothing is placed and everyone stays owed;
    ``flask --app app callbacks resume`` ends it once the account is fixed."""

    __tablename__ = "callback_pause"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[int | None] = mapped_column()             # Twilio's error code, e.g. 21215
    reason: Mapped[str] = mapped_column(Text)
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("callback_attempt.id", ondelete="SET NULL"))
    paused_at: Mapped[datetime] = mapped_column(default=utcnow)
    resumed_at: Mapped[datetime | None] = mapped_column()
    resumed_by: Mapped[str | None] = mapped_column(String(100))


class SurveyAnswer(Base):
    """What a complainant said when called back about the outcome."""

    __tablename__ = "survey_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    complainant_id: Mapped[int | None] = mapped_column(ForeignKey("complainant.id", ondelete="SET NULL"))
    callback_id: Mapped[int | None] = mapped_column(ForeignKey("callback.id", ondelete="SET NULL"), unique=True)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    answer: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str | None] = mapped_column(Text)


class OptOut(Base):
    """A number that asked never to be called again (pressed 9)."""

    __tablename__ = "opt_out"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone_e164: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str | None] = mapped_column(String(64))
