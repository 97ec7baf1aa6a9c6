"""What the monthly assessment keeps in the database: the figures of months that have ended.
(The indexes its queries need on the cases' events are declared with them, in cases/models.py.)

A month's figures are read from the events before its end, so once it has ended they never
change: the trend charts compute each month once and keep its counts here. ``fingerprint``
names the rules they were counted by, so changing a rule counts them again.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

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
