"""Callbacks owed to complainants, their answers, and numbers that opted out."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from database import Base, utcnow

PURPOSES = ("outcome", "queue", "missed", "after_hours")
STATUSES = ("pending", "calling", "completed", "unreachable", "cancelled", "opted_out")
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


Index("ix_callback_due", Callback.status, Callback.next_attempt_at)


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
