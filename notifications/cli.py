"""``flask --app app notifications deliver|status``."""
from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from database import db
from notifications.models import OutboxMessage
from notifications.worker import deliver_due, problems
from wiring import services

notifications_cli = AppGroup("notifications", help="Notifications to departments' systems.")


@notifications_cli.command("deliver")
@click.option("--loop", is_flag=True, help="Keep delivering every --interval seconds.")
@click.option("--interval", default=5.0, show_default=True)
def deliver(loop: bool, interval: float) -> None:
    """Deliver the notifications that are due (the scheduler runs this too)."""
    app = current_app._get_current_object()
    while True:
        counts = deliver_due(lambda: db.session_scope(app), services(app).config,
                             services(app).now())
        click.echo(f"delivered {counts.delivered}, failed {counts.failed}, dead {counts.dead}")
        if not loop:
            return
        time.sleep(interval)


@notifications_cli.command("status")
def status() -> None:
    """Counts by status, and the messages that keep failing."""
    app = current_app._get_current_object()
    with db.session_scope(app) as session:
        for state, count in session.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
                .order_by(OutboxMessage.status)):
            click.echo(f"{state:10} {count}")
        for message in problems(session):
            click.echo(f"{message.status:8} {message.department_code:10} {message.event_type:18} attempts "
                       f"{message.attempts:2}  next {message.next_attempt_at:%Y-%m-%d %H:%M}  {message.last_error}")
