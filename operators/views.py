"""TwiML for the operator's side of calls: the caller entering the call's
conference (and the operator's leg rung from there), the whisper the
operator hears before joining it, the conference's status callbacks, the
hold prompt, the cold transfer to a department, and what happens when the
operator does not answer.  Twilio webhooks, so each is signed."""
from __future__ import annotations

import logging

from flask import Blueprint, Response, request
from sqlalchemy import select

from accounts.models import User
from call_log.services import FINAL_STATUSES, find_call
from call_log.twilio_rest import twilio_client
from cases.services import find_case, latest_case_of_call, open_cases_of
from database import db
from ivr.kit import (
    CallState,
    ConferenceSeat,
    back_to_queue,
    call_sid,
    call_status,
    conference_update,
    dial_status,
    external_url,
    recording_channels,
    recording_params,
    recovery,
    render,
    render_apology_and_record,
    render_bridge,
    render_conference,
    render_goodbye,
    render_hold,
    render_whisper,
    twilio_signed,
    twiml,
    voice_urls,
)
from operators import conference as rules
from operators import seats as seat_rules
from operators.conference_services import (
    ConferenceUrls,
    conference_event,
    dialled_leg_ended,
    operator_answered,
    operator_leg_ended,
    ring_operator,
    tell_case_summary,
)
from operators.conference_services import conference_urls as build_conference_urls
from operators.recording import recording_status, start_operator_recording
from operators.seating import answered, bridge_ended, holding, move
from operators.whispers import department_summary, operator_whisper
from wiring import services

log = logging.getLogger(__name__)
bp = Blueprint("operator_voice", __name__, url_prefix="/voice/operator")


def _language_of(call) -> str:
    return (call.language if call is not None and call.language else "zh-CN")


def conference_urls() -> ConferenceUrls:
    """The URLs of a call's conference legs, for this request's host."""
    return build_conference_urls(external_url)


@bp.post("/connect")
@twilio_signed
def connect():
    """The caller's leg, moved here by a takeover, *Answer next* or an
    offer.  The operator's device is rung (the whisper, then the call's
    conference), and the caller enters the conference, hearing the hold
    prompt until the operator is in."""
    session = db.session()
    config = services().config
    operator = session.scalars(select(User).where(User.username == request.args.get("operator", ""))).first()
    call = find_call(session, call_sid())
    language = _language_of(call)
    if operator is None or not operator.device or call is None:
        return twiml(_apology(config, language))
    urls = conference_urls()
    leg = ring_operator(session, twilio_client(in_webhook=True), config, call_sid(), operator, urls, services().now())
    if leg is None:
        # Twilio would not ring the operator: the offer is off, the caller waits again (or leaves a message).
        seat = holding(session, call_sid())
        if seat is not None and seat.state == seat_rules.RINGING:
            move(session, seat, seat_rules.AVAILABLE, services().now(), reason="offer_failed")
        again = back_to_queue(session, services().hotline, call_sid(), voice_urls(), services().now()) \
            if call.queued_at else None
        session.commit()
        return twiml(again or _apology(config, language))
    session.commit()
    notice = [render(config.prompts[language], "takeover_notice")]
    return twiml(render_conference(notice, ConferenceSeat(
        rules.conference_name(call_sid()), rules.CALLER, external_url("operator_voice.after"), urls.events,
        wait_url=urls.hold, start_on_enter=False, end_on_exit=True), config.prompts))


@bp.post("/whisper")
@twilio_signed
def whisper():
    """The operator's leg answered: the whisper (who, what they said, what
    is open), then the call's conference.  An offered caller is answered
    now: the seat is on the call.  A caller who hung up meanwhile: the
    operator is told so."""
    session = db.session()
    config = services().config
    now = services().now()
    caller = request.args.get("call", "")
    call = find_call(session, caller, lock=True)
    if call is None or call.status in FINAL_STATUSES:
        seat = holding(session, caller)
        if seat is not None and seat.state == seat_rules.RINGING:
            move(session, seat, seat_rules.AVAILABLE, now, reason=seat_rules.CALLER_LEFT)
        elif seat is not None and seat.state == seat_rules.ON_CALL:
            move(session, seat, seat_rules.WRAP_UP, now, reason=seat_rules.CALL_ENDED)
        session.commit()
        return twiml(render_goodbye([render(config.prompts["zh-CN"], "caller_gone")], config.prompts))
    seat = answered(session, caller, now)
    if seat is not None and call.operator_joined_at is None:
        operator = session.get(User, seat.user_id)
        call.operator, call.operator_joined_at = operator.username if operator else None, now
        if call.queued_at:
            call.queue_ended_at, call.queue_result = call.queue_ended_at or now, "answered"
    operator_answered(session, caller, call_sid(), call.operator, now)
    session.commit()
    state = CallState.from_json(call.ivr_state) if call.ivr_state else None
    open_cases = len(open_cases_of(session, call.caller_e164)) if call.caller_e164 else 0
    summary = operator_whisper(config, call.line_id, call.caller_e164, state, open_cases)
    urls = conference_urls()
    body = render_conference([summary], ConferenceSeat(
        rules.conference_name(caller), rules.OPERATOR, external_url("operator_voice.left", call=caller),
        urls.events, start_on_enter=True, end_on_exit=True), config.prompts)
    if call.operator:
        # The operator has answered: record the caller's leg in two channels for quality
        # review (after the commit above; the caller on one channel, what they hear on the other).
        start_operator_recording(session, lambda: twilio_client(in_webhook=True), config, call.call_sid,
                                 external_url("operator_voice.recording"))
    return twiml(body)


@bp.post("/leg", endpoint="operator_leg")
@twilio_signed
def operator_leg():
    """The operator's leg's status callback.  Not answered: the operator is
    marked away (or freed) and the caller goes back to the queue, keeping
    their place, for the next operator (or may leave a message)."""
    session = db.session()
    caller = request.args.get("call", "")
    outcome = operator_leg_ended(session, services().config, caller, call_sid(), call_status(), services().now())
    session.commit()
    if outcome == "missed":
        try:
            twilio_client(in_webhook=True).calls(caller).update(url=external_url("operator_voice.requeue"),
                                                                method="POST")
        except Exception as error:  # noqa: BLE001 - the caller gone meanwhile, or Twilio unreachable: logged
            log.info("caller %s could not be sent back: %s", caller, error)
    return "", 204


@bp.post("/requeue")
@twilio_signed
def requeue():
    """The caller, out of the conference: the operator did not answer.
    Back to the queue as the next IVR step, or a message if they were never queued."""
    config = services().config
    session = db.session()
    call = find_call(session, call_sid())
    again = back_to_queue(session, services().hotline, call_sid(), voice_urls(), services().now()) \
        if call is not None and call.queued_at else None
    session.commit()
    return twiml(again or _apology(config, _language_of(call)))


@bp.post("/left")
@twilio_signed
def left():
    """The operator's <Dial> action: they left the conference (hung up, were
    removed after a warm transfer, or the call ended)."""
    session = db.session()
    seat = holding(session, request.args.get("call", ""))
    if seat is not None and seat.state == seat_rules.ON_CALL:
        move(session, seat, seat_rules.WRAP_UP, services().now(), reason=seat_rules.CALL_ENDED)
    session.commit()
    return twiml(render_goodbye([], services().config.prompts))


@bp.post("/hold")
@twilio_signed
def hold():
    """The hold prompt: a conference's waitUrl and a held caller's HoldUrl."""
    config = services().config
    return twiml(render_hold([render(config.prompts["zh-CN"], "hold_prompt")], config.prompts))


@bp.post("/conference", endpoint="conference_events")
@twilio_signed
def conference_events():
    """Conference status callbacks: who joined and left, hold and mute.  A
    department joining a warm transfer is told the case summary."""
    event = conference_update()
    session = db.session()
    reported = conference_event(session, event, services().now())
    session.commit()
    if reported.summary_for:
        # A department joined a warm transfer: it alone hears the case summary (after the commit).
        tell_case_summary(twilio_client(in_webhook=True), event, reported.summary_for, conference_urls())
    return "", 204


@bp.post("/participant", endpoint="participant_leg")
@twilio_signed
def participant_leg():
    """A dialled-in leg's (supervisor, department) status callback."""
    session = db.session()
    dialled_leg_ended(session, request.args.get("call", ""), call_sid(), call_status(), services().now(),
                      role=request.args.get("role"), who=request.args.get("who"))
    session.commit()
    return "", 204


@bp.post("/recording")
@twilio_signed
def recording():
    """Twilio's recording status callback for an operator's call recorded
    in dual channel: the recording is kept against the call."""
    params = recording_params()
    if params is not None:
        session = db.session()
        recording_status(session, params, recording_channels())
        session.commit()
    return Response(status=204)


@bp.post("/transfer")
@twilio_signed
def transfer():
    """The cold transfer: the caller leaves the conference (which ends with
    them) and is put straight through to the department's duty number."""
    config = services().config
    session = db.session()
    call = find_call(session, call_sid())
    language = _language_of(call)
    department = config.departments.get(request.args.get("department", ""))
    if department is None or not department.duty_number:
        return twiml(_apology(config, language))
    notice = [render(config.prompts[language], "transfer_notice", department=department.name(language))]
    whisper = external_url("operator_voice.department_whisper", case=request.args.get("case", ""), call=call_sid())
    after = external_url("operator_voice.after")
    return twiml(render_bridge(notice, department.duty_number, whisper, after, config.prompts))


@bp.post("/department-whisper", endpoint="department_whisper")
@twilio_signed
def department_whisper_view():
    """The case summary the department hears: whispered before a cold
    transfer's bridge (``case`` is the case form's), announced to the
    department's leg alone when it joins a warm transfer (the call's newest
    case).  Mandarin first, then the caller's language if it is another.

    Whatever fails here, the department still hears that a call comes from
    the hotline: a whisper or an announcement takes only what is said, so the
    blueprint's apology and recording would make Twilio refuse the document."""
    config = services().config
    session = db.session()
    call = case = None
    try:
        call = find_call(session, request.args.get("call", "")) if request.args.get("call") else None
        if request.args.get("case"):
            case = find_case(session, request.args["case"])
        else:
            case = latest_case_of_call(session, call.id) if call is not None else None
    except Exception:  # noqa: BLE001 - the department is told what is known; the log says what failed
        session.rollback()
        log.exception("the case summary for call %s could not be read", request.args.get("call") or None)
    summary = department_summary(config, case.number if case else None, case.category_code if case else None,
                                 case.location_text if case else None, _language_of(call))
    return twiml(render_whisper(summary, config.prompts))


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
    dialled = dial_status()
    connected = dialled.connected
    outcome = bridge_ended(session, config, dialled.call_sid, connected, services().now(),
                           caller_gone=dialled.caller_gone)
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


# The IVR's failure path: the informing callbacks (the legs' and the conference's status, the
# recording) are spooled while the database is unavailable, and replayed by `flask --app app spool
# replay` (operators.cli.SPOOL_REPLAYERS); what answers with TwiML apologises and lets the caller record.
bp.register_error_handler(Exception, recovery(_apology_for_request, spool_as={
    "operator_voice.operator_leg": "operator_leg", "operator_voice.conference_events": "conference_event",
    "operator_voice.participant_leg": "participant_leg", "operator_voice.recording": "operator_recording"}))
