"""Twilio voice webhooks.  Views translate Twilio's parameters into service
calls and return TwiML; every route checks X-Twilio-Signature.

A caller must never hear dead air or an application error: any failure
here answers with an apology and a recording, so what they say is kept.
"""
from __future__ import annotations

import logging

from flask import Blueprint, Response, request

from call_log.services import record_status, save_recording
from database import db
from ivr.kit import (
    BadWebhook,
    call_params,
    call_sid,
    caller_input,
    database_unavailable,
    fallback_params,
    queue_params,
    recording_params,
    recovery,
    spool_request,
    status_update,
    twilio_signed,
    twiml,
    voice_urls,
    whole_number,
)
from ivr.services import answer_call, apology, fallback_recorded, queue_choice, queue_wait, recorded_goodbye, take_step
from wiring import services

log = logging.getLogger(__name__)

bp = Blueprint("voice", __name__, url_prefix="/voice")


@bp.post("/incoming")
@twilio_signed
def incoming():
    session = db.session()
    body = answer_call(session, services().hotline, call_params(), voice_urls(), services().now())
    session.commit()
    return twiml(body)


@bp.post("/step")
@twilio_signed
def step():
    sequence = whole_number(request.args.get("step"))
    if sequence is None:
        hotline = services().hotline
        return twiml(apology(hotline, hotline.default_line(), voice_urls()))
    recording = recording_params()
    event = caller_input(recording)
    session = db.session()
    body = take_step(session, services().hotline, call_sid(), sequence, event, voice_urls(), services().now(),
                     recording=recording)
    session.commit()
    return twiml(body)


@bp.post("/queue/wait", endpoint="wait")
@twilio_signed
def wait():
    waiting = queue_params()
    session = db.session()
    body = queue_wait(session, services().hotline, waiting.call_sid, waiting.position, waiting.average_wait_seconds,
                      voice_urls(), services().now())
    session.commit()
    return twiml(body)


@bp.post("/queue/choice", endpoint="wait_choice")
@twilio_signed
def wait_choice():
    return twiml(queue_choice(caller_input().digits))


@bp.post("/status")
@twilio_signed
def status():
    update = status_update()
    session = db.session()
    record_status(session, update, services().now())
    session.commit()
    return Response(status=204)


@bp.post("/recording")
@twilio_signed
def recording():
    params = recording_params()
    if params is not None:
        session = db.session()
        save_recording(session, params)
        session.commit()
    return Response(status=204)


@bp.post("/fallback")
@twilio_signed
def fallback():
    """Twilio's Fallback URL: the primary answer failed; apologise and record."""
    failed = fallback_params()
    hotline = services().hotline
    line = hotline.line_for(failed.to_number) or hotline.default_line()
    log.error("fallback URL called for call %s: ErrorCode %s at %s", failed.call_sid or None, failed.error_code,
              failed.error_url)
    return twiml(apology(hotline, line, voice_urls()))


@bp.post("/fallback/recorded", endpoint="fallback_recorded")
@twilio_signed
def fallback_recorded_view():
    """The recording left after an apology.  Whatever fails now, the caller
    hears that it was kept and the call ends; asking them to record again
    would go round in circles."""
    called = fallback_params(checked=False)     # the goodbye is said whatever came in
    hotline = services().hotline
    line = hotline.line_for(called.to_number) or hotline.default_line()
    session = db.session()
    try:
        params, recording = call_params(), recording_params()
        body = fallback_recorded(session, hotline, params, recording, services().now())
        session.commit()
    except BadWebhook as error:
        log.warning("fallback recording refused: %s", error)
        return twiml(recorded_goodbye(hotline, line))
    except Exception as error:  # noqa: BLE001 - the caller is told it was kept; the log says what failed
        session.rollback()
        if database_unavailable(error):
            spool_request("fallback_recorded")
        else:
            log.exception("the fallback recording of call %s could not be stored", called.call_sid or None)
        body = recorded_goodbye(hotline, line)
    return twiml(body)


def _apology() -> str:
    """Apologise and record: the recording becomes a case.  The failure
    path reads the number called unchecked: the apology is said whatever came in."""
    hotline = services().hotline
    line = hotline.line_for(fallback_params(checked=False).to_number) or hotline.default_line()
    return apology(hotline, line, voice_urls())


bp.register_error_handler(Exception, recovery(_apology, spool_as={"voice.status": "status",
                                                                  "voice.recording": "recording"}))
