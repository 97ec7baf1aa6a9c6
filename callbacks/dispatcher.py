"""Placing the callbacks that are due: the scheduler's ``callbacks.dispatch`` job.

One run:

1. sets attempts that went quiet straight with Twilio (``callbacks.reconcile``):
   a claim whose ``calls.create`` never returned (the process died) is
   looked up before anyone is called again, and a call with no final status
   long after it was placed (its status callback was lost) is fetched;
2. claims due callbacks, oldest first, in short transactions (``FOR UPDATE
   SKIP LOCKED`` on PostgreSQL).  Each is checked again: a number that opted
   out, a case no longer closed, a caller who got through since, or a moment
   outside the calling hours moves it on instead of calling.  A claimed
   callback is ``calling`` and has a new ``CallbackAttempt`` row, committed
   before its call is placed, so no other run or scheduler can place it too.
   Only as many are claimed as there are free places among the calls being
   placed at once, so a crash cuts off at most that many claims;
3. places the calls with no transaction open, ``concurrency`` at a time, as a
   pipeline (a free place is filled at once), and records each in the call
   log as an outbound call;
4. goes on while callbacks are due.
"""
from __future__ import annotations

import logging
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, ContextManager

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from call_log.models import Call
from call_log.phones import mask, mask_text, region_of
from call_log.services import CallParams, log_call
from callbacks.attempts import ACCOUNT_FAULT, ACCOUNT_FAULTS, REST_ERROR, result_of_rest_failure, settle_attempt
from callbacks.models import Callback, CallbackAttempt, OptOut
from callbacks.pauses import active_pause, pause_callbacks
from callbacks.reconcile import end_quiet_attempts
from callbacks.services import first_allowed, line_of
from cases.models import Case, Complainant
from config.catalog import HotlineConfig

log = logging.getLogger(__name__)

SessionScope = Callable[[], ContextManager[Session]]
STATUS_EVENTS = ["initiated", "ringing", "answered", "completed"]


@dataclass(frozen=True)
class CallbackUrls:
    """The absolute URLs Twilio is given for one attempt."""

    answer: Callable[[int], str]          # attempt id -> the call's TwiML URL
    status: Callable[[int], str]          # attempt id -> its status callback URL


def placement_urls(app) -> CallbackUrls:
    """The URLs given to ``calls.create``, built outside any request (the
    scheduler process) by the voice kit's URL builder."""
    from ivr.kit import public_url

    public_url(app, "callbacks.answer", attempt=0)          # HOTLINE_PUBLIC_URL is set: fail now, not per call
    return CallbackUrls(answer=lambda attempt: public_url(app, "callbacks.answer", attempt=attempt),
                        status=lambda attempt: public_url(app, "callbacks.status", attempt=attempt))


@dataclass(frozen=True)
class Claim:
    attempt_id: int
    callback_id: int
    to: str
    from_: str
    line_id: str


@dataclass
class DispatchCounts:
    placed: int = 0
    deferred: int = 0          # outside the calling hours: moved to the next allowed moment
    dropped: int = 0           # no longer owed: opted out, case reopened, caller got through
    failed: int = 0            # calls.create failed
    reconciled: int = 0        # quiet attempts ended
    paused: bool = False       # callbacks are paused (an account fault): nothing was claimed


def dispatch_due(scope: SessionScope, config: HotlineConfig, client: Client, urls: CallbackUrls,
                 clock: Callable[[], datetime], *, batch: int = 50, concurrency: int = 4,
                 stale_after: timedelta = timedelta(hours=1),
                 keep_going: Callable[[], bool] = lambda: True) -> DispatchCounts:
    counts = DispatchCounts()
    counts.reconciled += end_quiet_attempts(scope, config, client, clock, stale_after)
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="callback-place") as pool:
        in_flight: set[Future] = set()
        more = True
        while True:
            # Keep ``concurrency`` calls.create in flight: claim only as many
            # as there are free places, so a crash cuts off few claims.
            if more and keep_going() and len(in_flight) < concurrency:
                claims, more = _claim(scope, config, clock(), batch, concurrency - len(in_flight), counts)
                in_flight |= {pool.submit(_place, scope, config, client, urls, clock, claim) for claim in claims}
                if claims and len(in_flight) < concurrency:
                    continue
            if not in_flight:
                if more and keep_going():
                    continue
                break
            done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                try:
                    placed = future.result()
                except Exception:  # noqa: BLE001 - recording it failed (the database?); the claim stays
                    log.exception("placing a callback failed; its claim is ended as interrupted later")
                    placed = False
                if placed:
                    counts.placed += 1
                else:
                    counts.failed += 1
    return counts


def next_due(scope: SessionScope) -> datetime | None:
    """When the earliest pending callback falls due (an index lookup)."""
    with scope() as session:
        return session.scalar(select(func.min(Callback.next_attempt_at)).where(Callback.status == "pending"))


# --- claiming ----------------------------------------------------------------------------

def _claim(scope: SessionScope, config: HotlineConfig, now: datetime, batch: int, at_once: int,
           counts: DispatchCounts) -> tuple[list[Claim], bool]:
    """Go through the due callbacks in order (up to ``batch`` of them),
    dropping and deferring as needed, until ``at_once`` are claimed.  Says
    whether more may be due."""
    with scope() as session:
        if active_pause(session) is not None:
            counts.paused = True
            return [], False
        due = list(session.scalars(
            select(Callback).where(Callback.status == "pending", Callback.next_attempt_at <= now)
            .order_by(Callback.next_attempt_at, Callback.id).limit(batch).with_for_update(skip_locked=True)))
        if not due:
            return [], False
        opted_out = set(session.scalars(select(OptOut.phone_e164).where(
            OptOut.phone_e164.in_({c.phone_e164 for c in due}))))
        attempts, left_due = [], False
        for callback in due:
            if len(attempts) == at_once:
                left_due = True           # the rest wait for the next free place
                break
            why_not = "opted_out" if callback.phone_e164 in opted_out else _no_longer_owed(session, callback)
            if why_not:
                callback.status = "opted_out" if why_not == "opted_out" else "cancelled"
                callback.last_result, callback.updated_at = why_not, now
                counts.dropped += 1
                log.info("callback %s dropped: %s", callback.id, why_not)
                continue
            line = line_of(config, callback.line_id)
            allowed = first_allowed(config, line, callback.phone_e164, now)
            if allowed > now:
                callback.next_attempt_at, callback.updated_at = allowed, now
                counts.deferred += 1
                continue
            number = (session.scalar(select(func.max(CallbackAttempt.number)).where(
                CallbackAttempt.callback_id == callback.id)) or 0) + 1
            callback.status, callback.attempts, callback.updated_at = "calling", callback.attempts + 1, now
            attempt = CallbackAttempt(callback=callback, number=number, status="placing", placed_at=now)
            session.add(attempt)
            attempts.append((attempt, callback, line))
        session.flush()
        claims = [Claim(a.id, c.id, c.phone_e164, line.number, line.id) for a, c, line in attempts]
        return claims, left_due or len(due) == batch


def _no_longer_owed(session: Session, callback: Callback) -> str | None:
    if callback.purpose in ("outcome", "after_hours") and callback.case_id is not None:
        case = session.get(Case, callback.case_id)
        if case is None:
            return "case_gone"
        if callback.purpose == "outcome" and case.status != "closed":
            return "case_reopened"
    if callback.purpose in ("queue", "missed"):
        # They called again and reached an operator or reported: nothing is
        # owed.  A person reached them when a <Dial><Queue> bridged the call,
        # or when an operator answered it from the console (answer next,
        # takeover: the call log names the operator and when they joined).
        reported = session.scalar(select(Complainant.id).where(
            Complainant.phone_e164 == callback.phone_e164, Complainant.created_at > callback.created_at).limit(1))
        reached = session.scalar(select(Call.id).where(
            Call.caller_e164 == callback.phone_e164, Call.direction == "inbound",
            or_(and_(Call.started_at > callback.created_at, Call.queue_result == "bridged"),
                Call.operator_joined_at > callback.created_at)).limit(1))
        if reported is not None or reached is not None:
            return "caller_got_through"
    return None


# --- placing -----------------------------------------------------------------------------

def _place(scope: SessionScope, config: HotlineConfig, client: Client, urls: CallbackUrls,
           clock: Callable[[], datetime], claim: Claim) -> bool:
    try:
        call = client.calls.create(
            to=claim.to, from_=claim.from_, url=urls.answer(claim.attempt_id), method="POST",
            status_callback=urls.status(claim.attempt_id), status_callback_method="POST",
            status_callback_event=STATUS_EVENTS, machine_detection="Enable",
            timeout=config.callbacks.ring_seconds,
        )
    except TwilioRestException as error:
        _record_failure(scope, config, clock, claim, result_of_rest_failure(error.status, error.code),
                        f"HTTP {error.status} code {error.code}: {error.msg}", code=error.code)
        return False
    except Exception as error:  # noqa: BLE001 - the network, a timeout, a bad answer: try again later
        _record_failure(scope, config, clock, claim, REST_ERROR, f"{error.__class__.__name__}: {error}")
        return False
    with scope() as session:
        attempt = session.get(CallbackAttempt, claim.attempt_id, with_for_update=True)
        # Twilio's first webhook may have come first and filled these in.
        attempt.call_sid = attempt.call_sid or call.sid
        if attempt.status == "placing":
            attempt.status = "placed"
        logged = log_call(session, CallParams(call.sid, claim.from_, claim.to, status=call.status or "queued",
                                              direction="outbound-api"),
                          claim.line_id, clock(), default_region=region_of(claim.from_) or "CN")
        attempt.call_id = logged.id
        attempt.callback.last_call_sid = call.sid
    log.info("callback %s: attempt %s placed to %s as %s", claim.callback_id, claim.attempt_id, mask(claim.to),
             call.sid)
    return True


def _record_failure(scope: SessionScope, config: HotlineConfig, clock: Callable[[], datetime], claim: Claim,
                    result: str, error: str, code: int | None = None) -> None:
    error = mask_text(error)           # Twilio's messages quote the number called
    log.warning("callback %s: calls.create to %s failed (%s): %s", claim.callback_id, mask(claim.to), result,
                error)
    with scope() as session:
        attempt = session.get(CallbackAttempt, claim.attempt_id, with_for_update=True)
        now = clock()
        settle_attempt(session, config, attempt, result, now, error=error[:2000])
        if result == ACCOUNT_FAULT:
            pause_callbacks(session, code, f"{ACCOUNT_FAULTS.get(code, 'the account was refused')} ({error})",
                            now, attempt_id=attempt.id)
