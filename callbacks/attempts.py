"""The end of one attempt, and what it means for its callback: done, try
again later, or give up and count the complainant unreachable.

An attempt ends once.  Twilio's final status callback ends it; so does a
failed ``calls.create``, and the dispatcher's look at calls that went quiet.
Whichever comes second changes nothing.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from call_log.phones import mask
from callbacks.models import Callback, CallbackAttempt, SurveyAnswer
from callbacks.services import first_allowed, line_of
from cases.events import CALLBACK_UNREACHABLE, publish
from cases.models import Case
from config.catalog import HotlineConfig

log = logging.getLogger(__name__)

# What an attempt can end as.
NOT_REACHED = ("busy", "no-answer", "failed", "canceled", "machine", "interrupted")
REACHED = ("answered", "hung_up")
REST_ERROR = "rest_error"        # Twilio's API did not take the call: not the complainant's doing
REJECTED = "rejected"            # Twilio refused the number itself (HTTP 400)
ACCOUNT_FAULT = "account_fault"  # Twilio refused our account: every call would fail, so callbacks pause
NOT_PLACED = "not_placed"        # Twilio never took the call (found out afterwards): no attempt used

# Twilio's error codes on calls.create that are the centre's own fault, not
# the complainant's: every call would meet them, so callbacks pause.
ACCOUNT_FAULTS = {
    10001: "the account is not active",
    20003: "Twilio refused the account's credentials",
    20005: "the account is not active",
    21205: "the call's Url is not a valid URL",
    21210: "the From number is not verified for the account",
    21212: "the From number is not a valid caller ID",
    21213: "no From number",
    21215: "the account has no geographic permission to call this country",
    21219: "a trial account may call verified numbers only",
}
# Codes that say this complainant's number cannot be called.
NUMBER_FAULTS = {
    13223: "the number is not in a valid format",
    13224: "the number is not a valid phone number",
    21211: "the To number is not a valid phone number",
    21214: "the To number cannot be reached",
    21216: "the account may not call this number",
    21217: "the To number does not appear to be valid",
}


def result_of_rest_failure(status: int | None, code: int | None) -> str:
    """What a failed ``calls.create`` means for the attempt.

    Account faults pause every callback; a bad number makes its complainant
    unreachable; rate limits (20429) and Twilio's own failures (5xx, or no
    answer at all) are retried soon with backoff, using up no attempt; any
    other refusal counts as a failed attempt, retried on the usual policy.
    """
    if code in ACCOUNT_FAULTS:
        return ACCOUNT_FAULT
    if code in NUMBER_FAULTS:
        return REJECTED
    if status is None or status == 429 or code == 20429 or status >= 500:
        return REST_ERROR
    if status in (401, 403):
        return ACCOUNT_FAULT
    return "failed"


MACHINES = ("machine_start", "machine_end_beep", "machine_end_silence", "machine_end_other", "fax")
# Twilio's API failing is retried soon and does not use up an attempt.
REST_RETRY_FIRST = timedelta(minutes=1)
REST_RETRY_MAX = timedelta(minutes=30)


def is_machine(answered_by: str | None) -> bool:
    return (answered_by or "") in MACHINES


def result_of_call(status: str, attempt: CallbackAttempt) -> str:
    """An attempt's result from Twilio's final CallStatus."""
    if status != "completed":
        return status                                  # busy, no-answer, failed, canceled
    if is_machine(attempt.answered_by):
        return "machine"
    callback = attempt.callback
    if attempt.answered_by is not None and callback.purpose != "outcome":
        return "answered"                              # they heard why we called
    return "hung_up"                                   # picked up, but gave no answer


def settle_attempt(session: Session, config: HotlineConfig, attempt: CallbackAttempt, result: str,
                   now: datetime, error: str | None = None) -> None:
    if attempt.status == "ended":
        return
    attempt.status, attempt.result, attempt.ended_at = "ended", result, now
    attempt.error = error or attempt.error
    callback = attempt.callback
    latest = session.scalar(select(func.max(CallbackAttempt.number)).where(
        CallbackAttempt.callback_id == callback.id))
    if callback.status != "calling" or attempt.number != latest:
        # Already answered, cancelled or opted out during the call.
        session.flush()
        return
    callback.last_result, callback.updated_at = result, now
    if result in REACHED:
        callback.status = "completed"
    elif result == REST_ERROR:
        _retry_soon(session, config, callback, now)
    elif result in (ACCOUNT_FAULT, NOT_PLACED):
        # The phone never rang: the attempt is given back, and the callback
        # waits (paused, for an account fault) rather than being used up.
        callback.attempts = max(0, callback.attempts - 1)
        callback.status = "pending"            # keeps its place in line: next_attempt_at is unchanged
    elif result == REJECTED or callback.attempts >= config.callbacks.max_attempts:
        mark_unreachable(session, config, callback, now)
    else:
        line = line_of(config, callback.line_id)
        callback.status = "pending"
        callback.next_attempt_at = first_allowed(
            config, line, callback.phone_e164, now + config.callbacks.retry_delay(callback.attempts))
        log.info("callback %s to %s: %s on attempt %d; next at %s", callback.id, mask(callback.phone_e164),
                 result, callback.attempts, callback.next_attempt_at.isoformat())
    session.flush()


def _retry_soon(session: Session, config: HotlineConfig, callback: Callback, now: datetime) -> None:
    """Twilio's API failed: the complainant's phone never rang, so the
    attempt is given back; the wait grows while the API keeps failing."""
    failures = session.scalar(select(func.count()).select_from(CallbackAttempt).where(
        CallbackAttempt.callback_id == callback.id, CallbackAttempt.result == REST_ERROR)) or 1
    callback.attempts = max(0, callback.attempts - 1)
    callback.status = "pending"
    wait = min(REST_RETRY_MAX, REST_RETRY_FIRST * (2 ** (failures - 1)))
    callback.next_attempt_at = first_allowed(config, line_of(config, callback.line_id), callback.phone_e164,
                                             now + wait)


def mark_unreachable(session: Session, config: HotlineConfig, callback: Callback, now: datetime) -> None:
    """No more attempts.  An outcome survey records "unreachable", which the
    indicators count apart from answers; whoever follows the cases is told
    (an SMS says we tried)."""
    callback.status, callback.updated_at = "unreachable", now
    case_number = session.scalar(select(Case.number).where(Case.id == callback.case_id)) \
        if callback.case_id is not None else None
    publish(CALLBACK_UNREACHABLE, session=session, config=config, callback_id=callback.id,
            phone_e164=callback.phone_e164, line_id=callback.line_id, case_number=case_number,
            case_id=callback.case_id, language=callback.language, at=now)
    if callback.purpose == "outcome" and callback.case_id is not None:
        exists = session.scalar(select(SurveyAnswer.id).where(SurveyAnswer.callback_id == callback.id))
        if exists is None:
            session.add(SurveyAnswer(case_id=callback.case_id, complainant_id=callback.complainant_id,
                                     callback_id=callback.id, answered_at=now, answer="unreachable"))
    log.info("callback %s to %s: unreachable after %d attempts", callback.id, mask(callback.phone_e164),
             callback.attempts)
