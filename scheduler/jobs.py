"""The scheduler's jobs.

Module-level functions, so the persistent job store refers to them by name
("scheduler.jobs:dispatch_callbacks"): a row of ``apscheduler_jobs`` holds
that reference, the trigger and the next run time, nothing else.  Each job
works on the database through the services and is safe to run twice: what it
does is claimed in the database first.

The Flask app of the scheduler process is bound here once, by
``scheduler.process``, before any job can run.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

from flask import Flask

from config.settings import SchedulerSettings
from wiring import services

log = logging.getLogger(__name__)

_app: Flask | None = None
_scheduler = None                 # the running APScheduler, to move the dispatcher's next run
# The dispatcher never wakes sooner than this after a run ends, so it has
# finished (max_instances=1) when it runs again.
EARLIEST_WAKE = timedelta(milliseconds=250)
# Set while this process holds the leader lock; a long job checks it
# between batches and stops early when leadership is lost.
leading = threading.Event()


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: str                                         # "module:function", for the job store
    every: Callable[[SchedulerSettings], timedelta]
    name: str


DISPATCH = "callbacks.dispatch"
JOBS = (
    JobSpec(DISPATCH, "scheduler.jobs:dispatch_callbacks", lambda s: s.callbacks_every,
            "place the callbacks that are due"),
    JobSpec("cases.flag_overdue", "scheduler.jobs:flag_overdue_cases", lambda s: s.overdue_every,
            "flag cases past their time limit"),
    JobSpec("notifications.deliver", "scheduler.jobs:deliver_outbox", lambda s: s.outbox_every,
            "deliver departments' notifications"),
    JobSpec("sms.send", "scheduler.jobs:send_sms", lambda s: s.sms_every, "send the SMS that are due"),
    JobSpec("operators.distribute", "scheduler.jobs:distribute_callers", lambda s: s.seats_every,
            "offer waiting callers to available operators"),
)


def bind(app: Flask, scheduler=None) -> None:
    global _app, _scheduler
    _app, _scheduler = app, scheduler


def _bound() -> Flask:
    if _app is None:
        raise RuntimeError("scheduler jobs run only in the scheduler process (flask --app app scheduler)")
    return _app


def dispatch_callbacks(drain: bool = False) -> None:
    """Place what is due, then wake again when the next callback falls due
    if that is before the next run: a survey due at 14:00:00 is placed then,
    not up to an interval later.  Callbacks owed from now on (a caller who
    asked for one) wait at most the interval, HOTLINE_SCHEDULER_CALLBACKS_EVERY.
    ``drain`` (``scheduler --once``) places everything due before returning."""
    from call_log.twilio_rest import twilio_client
    from callbacks.dispatcher import dispatch_due, next_due, placement_urls
    from database import db

    app = _bound()
    with app.app_context():
        settings = app.config["SETTINGS"]
        if not settings.public_url:
            log.error("HOTLINE_PUBLIC_URL is not set: Twilio needs absolute URLs, so no callback is placed")
            return
        tuning = settings.scheduler
        # A run ends before the next interval would start it again (which
        # APScheduler would skip, and warn); with more due, _wake_at starts
        # the next one at once.
        until = float("inf") if drain else time.monotonic() + 0.8 * tuning.callbacks_every.total_seconds()
        counts = dispatch_due(
            lambda: db.session_scope(app), services(app).config, twilio_client(),
            placement_urls(app), services(app).clock, batch=tuning.callback_batch,
            concurrency=tuning.callback_concurrency, stale_after=tuning.callback_stale_after,
            keep_going=lambda: leading.is_set() and time.monotonic() < until,
        )
        _wake_at(next_due(lambda: db.session_scope(app)))
    if counts.placed or counts.failed or counts.dropped or counts.reconciled:
        log.info("callbacks: placed %d, failed %d, deferred %d, dropped %d, quiet attempts ended %d",
                 counts.placed, counts.failed, counts.deferred, counts.dropped, counts.reconciled)


def _wake_at(moment: datetime | None) -> None:
    if moment is None or _scheduler is None or not leading.is_set():
        return
    job = _scheduler.get_job(DISPATCH)
    if job is None or job.next_run_time is None:
        return
    moment = max(moment, datetime.now(timezone.utc) + EARLIEST_WAKE)
    if moment < job.next_run_time:
        _scheduler.modify_job(DISPATCH, next_run_time=moment)


def flag_overdue_cases() -> None:
    from cases.workflow import flag_overdue
    from database import db

    app = _bound()
    with app.app_context(), db.session_scope(app) as session:
        flagged = flag_overdue(session, services(app).now())
        if flagged:
            log.info("flagged %d case(s) overdue", len(flagged))


def deliver_outbox() -> None:
    from database import db
    from notifications.worker import deliver_due

    app = _bound()
    with app.app_context():
        counts = deliver_due(lambda: db.session_scope(app), services(app).config,
                             services(app).now())
    if counts.delivered or counts.failed or counts.dead:
        log.info("notifications: delivered %d, failed %d, dead %d", counts.delivered, counts.failed, counts.dead)


def send_sms() -> None:
    from call_log.twilio_rest import twilio_client
    from database import db
    from ivr.kit import public_url
    from sms.sender import send_due

    app = _bound()
    with app.app_context():
        if not app.config["SETTINGS"].public_url:
            log.error("HOTLINE_PUBLIC_URL is not set: Twilio needs an absolute StatusCallback, so no SMS is sent")
            return
        kept = services(app)
        counts = send_due(lambda: db.session_scope(app), kept.config, kept.sms, twilio_client(),
                          lambda message: public_url(app, "sms.status", message=message), kept.clock)
    if counts.sent or counts.retried or counts.failed or counts.settled:
        log.info("sms: sent %d, retried %d, failed %d, cut-off sends settled %d",
                 counts.sent, counts.retried, counts.failed, counts.settled)


def distribute_callers() -> None:
    """Offer waiting callers to the longest-idle available operators with
    the right skills; free seats whose wrap-up is over or whose offer rang out."""
    from call_log.twilio_rest import twilio_client
    from database import db
    from ivr.kit import public_url
    from operators.distribution import distribute

    app = _bound()
    with app.app_context():
        if not app.config["SETTINGS"].public_url:
            log.error("HOTLINE_PUBLIC_URL is not set: Twilio needs absolute URLs, so no caller is offered")
            return
        counts = distribute(lambda: db.session_scope(app), twilio_client(), services(app).config,
                            lambda operator: public_url(app, "operator_voice.connect", operator=operator),
                            services(app).clock)
    if counts.offered or counts.failed or counts.missed or counts.freed or counts.closed:
        log.info("distribution: offered %d, failed %d, rang out %d, freed %d, board closed %d",
                 counts.offered, counts.failed, counts.missed, counts.freed, counts.closed)
