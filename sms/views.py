"""Twilio's SMS webhooks, under /sms/.

    POST /sms/incoming              a number's Messaging webhook: an inbound text, answered with TwiML <Message>
    POST /sms/status?message=ID     the StatusCallback of each message the outbox sends

Both check X-Twilio-Signature; views only translate (``sms.inbound``).
"""
from __future__ import annotations

from flask import Blueprint, request
from twilio.twiml.messaging_response import MessagingResponse

from database import db
from ivr.kit import twilio_signed, twiml, whole_number
from sms import inbound
from wiring import services

bp = Blueprint("sms", __name__, url_prefix="/sms")


@bp.post("/incoming")
@twilio_signed
def incoming():
    session = db.session()
    text = inbound.answer_text(session, services().config, services().sms, request.form.get("From"),
                               request.form.get("Body"), services().now())
    session.commit()
    reply = MessagingResponse()
    if text:
        reply.message(text)
    return twiml(str(reply))


@bp.post("/status")
@twilio_signed
def status():
    session = db.session()
    inbound.record_status(session, whole_number(request.args.get("message")), request.form.get("MessageSid"),
                          request.form.get("MessageStatus"), request.form.get("ErrorCode"), services().now())
    session.commit()
    return "", 204
