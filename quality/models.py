"""Supervisors' reviews of operators' calls."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from database import Base


class QualityReview(Base):
    """One supervisor's scores for one operator's call, item by item.

    ``scores`` maps each checklist item's key to the points given; ``total``
    is their sum and ``possible`` what the checklist allowed when the call
    was reviewed, so a review keeps its meaning after the checklist changes.
    A call is reviewed once by each reviewer (saving again replaces it)."""

    __tablename__ = "quality_review"
    __table_args__ = (UniqueConstraint("call_sid", "reviewer"),
                      Index("ix_quality_review_operator_at", "operator", "reviewed_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), index=True)
    operator: Mapped[str] = mapped_column(String(100))
    reviewer: Mapped[str] = mapped_column(String(100))
    scores: Mapped[dict] = mapped_column(JSON, default=dict)
    total: Mapped[int] = mapped_column()
    possible: Mapped[int] = mapped_column()
    comment: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime] = mapped_column()
