"""Attempts that went quiet, set straight with what Twilio knows.

Two kinds, looked at on every dispatcher run:

- ``placing`` for more than five minutes: the scheduler was killed between
  claiming the callback and Twilio's answer to ``calls.create``.  Whether
  Twilio took that call is unknown here, so it is asked before anyone is
  called again: the call is fetched by its SID when a webhook told us one,
  else the calls to that number from the line since the attempt are listed.
  A call found becomes the attempt's (and ends it, if it is over); none
  found means the phone never rang, and the attempt is given back.  While
  Twilio cannot be asked, the attempt waits; after ``stale_after`` it is
  ended as ``interrupted`` (counted as an attempt: once too few rather than
  twice).
- ``placed`` with no final status long after (its status callback was lost):
  the call is fetched and its final status applied.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import select
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from call_log.phones import mask, region_of
from call_log.services import FINAL_STATUSES, CallParams, log_call
from callbacks.attempts import NOT_PLACED, result_of_call, settle_attempt
from callbacks.models import CallbackAttempt
from callbacks.services import line_of
from config.catalog import HotlineConfig

log = logging.getLogger(__name__)

# A claim whose calls.create has not come back after this long was cut off
# (the process died between the claim and Twilio's answer).
PLACING_TIMEOUT = timedelta(minutes=5)
# Twilio's clock and ours may differ by this much.
CLOCK_SKEW = timedelta(minutes=2)
QUIET_BATCH = 100


@dataclass(frozen=True)
class CutOff:
    attempt_id: int
    call_sid: str | None
    to: str
    from_: str
    line_id: str
    placed_at: datetime


class LookupFailed(RuntimeError):
    """Twilio could not be asked; try again on the next run."""


def end_quiet_attempts(scope, config: HotlineConfig, client: Client, clock: Callable[[], datetime],
                       stale_after: timedelta) -> int:
    """Reconcile quiet attempts; returns how many were settled or matched."""
    return _reconcile_cut_off(scope, config, client, clock, stale_after) + \
        _end_lost_status(scope, config, client, clock, stale_after)


# --- attempts cut off mid-placement ------------------------------------------------------

def _reconcile_cut_off(scope, config: HotlineConfig, client: Client, clock: Callable[[], datetime],
                       stale_after: timedelta) -> int:
    now = clock()
    with scope() as session:
        attempts = session.scalars(select(CallbackAttempt).where(
            CallbackAttempt.status == "placing", CallbackAttempt.placed_at < now - PLACING_TIMEOUT,
        ).order_by(CallbackAttempt.placed_at).limit(QUIET_BATCH)).all()
        cut_off = []
        for attempt in attempts:
            line = line_of(config, attempt.callback.line_id)
            cut_off.append(CutOff(attempt.id, attempt.call_sid, attempt.callback.phone_e164, line.number, line.id,
                                  attempt.placed_at))
    settled = 0
    for claim in cut_off:
        try:
            found = _twilios_call(client, claim, _sids_known(scope))
        except LookupFailed as problem:
            if claim.placed_at < now - stale_after:
                with scope() as session:
                    attempt = session.get(CallbackAttempt, claim.attempt_id, with_for_update=True)
                    settle_attempt(session, config, attempt, "interrupted", clock(),
                                   error=f"cut off mid-placement; Twilio could not be asked: {problem}")
                settled += 1
            continue
        with scope() as session:
            attempt = session.get(CallbackAttempt, claim.attempt_id, with_for_update=True)
            if attempt is None or attempt.status != "placing":
                continue                       # a webhook or another run got there first
            if found is None:
                settle_attempt(session, config, attempt, NOT_PLACED, clock(),
                               error="cut off mid-placement; Twilio has no such call, so the phone never rang")
                log.info("callback %s: attempt %s was cut off before Twilio took it; it is given back",
                         attempt.callback_id, attempt.id)
            else:
                _adopt(session, config, attempt, claim, found, clock())
        settled += 1
    return settled


def _twilios_call(client: Client, claim: CutOff, known: set[str]):
    """Twilio's call for this attempt, or None when Twilio never took one."""
    try:
        if claim.call_sid:
            try:
                return client.calls(claim.call_sid).fetch()
            except TwilioRestException as error:
                if error.status != 404:
                    raise
        since = claim.placed_at - CLOCK_SKEW
        candidates = [c for c in client.calls.list(to=claim.to, from_=claim.from_, start_time_after=since, limit=50)
                      if c.sid not in known and (c.date_created is None or c.date_created >= since)
                      and (c.direction or "outbound-api") == "outbound-api"]
    except Exception as error:  # noqa: BLE001 - the network, a timeout, Twilio down: ask again later
        raise LookupFailed(f"{error.__class__.__name__}: {error}") from error
    # The earliest unclaimed call from the line to that number since the attempt.
    candidates.sort(key=lambda c: c.date_created or claim.placed_at)
    return candidates[0] if candidates else None


def _sids_known(scope) -> set[str]:
    with scope() as session:
        return set(session.scalars(select(CallbackAttempt.call_sid).where(
            CallbackAttempt.call_sid.is_not(None), CallbackAttempt.status != "ended")))


def _adopt(session, config: HotlineConfig, attempt: CallbackAttempt, claim: CutOff, call, now: datetime) -> None:
    """Twilio did place the call: it is this attempt's, and is not placed again."""
    attempt.call_sid = attempt.call_sid or call.sid
    attempt.status = "placed"
    logged = log_call(session, CallParams(call.sid, claim.from_, claim.to, status=call.status or "queued",
                                          direction="outbound-api"),
                      claim.line_id, now, default_region=region_of(claim.from_) or "CN")
    attempt.call_id = logged.id
    attempt.callback.last_call_sid = call.sid
    log.info("callback %s: attempt %s was cut off mid-placement; Twilio had placed it as %s (%s) to %s",
             attempt.callback_id, attempt.id, call.sid, call.status, mask(claim.to))
    if call.status in FINAL_STATUSES:
        settle_attempt(session, config, attempt, result_of_call(call.status, attempt), now,
                       error="cut off mid-placement; its final status was looked up over REST")


# --- placed calls whose final status never came ------------------------------------------

def _end_lost_status(scope, config: HotlineConfig, client: Client, clock: Callable[[], datetime],
                     stale_after: timedelta) -> int:
    now = clock()
    with scope() as session:
        quiet = list(session.execute(select(CallbackAttempt.id, CallbackAttempt.call_sid).where(
            CallbackAttempt.status == "placed", CallbackAttempt.placed_at < now - stale_after,
            CallbackAttempt.call_sid.is_not(None),
        ).order_by(CallbackAttempt.placed_at).limit(QUIET_BATCH)))
    settled = 0
    for attempt_id, call_sid in quiet:
        try:
            status = client.calls(call_sid).fetch().status
        except TwilioRestException as error:
            status = "failed" if error.status == 404 else None
        except Exception:  # noqa: BLE001 - try again on the next run
            log.warning("could not look up quiet callback call %s", call_sid, exc_info=True)
            status = None
        if status not in FINAL_STATUSES:
            continue
        with scope() as session:
            attempt = session.get(CallbackAttempt, attempt_id, with_for_update=True)
            settle_attempt(session, config, attempt, result_of_call(status, attempt), clock(),
                           error="final status looked up over REST; the status callback never came")
            settled += 1
    return settled
