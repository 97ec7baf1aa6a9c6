"""IVR use cases: answer a call, take one step of the conversation, and
catch whatever a caller says when something has gone wrong.

Each takes a session and returns the TwiML to send.  The TwiML of every step
is stored with the step, so a retried webhook gets the same answer and
changes nothing twice.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Callable, NoReturn, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from call_log.models import Call
from call_log.phones import mask, parse_caller, parse_entered, region_of
from call_log.services import CallParams, RecordingParams, answer_incoming, find_call, log_call, save_recording
from cases.models import Case
from cases.services import NewCase, change_callback_number, find_case, open_case, open_cases_of, recording_by_sid
from config.catalog import HotlineConfig, Line
from ivr.flow import (
    AnswerEnquiry,
    AnswerSent,
    CallbackChanged,
    CallbackRequested,
    CallFacts,
    CallState,
    CaseCreated,
    CaseStatus,
    ChangeCallback,
    CreateCase,
    EnquiryAnswer,
    EnquiryEscalated,
    EscalateEnquiry,
    Flow,
    Input,
    Intake,
    LookupCase,
    OpenCase,
    OperatorDesk,
    RequestCallback,
    SeekOperator,
    SendAnswer,
    Turn,
)
from ivr.prompts import render
from ivr.steps import StepCall, call_at_step, call_seen, peek_at_step, store_step, stored_step
from ivr.twiml import (
    TurnUrls,
    render_apology_and_record,
    render_goodbye,
    render_leave_queue,
    render_nothing,
    render_queue_wait,
    render_turn,
)
from knowledge.services import KnowledgeBase, answer_enquiry, escalate_enquiry, want_answer_by_sms
from understanding.reading import Thresholds, Understanding

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VoiceUrls:
    """Builds the absolute URLs Twilio is told to call next."""

    step: Callable[[int], str]
    recording_status: str
    fallback_recorded: str
    queue_wait: str = ""
    queue_choice: str = ""

    def for_step(self, sequence: int) -> TurnUrls:
        return TurnUrls(action=self.step(sequence), recording_status=self.recording_status,
                        queue_wait=self.queue_wait)


class Hotline:
    """The configured lines and their flows, built once per app.

    ``understanding`` reads what callers say (the trained model); without
    one, each line's flow falls back to the catalogue's keywords.
    ``owe_callback`` schedules a call back to a caller who would rather not
    wait (``callbacks.services.request_call_back``, handed in by
    ``create_app``: the IVR does not reach up into the callbacks package).
    ``admit_caller`` says whether a person can take the call now and
    ``estimate_wait`` a queued caller's place and wait (the operators'
    ``operator_desk`` and ``queue_estimate``, handed in the same way).
    ``knowledge`` answers callers' questions; without it a person does."""

    def __init__(self, config: HotlineConfig, understanding: Understanding | None = None,
                 owe_callback: OweCallback | None = None, knowledge: KnowledgeBase | None = None,
                 admit_caller: AdmitCaller | None = None, estimate_wait: EstimateWait | None = None) -> None:
        self.config = config
        self.understanding = understanding
        self.owe_callback = owe_callback or _no_callbacks
        self.admit_caller = admit_caller or _no_operator_desk
        self.estimate_wait = estimate_wait or _no_operator_desk
        self.knowledge = knowledge
        self._flows = {
            line_id: Flow(line, config.prompts, config.categories, parse_number=_number_parser(line),
                          read=understanding.read if understanding else None,
                          thresholds=understanding.thresholds if understanding else Thresholds())
            for line_id, line in config.lines.items()
        }

    def flow(self, line_id: str) -> Flow:
        return self._flows[line_id]

    def line_for(self, to_number: str | None) -> Line | None:
        parsed = parse_caller(to_number).e164 or to_number
        return self.config.line_for_number(parsed or "")

    def default_line(self) -> Line:
        return next(iter(self.config.lines.values()))


class OweCallback(Protocol):
    def __call__(self, session: Session, config: HotlineConfig, *, purpose: str, phone_e164: str,
                 line_id: str | None, origin_call_id: int | None, language: str | None, now: datetime) -> object:
        ...


def _no_callbacks(session: Session, config: HotlineConfig, **request: object) -> None:
    raise RuntimeError("no callback service was wired into this Hotline (create_app hands one in)")


class AdmitCaller(Protocol):
    def __call__(self, session: Session, config: HotlineConfig, line: Line, now: datetime) -> OperatorDesk:
        ...


class EstimateWait(Protocol):
    def __call__(self, session: Session, config: HotlineConfig, line: Line, call: Call, reported: int | None,
                 now: datetime) -> tuple[int, float]:
        ...


def _no_operator_desk(*args: object) -> NoReturn:
    raise RuntimeError("no operator desk was wired into this Hotline (create_app hands one in)")


def _number_parser(line: Line) -> Callable[[str], str | None]:
    region = region_of(line.number) or "CN"
    return lambda digits: parse_entered(digits, region)


# --- answering ------------------------------------------------------------------

def answer_call(session: Session, hotline: Hotline, params: CallParams, urls: VoiceUrls,
                now: datetime) -> str:
    """POST /voice/incoming: log the call and greet the caller (step 1)."""
    line = hotline.line_for(params.to_number)
    if line is None:
        log.error("call %s to %s matches no line in lines.yaml", params.call_sid, mask(params.to_number))
        return apology(hotline, hotline.default_line(), urls)
    call = answer_incoming(session, params, line.id, now, default_region=region_of(line.number) or "CN")
    if not call.first_sight:
        existing = stored_step(session, call.id, 1)
        if existing is not None:
            return existing
    calendar = hotline.config.calendars[line.business_hours]
    open_now = calendar.is_open(now)
    facts = CallFacts(
        caller_e164=call.caller_e164,
        open_cases=tuple(OpenCase(number, category) for number, category in open_cases_of(session, call.caller_e164))
        if call.caller_e164 else (),
        business_open=open_now, next_open=None if open_now else calendar.next_open(now),
    )
    turn = hotline.flow(line.id).start(facts)
    return _store_turn(session, hotline, call.id, 1, turn, Input(), urls, now)


def take_step(session: Session, hotline: Hotline, call_sid: str, step: int, event: Input,
              urls: VoiceUrls, now: datetime, recording: RecordingParams | None = None) -> str:
    """POST /voice/step?step=N: what the caller did after turn N; returns turn N+1.

    On SQLite the conversation's answer is worked out first, outside the
    write lock (``_answer_ahead``).  A plain turn then only writes: the step's
    insert is the check that the call has not moved meanwhile, since every
    move of a call's conversation stores its next step (a retry that came
    first wins the insert, and its TwiML is answered).  A turn with an effect,
    or a webhook that writes more (a recording, a queue's result), reads the
    call again under the lock and uses the answer only if the call has not
    moved."""
    ahead = _answer_ahead(session, hotline, call_sid, step, event, urls)
    if ahead is not None and ahead.twiml is not None and recording is None and not event.queue_result:
        return store_step(session, ahead.call_id, step + 1, ahead.turn.state, event, ahead.turn.said, ahead.twiml,
                          now)
    call, answered = call_at_step(session, call_sid, step)
    if call is None or call.ivr_state is None or call.line_id not in hotline.config.lines:
        log.warning("step %s for unknown call %s", step, call_sid)
        return apology(hotline, hotline.default_line(), urls)
    if answered is not None:                       # a retry or a stale step: nothing changes
        call_seen(session, call.id, now)
        return answered.twiml or apology(hotline, hotline.flow(call.line_id).line, urls)
    if recording is not None:
        save_recording(session, recording)
    if event.queue_result:
        held = _held(session, call)
        held.queue_result, held.queue_ended_at = event.queue_result, held.queue_ended_at or now
    flow = hotline.flow(call.line_id)
    if ahead is not None and ahead.ivr_state == call.ivr_state:
        if ahead.twiml is not None:                # nothing to carry out: only the writes are left
            return store_step(session, call.id, step + 1, ahead.turn.state, event, ahead.turn.said, ahead.twiml,
                              now)
        turn = ahead.turn
    else:
        turn = flow.advance(CallState.from_json(call.ivr_state), event)
    turn = _carry_out(session, hotline, flow, call, turn, now)
    return _store_turn(session, hotline, call.id, step + 1, turn, event, urls, now)


@dataclass(frozen=True)
class _Ahead:
    """A step's answer worked out before the write lock: the call and the
    state it came from, the flow's turn, and its TwiML when the turn has no
    effect."""

    call_id: int
    ivr_state: dict
    turn: Turn
    twiml: str | None


def _answer_ahead(session: Session, hotline: Hotline, call_sid: str, step: int, event: Input,
                  urls: VoiceUrls) -> _Ahead | None:
    """SQLite: the flow's turn for this step (the classifier reading what was
    said) and its TwiML, from the call as read without the write lock (see
    ``ivr.steps.peek_at_step``).  None when there is no such read or nothing
    to work out (a retry, a stale step, an unknown call): the locked read
    decides those."""
    peeked = peek_at_step(session, call_sid, step)
    if peeked is None:
        return None
    call, answered = peeked
    if call is None or answered is not None or call.ivr_state is None or call.line_id not in hotline.config.lines:
        return None
    turn = hotline.flow(call.line_id).advance(CallState.from_json(call.ivr_state), event)
    twiml = render_turn(turn, urls.for_step(step + 1), hotline.config.prompts) if turn.effect is None else None
    return _Ahead(call.id, call.ivr_state, turn, twiml)


def _held(session: Session, call: StepCall) -> Call:
    """The call's ORM row, for the effects that change more of it than a step does."""
    held = session.get(Call, call.id)
    assert held is not None
    return held


# Effects one webhook carries out in a row at most: a question answered after
# the caller said more (escalate, then search, then perhaps a person).
MAX_EFFECTS = 4


def _carry_out(session: Session, hotline: Hotline, flow: Flow, call: StepCall, turn: Turn,
               now: datetime) -> Turn:
    """Perform the turn's effect, if any, and let the flow speak its result,
    after whatever the turn itself had to say; the flow's answer may ask for
    a further effect (one per turn), which is carried out in turn."""
    for _ in range(MAX_EFFECTS):
        if turn.effect is None:
            return turn
        resumed = _effect_result(session, hotline, flow, call, turn, now)
        turn = replace(resumed, say=turn.say + resumed.say)
    if turn.effect is not None:
        log.error("call %s: effects still asked for after %d in one step", call.call_sid, MAX_EFFECTS)
        return replace(turn, effect=None)
    return turn


def _effect_result(session: Session, hotline: Hotline, flow: Flow, call: StepCall, turn: Turn,
                   now: datetime) -> Turn:
    if isinstance(turn.effect, CreateCase):
        case = open_case(session, hotline.config, _new_case(session, call, turn.effect.intake), now)
        return flow.resume(turn.state, CaseCreated(case.number))
    if isinstance(turn.effect, SeekOperator):
        line = hotline.config.lines[call.line_id]
        desk = hotline.admit_caller(session, hotline.config, line, now)
        held = _held(session, call)
        if desk.available:
            held.queue_name, held.queued_at, held.queue_result = desk.queue, now, None
        elif held.operator_refused_at is None:
            # Refused a person: the call-centre figures count the call once, by its first refusal.
            held.operator_refused_at, held.operator_refused_reason = now, desk.reason
        return flow.resume(turn.state, desk)
    if isinstance(turn.effect, RequestCallback):
        held = _held(session, call)
        held.queue_ended_at = held.queue_ended_at or now
        number = turn.effect.number
        if number:
            hotline.owe_callback(session, hotline.config, purpose=turn.effect.reason, phone_e164=number,
                             line_id=call.line_id, origin_call_id=call.id, language=turn.state.language, now=now)
        return flow.resume(turn.state, CallbackRequested(number))
    if isinstance(turn.effect, ChangeCallback):
        change_callback_number(session, turn.effect.case_number, call.id, turn.effect.number)
        return flow.resume(turn.state, CallbackChanged(turn.effect.number))
    if isinstance(turn.effect, AnswerEnquiry):
        return flow.resume(turn.state, _answer(session, hotline, call, turn, now))
    if isinstance(turn.effect, EscalateEnquiry):
        escalate_enquiry(session, turn.effect.enquiry_id, now)
        return flow.resume(turn.state, EnquiryEscalated(turn.effect.speech))
    if isinstance(turn.effect, SendAnswer):
        if hotline.knowledge is not None:
            want_answer_by_sms(session, hotline.knowledge, turn.effect.enquiry_id, turn.effect.number, now)
        return flow.resume(turn.state, AnswerSent(turn.effect.number))
    if isinstance(turn.effect, LookupCase):
        case = find_case(session, turn.effect.number)
        status = None
        if case is not None:
            department = hotline.config.departments.get(case.department_code or "")
            status = CaseStatus(case.number, case.status, case.category_code,
                                department.name(turn.state.language) if department else None)
        return flow.resume(turn.state, status)
    return turn


def _answer(session: Session, hotline: Hotline, call: StepCall, turn: Turn, now: datetime) -> EnquiryAnswer:
    state = turn.state
    if hotline.knowledge is None:
        return EnquiryAnswer(0, None)
    answered = answer_enquiry(session, hotline.knowledge, line_id=call.line_id, question=turn.effect.question,
                              language=state.language, now=now, call_id=call.id, search=turn.effect.search)
    spoken = answered.article.text("spoken", state.language) if answered.article else None
    return EnquiryAnswer(answered.enquiry.id, spoken)


def _new_case(session: Session, call: StepCall, intake: Intake) -> NewCase:
    recording = recording_by_sid(session, intake.recording_sid)
    return NewCase(
        line_id=intake.line_id, channel="hotline", description=intake.description,
        location=intake.location, category_code=intake.category_code, caller_e164=intake.caller_e164,
        callback_number=intake.callback_number, callback_declined=intake.callback_declined,
        language=intake.language, needs_operator=intake.needs_operator, after_hours=intake.after_hours,
        speech_confidence=intake.speech_confidence, call_id=call.id,
        recording_id=recording.id if recording else None, urgent=intake.urgent,
    )


def _store_turn(session: Session, hotline: Hotline, call_id: int, sequence: int, turn: Turn,
                event: Input, urls: VoiceUrls, now: datetime) -> str:
    twiml = render_turn(turn, urls.for_step(sequence), hotline.config.prompts)
    return store_step(session, call_id, sequence, turn.state, event, turn.said, twiml, now)


# --- waiting for a person ---------------------------------------------------------

def queue_wait(session: Session, hotline: Hotline, call_sid: str, position: int | None,
               average_wait_seconds: int | None, urls: VoiceUrls, now: datetime) -> str:
    """POST /voice/queue/wait: Twilio's waitUrl, asked again and again while
    the caller waits.  Says the position and the expected wait."""
    call = find_call(session, call_sid)
    if call is None or call.ivr_state is None or call.line_id not in hotline.config.lines:
        return render_nothing()
    line = hotline.config.lines[call.line_id]
    # Our own order, not Twilio's: a caller sent back to the queue keeps their place.
    position, expected = hotline.estimate_wait(session, hotline.config, line, call, position, now)
    call.queue_position, call.last_seen_at = position, now
    if average_wait_seconds:
        expected = max(expected, average_wait_seconds / 60)
    flow = hotline.flow(call.line_id)
    turn = flow.queue_wait(CallState.from_json(call.ivr_state), position, round(expected))
    return render_queue_wait(turn, urls.queue_choice, hotline.config.prompts)


def back_to_queue(session: Session, hotline: Hotline, call_sid: str, urls: VoiceUrls, now: datetime) -> str | None:
    """The caller an operator was offered did not get through (the device
    was not answered): back to the line's queue as the next IVR step, with
    their first place kept.  None: the call is not one of the IVR's."""
    call = find_call(session, call_sid, lock=True)
    if call is None or call.ivr_state is None or call.line_id not in hotline.config.lines:
        return None
    line = hotline.config.lines[call.line_id]
    call.queue_name = call.queue_name or line.operator_queue.name
    call.queued_at = call.queued_at or now
    call.queue_ended_at, call.queue_result, call.last_seen_at = None, None, now
    turn = hotline.flow(call.line_id).back_to_queue(CallState.from_json(call.ivr_state), call.queue_name)
    return _store_turn(session, hotline, call.id, call.ivr_step + 1, turn, Input(), urls, now)


def queue_choice(digits: str | None) -> str:
    """POST /voice/queue/choice: 1 leaves the queue for a callback (the
    <Enqueue action> then hears QueueResult=leave); anything else waits on."""
    return render_leave_queue() if (digits or "").startswith("1") else render_nothing()


# --- when things go wrong -------------------------------------------------------

def apology(hotline: Hotline, line: Line, urls: VoiceUrls) -> str:
    """Apologise and record: used for the Fallback URL and any internal error.

    Builds TwiML from configuration alone, so it works with the database down.
    """
    prompts = hotline.config.prompts
    utterance = render(prompts[line.default_language], "apology")
    return render_apology_and_record([utterance], prompts, urls.fallback_recorded, urls.recording_status)


def recorded_goodbye(hotline: Hotline, line: Line) -> str:
    prompts = hotline.config.prompts
    return render_goodbye([render(prompts[line.default_language], "apology_saved")], prompts)


def fallback_recorded(session: Session, hotline: Hotline, params: CallParams,
                      recording: RecordingParams | None, now: datetime) -> str:
    """A recording left after an apology becomes a case flagged for an operator."""
    line = hotline.line_for(params.to_number) or hotline.default_line()
    goodbye = recorded_goodbye(hotline, line)
    call = log_call(session, params, line.id, now, default_region=region_of(line.number) or "CN")
    call.via_fallback = True
    if recording is None:
        return goodbye
    saved = save_recording(session, recording, purpose="fallback")
    already = any(case.recording_id == saved.id for case in _cases_of_call(session, call))
    if not already:
        open_case(session, hotline.config, NewCase(
            line_id=line.id, channel="hotline", description="", location=None, category_code=None,
            caller_e164=call.caller_e164, callback_number=call.caller_e164, needs_operator=True,
            call_id=call.id, recording_id=saved.id, language=line.default_language, actor="fallback",
        ), now)
    return goodbye


def _cases_of_call(session: Session, call: Call) -> list[Case]:
    return session.scalars(select(Case).where(Case.call_id == call.id)).all()
