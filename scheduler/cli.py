"""``flask --app app scheduler``: the scheduler process.

Run one on each of two machines (or twice on one): the first leads, the
other stands by and takes over within seconds of the leader's death.
"""
from __future__ import annotations

import logging
import signal
import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from scheduler import jobs
from scheduler.process import SchedulerProcess, leader_lock


@click.command("scheduler")
@click.option("--once", is_flag=True,
              help="Run each job once now and exit, without the leader lock (for cron or a check by hand).")
@with_appcontext
def scheduler_command(once: bool) -> None:
    """Run the scheduler: callbacks, overdue cases, notifications, SMS."""
    app = current_app._get_current_object()
    # APScheduler says "Running job ..." at INFO on every run of every job.
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
    if once:
        jobs.bind(app)
        jobs.leading.set()
        jobs.dispatch_callbacks(drain=True)
        click.echo(f"ran {jobs.DISPATCH}")
        for spec in jobs.JOBS:
            if spec.id != jobs.DISPATCH:
                getattr(jobs, spec.func.split(":")[1])()
                click.echo(f"ran {spec.id}")
        return
    stop = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stop.set())
    SchedulerProcess(app, leader_lock(app), stop).run()
