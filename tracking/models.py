"""Lookups on the tracking page that found nothing, for throttling guesses."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from database import Base


class TrackingFailure(Base):
    __tablename__ = "tracking_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    address: Mapped[str] = mapped_column(String(64))
    case_number: Mapped[str] = mapped_column(String(32))


Index("ix_tracking_failure_address_at", TrackingFailure.address, TrackingFailure.at)
Index("ix_tracking_failure_case_number_at", TrackingFailure.case_number, TrackingFailure.at)
