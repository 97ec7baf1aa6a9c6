"""Which operators are at their desks (the live board says so while open),
their seats' states and skills, and the history of those states."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from database import Base


class OperatorPresence(Base):
    """The last time an operator's live board reported in (every 30 s while open)."""

    __tablename__ = "operator_presence"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(index=True)


class Seat(Base):
    """An operator's seat: their state now and since when, the call they
    are offered or on, and their skills (operators.seats holds the rules).

    ``call_sid`` is unique, so no caller is ever held by two seats; a seat
    holds one call at most, so no operator is offered two callers."""

    __tablename__ = "operator_seat"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[str] = mapped_column(String(16), default="offline", index=True)
    since: Mapped[datetime] = mapped_column()
    reason: Mapped[str | None] = mapped_column(String(32))
    call_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Skills: line ids and caller languages (zh-CN, en-US); empty means any.
    lines: Mapped[list] = mapped_column(JSON, default=list)
    languages: Mapped[list] = mapped_column(JSON, default=list)


class SeatChange(Base):
    """One change of a seat's state, kept for the centre's figures
    (time available, ringing, on calls, in wrap-up, on breaks)."""

    __tablename__ = "operator_seat_change"
    __table_args__ = (Index("ix_operator_seat_change_user_at", "user_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(index=True)
    previous: Mapped[str | None] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(32))
    call_sid: Mapped[str | None] = mapped_column(String(64))
    # Who moved it: the operator's user name, or "service".
    by: Mapped[str] = mapped_column(String(64))
