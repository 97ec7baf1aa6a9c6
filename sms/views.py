"""Twilio's SMS webhooks, under /sms/.

    POST /sms/incoming              a number's Messaging webhook: an inbound text, answered with TwiML <Message>
    POST /sms/status?message=ID     the StatusCallback of each message the outbox sends

Both check X-Twilio-Signature; views only translate (``sms.inbound``).

While the database is unavailable nothing a citizen asked for is lost: an
opt-out or opt-in is kept in the spool (``flask --app app spool replay``
honours it later) and confirmed at once; a status query is answered with the
``busy`` text, since its reply could not be sent later anyway; a delivery
status is spooled like the voice callbacks' statuses.
"""
from __future__ import annotations

import logging

from flask import Blueprint, request
from twilio.twiml.messaging_response import MessagingResponse

from database import db
from ivr.kit import BadWebhook, database_unavailable, recovery, spool_request, twilio_signed, twiml, whole_number
from sms import inbound, keywords
from sms.params import incoming_text, message_status
from wiring import services

bp = Blueprint("sms", __name__, url_prefix="/sms")
log = logging.getLogger(__name__)


def _reply(text: str | None) -> str:
    reply = MessagingResponse()
    if text:
        reply.message(text)
    return str(reply)


@bp.post("/incoming")
@twilio_signed
def incoming():
    text_in = incoming_text()
    session = db.session()
    text = inbound.answer_text(session, services().config, services().sms, text_in.from_number, text_in.body,
                               services().now())
    session.commit()
    return twiml(_reply(text))


@bp.post("/status")
@twilio_signed
def status():
    reported = message_status()
    session = db.session()
    inbound.record_status(session, whole_number(request.args.get("message")), reported.message_sid,
                          reported.status, reported.error_code, services().now())
    session.commit()
    return "", 204


# What a failed request is answered with.  Kept opt-outs and opt-ins are
# confirmed: the replay will carry them out.
_KEPT = {keywords.STOP: "opted_out", keywords.START: "opted_in"}


def _busy() -> str:
    asked = keywords.read(incoming_text(checked=False).body)
    return _reply(services().sms.text(services().sms.language_of(asked.language), "busy"))


_recover_as_voice = recovery(_busy, spool_as={"sms.status": "sms_status"})


def _recover(error: Exception):
    asked = keywords.read(incoming_text(checked=False).body)
    if request.endpoint == "sms.incoming" and asked.kind in _KEPT and database_unavailable(error):
        try:
            db.session().rollback()
        except Exception:  # noqa: BLE001 - the connection may be gone with the database
            log.debug("rollback after a failed SMS webhook failed too", exc_info=True)
        try:
            spool_request("sms_incoming")
        except BadWebhook:
            return twiml(_busy())
        sms = services().sms
        return twiml(_reply(sms.text(sms.language_of(asked.language), _KEPT[asked.kind])))
    return _recover_as_voice(error)


bp.register_error_handler(Exception, _recover)
