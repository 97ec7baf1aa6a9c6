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
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, request

from callbacks import calls
from callbacks.calls import CallUrls
from callbacks.dispatcher import CallbackUrls
from database import db
from ivr.params import call_params, caller_input, recording_params, status_update, whole_number
from ivr.recovery import recovery
from ivr.signature import twilio_signed
from ivr.views import external_url, hotline, now, twiml

log = logging.getLogger(__name__)

bp = Blueprint("callbacks", __name__, url_prefix="/voice/callback")


def call_urls() -> CallUrls:
    return CallUrls(step=lambda attempt, step: external_url("callbacks.step", attempt=attempt, step=step),
                    recording_status=external_url("callbacks.recording"))


def placement_urls(app: Flask) -> CallbackUrls:
    """The URLs given to ``calls.create``, built outside any request (the
    scheduler process) from HOTLINE_PUBLIC_URL, exactly as the signature
    check will rebuild them."""
    public = app.config["SETTINGS"].public_url
    if not public:
        raise RuntimeError("HOTLINE_PUBLIC_URL is not set; Twilio needs absolute URLs for callback calls")
    parts = urlsplit(public)
    adapter = app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    return CallbackUrls(
        answer=lambda attempt: adapter.build("callbacks.answer", {"attempt": attempt}, force_external=True),
        status=lambda attempt: adapter.build("callbacks.status", {"attempt": attempt}, force_external=True),
    )


@bp.post("/answer")
@twilio_signed
def answer():
    attempt = whole_number(request.args.get("attempt"))
    if attempt is None:
        return twiml(calls.apology(hotline().config, None))
    session = db.session()
    body = calls.answer(session, hotline().config, attempt, call_params(), request.form.get("AnsweredBy"),
                        call_urls(), now())
    session.commit()
    return twiml(body)


@bp.post("/step")
@twilio_signed
def step():
    attempt, sequence = whole_number(request.args.get("attempt")), whole_number(request.args.get("step"))
    if attempt is None or sequence is None:
        return twiml(calls.apology(hotline().config, None))
    recording = recording_params()
    event = caller_input(recording)
    session = db.session()
    body = calls.take_step(session, hotline().config, attempt, request.form.get("CallSid", ""), sequence, event,
                           call_urls(), now(), recording=recording)
    session.commit()
    return twiml(body)


@bp.post("/status")
@twilio_signed
def status():
    form = request.form
    update = status_update()
    attempt = whole_number(request.args.get("attempt"))
    session = db.session()
    calls.call_status(session, hotline().config, attempt if attempt is not None else -1, update,
                      form.get("AnsweredBy"), now())
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
    return calls.apology(hotline().config, None)


# The IVR's failure path: status and recording callbacks are spooled while
# the database is unavailable (and replayed with `flask --app app spool replay`).
bp.register_error_handler(Exception, recovery(_apology, spool_as={"callbacks.status": "callback_status",
                                                                  "callbacks.recording": "callback_recording"}))
