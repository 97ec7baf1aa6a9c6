"""TwiML for the operator's side of calls: the bridge to an operator, the
whisper they hear first, the transfer to a department, and what happens
when the person does not answer.  Twilio webhooks, so each is signed."""
from __future__ import annotations

from flask import Blueprint, Response, request
from sqlalchemy import select

from accounts.models import User
from call_log.services import FINAL_STATUSES, find_call
from call_log.twilio_rest import twilio_client
from cases.services import find_case, open_cases_of
from database import db
from ivr.kit import call_sid, external_url, recording_params, recovery, twilio_signed, twiml, voice_urls, whole_number
from ivr.prompts import render
from ivr.services import back_to_queue
from ivr.turns import CallState
from ivr.twiml import render_apology_and_record, render_bridge, render_goodbye, render_whisper
from operators.recording import recording_status, start_operator_recording
from operators.seating import answered, bridge_ended
from operators.whispers import department_whisper, operator_whisper
from wiring import services

bp = Blueprint("operator_voice", __name__, url_prefix="/voice/operator")


def _language_of(call) -> str:
    return (call.language if call is not None and call.language else "zh-CN")


@bp.post("/connect")
@twilio_signed
def connect():
    """The caller's leg, moved here by a takeover or a dequeue."""
    session = db.session()
    config = services().config
    operator = session.scalars(select(User).where(User.username == request.args.get("operator", ""))).first()
    call = find_call(session, call_sid())
    language = _language_of(call)
    if operator is None or not operator.device:
        return twiml(_apology(config, language))
    notice = [render(config.prompts[language], "takeover_notice")]
    whisper = external_url("operator_voice.whisper", call=call_sid())
    after = external_url("operator_voice.after")
    return twiml(render_bridge(notice, operator.device, whisper, after, config.prompts,
                               timeout=config.seats.ring_seconds))


@bp.post("/whisper")
@twilio_signed
def whisper():
    """Heard by the operator before the bridge: who, what they said, what is
    open.  Asked for when their device picks up, so an offered caller is
    answered now: the seat is on the call, the caller out of the queue."""
    session = db.session()
    config = services().config
    now = services().now()
    call = find_call(session, request.args.get("call", ""), lock=True)
    seat = answered(session, request.args.get("call", ""), now) if call is not None else None
    if seat is not None and call.operator_joined_at is None:
        operator = session.get(User, seat.user_id)
        call.operator, call.operator_joined_at = operator.username if operator else None, now
        if call.queued_at:
            call.queue_ended_at, call.queue_result = call.queue_ended_at or now, "answered"
    session.commit()
    state = CallState.from_json(call.ivr_state) if call is not None and call.ivr_state else None
    open_cases = len(open_cases_of(session, call.caller_e164)) if call is not None and call.caller_e164 else 0
    summary = operator_whisper(config, call.line_id if call else None, call.caller_e164 if call else None,
                               state, open_cases)
    body = render_whisper([summary], config.prompts)
    if call is not None and call.operator:
        # The operator has answered: record the call for quality review (after the commit above).
        start_operator_recording(session, twilio_client, config, call.call_sid,
                                 external_url("operator_voice.recording"))
    return twiml(body)


@bp.post("/recording")
@twilio_signed
def recording():
    """Twilio's recording status callback for an operator's call recorded
    in dual channel: the recording is kept against the call."""
    params = recording_params()
    if params is not None:
        session = db.session()
        recording_status(session, params, whole_number(request.form.get("RecordingChannels")))
        session.commit()
    return Response(status=204)


@bp.post("/transfer")
@twilio_signed
def transfer():
    config = services().config
    session = db.session()
    call = find_call(session, call_sid())
    language = _language_of(call)
    department = config.departments.get(request.args.get("department", ""))
    if department is None or not department.duty_number:
        return twiml(_apology(config, language))
    notice = [render(config.prompts[language], "transfer_notice", department=department.name(language))]
    whisper = external_url("operator_voice.department_whisper", case=request.args.get("case", ""))
    after = external_url("operator_voice.after")
    return twiml(render_bridge(notice, department.duty_number, whisper, after, config.prompts))


@bp.post("/department-whisper", endpoint="department_whisper")
@twilio_signed
def department_whisper_view():
    config = services().config
    case = find_case(db.session(), request.args.get("case", "")) if request.args.get("case") else None
    summary = department_whisper(config, case.number if case else None, case.category_code if case else None,
                                 case.location_text if case else None)
    return twiml(render_whisper([summary], config.prompts))


@bp.post("/after")
@twilio_signed
def after():
    """<Dial action>: the bridge ended.  The operator's seat goes to
    wrap-up; an offered caller whom the operator did not answer waits again
    for the next one (and the operator is marked away).  Otherwise, if no
    one answered, the caller is not dropped: they may leave a message,
    which becomes a case."""
    config = services().config
    session = db.session()
    call = find_call(session, call_sid())
    language = _language_of(call)
    connected = request.form.get("DialCallStatus") == "completed"
    caller_gone = request.form.get("CallStatus") in FINAL_STATUSES
    outcome = bridge_ended(session, config, call_sid(), connected, services().now(), caller_gone=caller_gone)
    if outcome == "missed":
        # Offered by distribution and not answered: the next operator's turn.
        again = back_to_queue(session, services().hotline, call_sid(), voice_urls(), services().now())
        session.commit()
        if again is not None:
            return twiml(again)
    session.commit()
    if connected:
        return twiml(render_goodbye([render(config.prompts[language], "goodbye")], config.prompts))
    return twiml(_apology(config, language))


def _apology_for_request() -> str:
    """As in the IVR: never a 500 to Twilio; the caller can still leave a message."""
    return _apology(services().config, "zh-CN")


def _apology(config, language: str) -> str:
    urls = voice_urls()
    return render_apology_and_record([render(config.prompts[language], "operator_voicemail")], config.prompts,
                                     urls.fallback_recorded, urls.recording_status)


bp.register_error_handler(Exception, recovery(_apology_for_request))
