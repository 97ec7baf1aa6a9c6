"""APScheduler's job table, declared here so that Alembic creates it and the
drift test knows it.  ``SQLAlchemyJobStore`` declares the same table in its
own metadata and creates it only if it is missing, which it never is after
``flask --app app init``."""
from __future__ import annotations

from sqlalchemy import Column, Float, LargeBinary, Table, Unicode

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
