"""``flask --app app sms status``: what the SMS outbox holds."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from call_log.phones import mask
from database import db
from ivr.kit import whole_number
from sms import inbound, keywords
from sms.models import SmsMessage
from sms.params import incoming_text, message_status

sms_cli = AppGroup("sms", help="SMS to complainants (the scheduler sends them).")


@sms_cli.command("status")
@click.option("--limit", default=20, show_default=True, help="How many failed or undelivered messages to list.")
def status(limit: int) -> None:
    """Counts by status, and the messages that failed or were not delivered."""
    app = current_app._get_current_object()
    with db.session_scope(app) as session:
        for state, delivery, count in session.execute(
                select(SmsMessage.status, SmsMessage.delivery_status, func.count())
                .group_by(SmsMessage.status, SmsMessage.delivery_status)
                .order_by(SmsMessage.status, SmsMessage.delivery_status)):
            click.echo(f"{state:10} {delivery or '-':12} {count}")
        for message in session.scalars(
                select(SmsMessage).where((SmsMessage.status == "failed")
                                         | SmsMessage.delivery_status.in_(("undelivered", "failed")))
                .order_by(SmsMessage.updated_at.desc()).limit(limit)):
            click.echo(f"{message.id:6} {message.purpose:11} {mask(message.phone_e164):15} "
                       f"{message.status}/{message.delivery_status or '-'} {message.error_code or ''} "
                       f"{message.last_error or ''}")


# Replaying what /sms/ kept while the database was unavailable (``flask --app
# app spool replay``); create_app wires these into Services.spool_replayers.

def _replay_incoming(session, kept, webhook) -> None:
    text_in = incoming_text(webhook.form)
    asked = keywords.read(text_in.body)
    if asked.kind not in (keywords.STOP, keywords.START):
        raise ValueError(f"only opt-outs and opt-ins are kept, not {asked.kind!r}")
    inbound.answer_text(session, kept.config, kept.sms, text_in.from_number, text_in.body, kept.now())


def _replay_status(session, kept, webhook) -> None:
    reported = message_status(webhook.form)
    inbound.record_status(session, whole_number(webhook.args.get("message")), reported.message_sid,
                          reported.status, reported.error_code, kept.now())


SPOOL_REPLAYERS = {"sms_incoming": _replay_incoming, "sms_status": _replay_status}
