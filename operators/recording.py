"""Recording operators' calls for quality review.

When an operator answers (today: their device asks for the whisper; with
conferences: they join the caller's conference), ``start_operator_recording``
asks Twilio to record the caller's leg in two channels, the caller on one
and the operator on the other, with the REST API
(``POST Calls/{CallSid}/Recordings.json``).  It runs after the webhook's
commit, outside any transaction, and whatever Twilio answers, the call goes
on: a refusal or an unreachable API is logged, nothing more.  Twilio's
recording status callbacks (``/voice/operator/recording``, signed) keep the
recording against the call (``recording`` rows, purpose ``operator_call``,
keyed by the RecordingSid Twilio answered with).

The recording holds the operator's part only: when the operator hands a
warm transfer over (the caller goes on with the department),
``stop_operator_recording`` stops it (``POST
Calls/{CallSid}/Recordings/{Sid}.json``, ``Status=stopped``); Twilio then
reports it ``completed`` to the same status callback.

A line with ``record_calls: false`` records nothing (its greeting does not
announce recording either), and neither are calls the service placed itself
(callbacks): only an inbound caller heard the notice.
"""
from __future__ import annotations

import logging
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from call_log.models import Call, Recording
from call_log.services import RecordingParams, find_call, save_recording
from config.catalog import HotlineConfig

log = logging.getLogger(__name__)

OPERATOR_CALL = "operator_call"
DUAL = 2
NOT_FOUND = 20404       # Twilio: the recording is not there (any more)
# Twilio calls the status callback when the recording starts, when its file
# is ready, and when nothing was recorded.
STATUS_EVENTS = ["in-progress", "completed", "absent"]


def records(config: HotlineConfig, call: Call) -> bool:
    """Whether an operator's part of this call is recorded: an inbound call
    (whose caller heard the notice) on a line that records calls."""
    line = config.lines.get(call.line_id or "")
    return line is not None and line.record_calls and call.direction == "inbound"


def start_operator_recording(session: Session, client: Callable[[], Client], config: HotlineConfig, call_sid: str,
                             status_callback: str) -> str | None:
    """An operator has answered the caller ``call_sid``: record the call in
    dual channel, unless its line records no calls or it is being recorded
    already.  Call it after the webhook has committed; it ends the session's
    read before asking Twilio and keeps the recording's row in a short
    transaction of its own.  ``client`` gives the Twilio client (built only
    when needed; an app without Twilio credentials records nothing and says
    so).  The RecordingSid, or None (nothing started)."""
    try:
        call = find_call(session, call_sid)
        if call is None or not records(config, call) or _recording_now(session, call):
            session.rollback()
            return None
        session.commit()                    # no transaction is open while Twilio is asked
        made = client().calls(call_sid).recordings.create(
            recording_channels="dual", recording_track="both", recording_status_callback=status_callback,
            recording_status_callback_method="POST", recording_status_callback_event=STATUS_EVENTS)
        save_recording(session, RecordingParams(made.sid, call_sid, None, None, made.status or "in-progress"),
                       purpose=OPERATOR_CALL, channels=DUAL)
        session.commit()
        log.info("recording call %s for quality review: %s", call_sid, made.sid)
        return made.sid
    except TwilioRestException as error:
        session.rollback()
        log.warning("call %s is not recorded: Twilio answered %s (error %s: %s)", call_sid, error.status,
                    error.code, error.msg)
    except Exception:  # noqa: BLE001 - the network, or the database: the call goes on unrecorded
        session.rollback()
        log.exception("call %s is not recorded: starting its recording failed", call_sid)
    return None


def running_operator_recording(session: Session, call: Call) -> str | None:
    """The RecordingSid of the operator's recording of ``call`` still
    running (as far as Twilio has told us), or None."""
    return session.scalar(select(Recording.recording_sid).where(
        Recording.call_id == call.id, Recording.purpose == OPERATOR_CALL,
        Recording.status == "in-progress").order_by(Recording.id.desc()).limit(1))


def stop_operator_recording(client: Client, call_sid: str, recording_sid: str) -> bool:
    """Stop the operator's recording of ``call_sid`` (their part is over).
    Call it with no transaction open.  A recording already gone (20404: the
    call ended, or it was stopped) or any other refusal is logged and the
    call goes on.  True if Twilio stopped it."""
    try:
        client.calls(call_sid).recordings(recording_sid).update(status="stopped")
    except TwilioRestException as error:
        if error.status == 404 or error.code == NOT_FOUND:
            log.info("recording %s of call %s had ended already", recording_sid, call_sid)
        else:
            log.warning("recording %s of call %s was not stopped: Twilio answered %s (error %s: %s)",
                        recording_sid, call_sid, error.status, error.code, error.msg)
        return False
    except Exception:  # noqa: BLE001 - Twilio unreachable: the recording runs on to the call's end
        log.exception("recording %s of call %s was not stopped", recording_sid, call_sid)
        return False
    log.info("recording %s of call %s stopped: the operator handed the call over", recording_sid, call_sid)
    return True


def recording_status(session: Session, params: RecordingParams, channels: int | None) -> Recording:
    """Twilio's recording status callback for an operator's call."""
    return save_recording(session, params, purpose=OPERATOR_CALL, channels=channels or DUAL)


def _recording_now(session: Session, call: Call) -> bool:
    return session.scalar(select(Recording.id).where(
        Recording.call_id == call.id, Recording.purpose == OPERATOR_CALL,
        Recording.status == "in-progress").limit(1)) is not None
