"""The scheduler process: stand by until the leader lock is free, then run
APScheduler with the jobs until told to stop or the lock is lost.

The job store is SQLAlchemy's, in the service's own database (the
``apscheduler_jobs`` table, created by the migrations).  Every job has an
explicit id and is added with ``replace_existing=True``, so a new leader takes
over the same rows with the current intervals; each runs once as soon as its
process leads, so nothing waits a whole interval after a restart.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from datetime import datetime, timezone

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from database import make_engine
from scheduler import jobs
from scheduler.heartbeat import beat, holder_name
from scheduler.leader import LeaderLock, lock_for
from scheduler.models import JOBS_TABLE
from wiring import services

log = logging.getLogger(__name__)


def leader_lock(app: Flask) -> LeaderLock:
    settings = app.config["SETTINGS"]
    return lock_for(settings.database_url, settings.scheduler.lock_file, settings.instance_dir)


def build_scheduler(app: Flask) -> BackgroundScheduler:
    settings = app.config["SETTINGS"]
    # The job store gets an engine of its own: it disposes of it at shutdown.
    store = SQLAlchemyJobStore(engine=make_engine(settings.database_url), tablename=JOBS_TABLE)
    return BackgroundScheduler(
        jobstores={"default": store},
        executors={"default": ThreadPoolExecutor(max_workers=len(jobs.JOBS) + 1)},
        # A job that missed its time (the process was down) runs once, late,
        # rather than being skipped or run once per missed interval.
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        timezone=timezone.utc,
    )


def add_jobs(scheduler: BackgroundScheduler, app: Flask) -> None:
    tuning = app.config["SETTINGS"].scheduler
    now = datetime.now(timezone.utc)
    for spec in jobs.JOBS:
        scheduler.add_job(spec.func, "interval", seconds=spec.every(tuning).total_seconds(), id=spec.id,
                          name=spec.name, replace_existing=True, next_run_time=now)


class SchedulerProcess:
    def __init__(self, app: Flask, lock: LeaderLock, stop: threading.Event | None = None) -> None:
        self.app, self.lock = app, lock
        self.stop = stop or threading.Event()
        self.poll = app.config["SETTINGS"].scheduler.standby_poll.total_seconds()

    def run(self) -> None:
        log.info("scheduler %d starting; leader lock: %s", os.getpid(), self.lock.describe())
        standing_by = False
        try:
            while not self.stop.is_set():
                if self.lock.try_acquire():
                    standing_by = False
                    self._lead()
                    continue
                if not standing_by:
                    log.info("scheduler %d standing by: the leader lock is held elsewhere", os.getpid())
                    standing_by = True
                self.stop.wait(self.poll)
        finally:
            self.lock.release()
            log.info("scheduler %d stopped", os.getpid())

    def _lead(self) -> None:
        scheduler = build_scheduler(self.app)
        jobs.bind(self.app, scheduler)
        jobs.leading.set()
        scheduler.start()
        add_jobs(scheduler, self.app)
        log.info("scheduler %d leads: jobs %s", os.getpid(), ", ".join(spec.id for spec in jobs.JOBS))
        every = self.app.config["SETTINGS"].scheduler.heartbeat_every.total_seconds()
        last_beat = self._beat()
        try:
            while not self.stop.wait(min(self.poll, every)):
                if not self.lock.still_held():
                    log.error("scheduler %d lost the leader lock; stopping its jobs", os.getpid())
                    break
                if time.monotonic() - last_beat >= every:
                    last_beat = self._beat()
        finally:
            jobs.leading.clear()
            scheduler.shutdown(wait=True)     # lets running jobs finish their batch
            self.lock.release()

    def _beat(self) -> float:
        """Say that this process leads (for /readyz); a database that does
        not answer now is told next time."""
        from database import db
        try:
            with db.session_scope(self.app) as session:
                beat(session, holder_name(), services(self.app).now())
        except Exception:  # noqa: BLE001 - the jobs go on; readiness says the database is down anyway
            log.warning("scheduler %d could not write its heartbeat", os.getpid(), exc_info=True)
        return time.monotonic()
