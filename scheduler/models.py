"""APScheduler's job table, declared here so that Alembic creates it and the
drift test knows it.  ``SQLAlchemyJobStore`` declares the same table in its
own metadata and creates it only if it is missing, which it never is after
``flask --app app init``."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Float, LargeBinary, String, Table, Unicode
from sqlalchemy.orm import Mapped, mapped_column

from database import Base

JOBS_TABLE = "apscheduler_jobs"

# Exactly SQLAlchemyJobStore's columns (apscheduler 3.x): 191 characters is
# MySQL's longest indexable key; Float(25) is an 8-byte float.
apscheduler_jobs = Table(
    JOBS_TABLE,
    Base.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)


class SchedulerHeartbeat(Base):
    """The leading scheduler's heartbeat: one row, rewritten every few
    seconds while a scheduler leads.  /readyz wants a recent one."""

    __tablename__ = "scheduler_heartbeat"

    id: Mapped[int] = mapped_column(primary_key=True)          # always 1
    holder: Mapped[str] = mapped_column(String(200))           # host and process id
    seen_at: Mapped[datetime] = mapped_column()
