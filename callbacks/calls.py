"""The callback call's webhooks: the complainant (or their answering
machine) picks up, presses keys, speaks, and the call ends.

Each use case takes a session and the attempt id carried in the URL.  Like
the IVR, every step's TwiML is stored with the step by the voice kit's one
step store (``ivr.steps``), so a webhook Twilio retries gets the same TwiML
back and carries out its effect only once.  Locks are taken attempt first, then call,
everywhere, so concurrent webhooks of one call queue up rather than deadlock.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from call_log.models import Call
from call_log.phones import mask, national_digits, region_of
from call_log.services import (
    FINAL_STATUSES,
    CallParams,
    RecordingParams,
    StatusUpdate,
    find_call,
    log_call,
    record_status,
    save_recording,
)
from callbacks.attempts import is_machine, result_of_call, settle_attempt
from callbacks.conversation import (
    CallbackFacts,
    CallbackState,
    Conversation,
    RecordAnswer,
    ReopenCase,
    StopCalling,
    TakeMessage,
)
from callbacks.models import Callback, CallbackAttempt, SurveyAnswer
from callbacks.services import line_of, opt_out
from cases.lifecycle import LifecycleError, Transition
from cases.models import Case, CaseEvent
from cases.services import NewCase, open_case
from cases.workflow import transition
from config.catalog import HotlineConfig, Line
from ivr.kit import (
    Input,
    StepCall,
    Turn,
    TurnUrls,
    call_at_step,
    render,
    render_goodbye,
    render_turn,
    store_step,
    stored_step,
)

log = logging.getLogger(__name__)

# The reopen step needs a reason; this one stands in when none was spoken.
NO_REASON_GIVEN = "not satisfied with the outcome (callback survey); no reason given"


@dataclass(frozen=True)
class CallUrls:
    """Builds the absolute URLs the callback's TwiML points to."""

    step: Callable[[int, int], str]       # (attempt id, step) -> the Gather/Record action
    recording_status: str

    def for_step(self, attempt_id: int, sequence: int) -> TurnUrls:
        return TurnUrls(action=self.step(attempt_id, sequence), recording_status=self.recording_status)


def conversation_for(config: HotlineConfig, line: Line) -> Conversation:
    return Conversation(line, config.prompts, config.categories, national_digits(line.number))


# --- the webhooks ---------------------------------------------------------------------

def answer(session: Session, config: HotlineConfig, attempt_id: int, params: CallParams,
           answered_by: str | None, urls: CallUrls, now: datetime) -> str:
    """The call's URL: someone or something picked up (step 1)."""
    attempt = _attempt(session, attempt_id, params.call_sid)
    if attempt is None:
        return apology(config, None)
    callback = attempt.callback
    line = line_of(config, callback.line_id)
    call = _log(session, attempt, params, line, now)
    stored = stored_step(session, call.id, 1)
    if stored is not None:
        return stored
    attempt.answered_by = attempt.answered_by or answered_by or "human"
    if attempt.status == "placing":
        attempt.status = "placed"
    call.answered_at = call.answered_at or now
    conversation = conversation_for(config, line)
    facts = _facts(session, config, callback)
    turn = conversation.machine(facts) if is_machine(answered_by) else conversation.start(facts)
    log.info("callback %s: %s answered attempt %s", callback.id, attempt.answered_by, attempt.id)
    return _store_turn(session, config, attempt, call, 1, turn, Input(), urls, now)


def take_step(session: Session, config: HotlineConfig, attempt_id: int, call_sid: str, step: int, event: Input,
              urls: CallUrls, now: datetime, recording: RecordingParams | None = None) -> str:
    """A Gather or Record action: what the complainant did after turn ``step``."""
    attempt = _attempt(session, attempt_id, call_sid)
    call, answered = call_at_step(session, call_sid, step) if attempt is not None else (None, None)
    if attempt is None or call is None or call.ivr_state is None:
        log.warning("callback step %s for unknown attempt %s / call %s", step, attempt_id, call_sid)
        return apology(config, None)
    callback = attempt.callback
    line = line_of(config, callback.line_id)
    if answered is not None:                        # a retry or a stale step: nothing done twice
        return answered.twiml or apology(config, line)
    if recording is not None:
        save_recording(session, recording, purpose="callback_message")
    turn = conversation_for(config, line).advance(CallbackState.from_json(call.ivr_state), event)
    _carry_out(session, config, callback, call, turn, now)
    return _store_turn(session, config, attempt, call, step + 1, turn, event, urls, now)


def call_status(session: Session, config: HotlineConfig, attempt_id: int, update: StatusUpdate,
                answered_by: str | None, now: datetime) -> None:
    """The status callback: the call log hears every event; the final one
    ends the attempt (retry, unreachable or done)."""
    attempt = _attempt(session, attempt_id, update.call_sid)
    record_status(session, update, now)
    if attempt is None:
        return
    if answered_by and attempt.answered_by is None:
        attempt.answered_by = answered_by
    if attempt.status == "placing":
        attempt.status = "placed"
    if attempt.call_id is None:
        call = find_call(session, update.call_sid)
        attempt.call_id = call.id if call else None
    if update.status in FINAL_STATUSES:
        settle_attempt(session, config, attempt, result_of_call(update.status, attempt), now)


def recording_status(session: Session, params: RecordingParams) -> None:
    save_recording(session, params, purpose="callback_message")


def apology(config: HotlineConfig, line: Line | None) -> str:
    """Something went wrong on our side: say so briefly and end the call."""
    line = line or next(iter(config.lines.values()))
    prompts = config.prompts
    return render_goodbye([render(prompts[line.default_language], "callback_apology")], prompts)


# --- effects ----------------------------------------------------------------------------

def _carry_out(session: Session, config: HotlineConfig, callback: Callback, call: StepCall, turn: Turn,
               now: datetime) -> None:
    effect = turn.effect
    if isinstance(effect, RecordAnswer):
        _record_answer(session, callback, effect.answer, None, now)
    elif isinstance(effect, ReopenCase):
        _record_answer(session, callback, "unsatisfied", effect.reason, now)
        _reopen(session, config, callback, effect.reason, now)
    elif isinstance(effect, StopCalling):
        opt_out(session, callback.phone_e164, now, source=f"callback {callback.id}")
        callback.status, callback.last_result, callback.updated_at = "opted_out", "opted_out", now
    elif isinstance(effect, TakeMessage):
        _take_message(session, config, callback, call, effect.recording_sid, now)


def _record_answer(session: Session, callback: Callback, answer: str, reason: str | None, now: datetime) -> None:
    callback.status, callback.last_result, callback.updated_at = "completed", answer, now
    if callback.purpose != "outcome" or callback.case_id is None:
        return
    if session.scalar(select(SurveyAnswer.id).where(SurveyAnswer.callback_id == callback.id)) is not None:
        return
    session.add(SurveyAnswer(case_id=callback.case_id, complainant_id=callback.complainant_id,
                             callback_id=callback.id, answered_at=now, answer=answer, reason=reason))
    session.flush()
    log.info("callback %s: case %s answered %s", callback.id, callback.case_id, answer)


def _reopen(session: Session, config: HotlineConfig, callback: Callback, reason: str | None,
            now: datetime) -> None:
    """Not satisfied: the case goes back to on-site verification, with the
    complainant's own words as the reason."""
    case = session.get(Case, callback.case_id) if callback.case_id else None
    if case is None or case.status != "closed":
        # Another complainant's answer, or a person, has reopened it already.
        return
    try:
        transition(session, config, case.number, Transition(
            "reopen", f"callback {callback.id}", "system", now, reason=reason or NO_REASON_GIVEN))
    except LifecycleError:
        log.exception("callback %s could not reopen case %s", callback.id, case.number)


def _take_message(session: Session, config: HotlineConfig, callback: Callback, call: StepCall,
                  recording_sid: str | None, now: datetime) -> None:
    """A message for a person becomes a case flagged for an operator, as a
    voicemail in the IVR does; it names the case the callback was about."""
    recording = save_recording(session, RecordingParams(recording_sid, call.call_sid, None, None),
                               purpose="callback_message") if recording_sid else None
    about = session.get(Case, callback.case_id) if callback.case_id else None
    open_case(session, config, NewCase(
        line_id=callback.line_id, channel="hotline", description="", location=None, category_code=None,
        caller_e164=callback.phone_e164, callback_number=callback.phone_e164, language=callback.language,
        needs_operator=True, call_id=call.id, recording_id=recording.id if recording else None,
        attributes={"callback_id": callback.id, "about_case": about.number if about else None},
        actor="callback",
    ), now)
    callback.status, callback.last_result, callback.updated_at = "completed", "message", now


# --- helpers -----------------------------------------------------------------------------

def _attempt(session: Session, attempt_id: int, call_sid: str) -> CallbackAttempt | None:
    attempt = session.get(CallbackAttempt, attempt_id, with_for_update=True)
    if attempt is None:
        return None
    if attempt.call_sid is None and call_sid:
        attempt.call_sid = call_sid            # the webhook beat calls.create's answer
    elif attempt.call_sid != call_sid:
        log.warning("attempt %s belongs to %s, not %s", attempt_id, attempt.call_sid, call_sid)
        return None
    return attempt


def _log(session: Session, attempt: CallbackAttempt, params: CallParams, line: Line, now: datetime) -> Call:
    call = log_call(session, CallParams(params.call_sid, params.from_number or line.number,
                                        params.to_number or attempt.callback.phone_e164,
                                        params.status, params.direction or "outbound-api"),
                    line.id, now, default_region=region_of(line.number) or "CN")
    attempt.call_id = call.id
    attempt.callback.last_call_sid = params.call_sid
    return call


def _facts(session: Session, config: HotlineConfig, callback: Callback) -> CallbackFacts:
    case = session.get(Case, callback.case_id) if callback.case_id else None
    line = line_of(config, callback.line_id)
    language = callback.language if callback.language in line.languages else line.default_language
    if case is None:
        return CallbackFacts(purpose=callback.purpose, language=language)
    result = session.scalar(select(CaseEvent.note).where(
        CaseEvent.case_id == case.id, CaseEvent.action == "dispose").order_by(CaseEvent.id.desc()).limit(1))
    department = config.departments.get(case.department_code or "")
    return CallbackFacts(
        purpose=callback.purpose, language=language, case_number=case.number, category_code=case.category_code,
        case_status=case.status, department_name=department.name(language) if department else None,
        result=result,
    )


def _store_turn(session: Session, config: HotlineConfig, attempt: CallbackAttempt, call: Call | StepCall,
                sequence: int, turn: Turn, event: Input, urls: CallUrls, now: datetime) -> str:
    twiml = render_turn(turn, urls.for_step(attempt.id, sequence), config.prompts)
    twiml = store_step(session, call.id, sequence, turn.state, event, turn.said, twiml, now,
                       node_prefix="callback:")
    log.debug("callback call %s step %s: %s", mask(call.to_number), sequence, turn.state.node)
    return twiml
