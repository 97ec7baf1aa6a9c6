"""What the monthly assessment keeps in the database: the figures of months that have ended, and
an index its queries need.

A month's figures are read from the events before its end, so once it has ended they never
change: the trend charts compute each month once and keep its counts here. ``fingerprint``
names the rules they were counted by, so changing a rule counts them again.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cases.models import CaseEvent
from database import Base, utcnow


class MonthFigures(Base):
    __tablename__ = "assessment_month"
    __table_args__ = (UniqueConstraint("month", "fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7))              # "2026-10"
    fingerprint: Mapped[str] = mapped_column(String(64))       # the rules, time zone and hotline channel
    # {"all": {indicator: [numerator, denominator]}, "hotline": ..., "others": ...,
    #  "departments": {code: {indicator: [numerator, denominator]}}}
    figures: Mapped[dict] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


# Indexes on case_event for reports.statement.concerned: the cases moved in a month, from the
# index alone; and (PostgreSQL only) the cases falling due in a month, by the deadline each
# event set: the migration writes its expression, data ->> 'due_at'.
Index("ix_case_event_at_case_id", CaseEvent.at, CaseEvent.case_id)
_DUE_AT = CaseEvent.data["due_at"].as_string()
Index("ix_case_event_due_at", _DUE_AT, postgresql_where=_DUE_AT.isnot(None)).ddl_if(dialect="postgresql")
