"""Twilio webhooks of the callback calls, under /voice/callback/.

    POST /voice/callback/answer?attempt=ID            the call's Url (AnsweredBy tells a machine)
    POST /voice/callback/step?attempt=ID&step=N       Gather and Record actions
    POST /voice/callback/status?attempt=ID            the status callback
    POST /voice/callback/recording                    Record's recordingStatusCallback

The attempt id in the URL is what ties Twilio's requests to the callback:
it is known before ``calls.create`` is sent, so even a webhook that beats
the REST answer finds its callback.  Every route checks X-Twilio-Signature,
and views only translate: the use cases are in ``callbacks.calls``.
"""
from __future__ import annotations

import logging

from flask import Blueprint, Response, request

from callbacks import calls
from callbacks.calls import CallUrls
from database import db
from ivr.kit import (
    answered_by,
    call_params,
    call_sid,
    caller_input,
    external_url,
    recording_params,
    recovery,
    status_update,
    twilio_signed,
    twiml,
    whole_number,
)
from wiring import services

log = logging.getLogger(__name__)

bp = Blueprint("callbacks", __name__, url_prefix="/voice/callback")


def call_urls() -> CallUrls:
    return CallUrls(step=lambda attempt, step: external_url("callbacks.step", attempt=attempt, step=step),
                    recording_status=external_url("callbacks.recording"))


@bp.post("/answer")
@twilio_signed
def answer():
    attempt = whole_number(request.args.get("attempt"))
    if attempt is None:
        return twiml(calls.apology(services().config, None))
    session = db.session()
    body = calls.answer(session, services().config, attempt, call_params(), answered_by(),
                        call_urls(), services().now())
    session.commit()
    return twiml(body)


@bp.post("/step")
@twilio_signed
def step():
    attempt, sequence = whole_number(request.args.get("attempt")), whole_number(request.args.get("step"))
    if attempt is None or sequence is None:
        return twiml(calls.apology(services().config, None))
    recording = recording_params()
    event = caller_input(recording)
    session = db.session()
    body = calls.take_step(session, services().config, attempt, call_sid(), sequence, event,
                           call_urls(), services().now(), recording=recording)
    session.commit()
    return twiml(body)


@bp.post("/status")
@twilio_signed
def status():
    update = status_update()
    attempt = whole_number(request.args.get("attempt"))
    session = db.session()
    calls.call_status(session, services().config, attempt if attempt is not None else -1, update,
                      answered_by(), services().now())
    session.commit()
    return Response(status=204)


@bp.post("/recording")
@twilio_signed
def recording():
    params = recording_params()
    if params is not None:
        session = db.session()
        calls.recording_status(session, params)
        session.commit()
    return Response(status=204)


def _apology() -> str:
    """A complainant never hears an application error: a short apology and a hang-up."""
    return calls.apology(services().config, None)


# The IVR's failure path: status and recording callbacks are spooled while
# the database is unavailable (and replayed with `flask --app app spool replay`).
bp.register_error_handler(Exception, recovery(_apology, spool_as={"callbacks.status": "callback_status",
                                                                  "callbacks.recording": "callback_recording"}))
