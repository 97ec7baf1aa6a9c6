"""Sending the SMS outbox through Twilio's Messages API: the scheduler's job.

Each due message is claimed first (``sending``, its attempt counted, in one
short transaction; ``FOR UPDATE SKIP LOCKED`` on PostgreSQL), then
``messages.create`` is sent with no transaction open, and its answer is
recorded in a transaction of its own:

- Twilio took it: ``sent``, with its SID; the status callback
  (``/sms/status?message=ID``, signed) then records delivery;
- 429 or a 5xx: ``pending`` again after a backoff (``sms.yaml``'s
  ``retry_delays``), until ``max_attempts`` requests have failed;
- any other refusal (a bad or unsubscribed number, a blocked region):
  ``failed`` for good, with Twilio's error code;
- no answer at all (a timeout, a reset connection): Twilio may have taken
  it, so it stays ``sending`` and is looked up below before any resend.

A claim left ``sending`` for longer than ``SENDING_TIMEOUT`` (the process
died between the claim and Twilio's answer, or the answer was lost) is set
straight with what Twilio knows, so nobody gets the same SMS twice: the
status callback may already have told its SID; otherwise the messages sent
to that number since the claim are listed, and one with the same body that
no other row holds is adopted.  None found means Twilio never took it, and
it is given back.  While Twilio cannot be asked, the message waits; after
``stale_after`` it is marked failed (once too few rather than twice).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, ContextManager

from sqlalchemy import select
from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from call_log.phones import mask
from config.catalog import HotlineConfig
from sms.models import SmsMessage
from sms.receipts import line_of
from sms.services import is_opted_out
from sms.settings import SmsSettings

log = logging.getLogger(__name__)

SENDING_TIMEOUT = timedelta(minutes=5)
CLOCK_SKEW = timedelta(minutes=2)
STALE_AFTER = timedelta(hours=1)
BATCH = 50

SessionScope = Callable[[], ContextManager[Session]]


@dataclass
class SendCounts:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    settled: int = 0          # claims cut off mid-send, set straight


@dataclass(frozen=True)
class Claim:
    message_id: int
    to: str
    body: str
    line_id: str | None


def send_due(scope: SessionScope, config: HotlineConfig, settings: SmsSettings, client: Client,
             status_url: Callable[[int], str], clock: Callable[[], datetime], batch: int = BATCH,
             stale_after: timedelta = STALE_AFTER) -> SendCounts:
    """Send every message due now; returns what happened."""
    counts = SendCounts(settled=settle_cut_off(scope, client, clock, stale_after))
    for claim in _claim(scope, clock(), batch):
        kwargs = {"to": claim.to, "body": claim.body, "status_callback": status_url(claim.message_id)}
        if settings.messaging_service_sid:
            kwargs["messaging_service_sid"] = settings.messaging_service_sid
        else:
            kwargs["from_"] = settings.sender(line_of(config, claim.line_id))
        try:
            created = client.messages.create(**kwargs)
        except TwilioRestException as error:
            with scope() as session:
                counts_key = _refused(session, settings, claim, error, clock())
            setattr(counts, counts_key, getattr(counts, counts_key) + 1)
            continue
        except Exception as error:  # noqa: BLE001 - no answer: Twilio may have taken it
            log.warning("SMS %s to %s: no answer from Twilio (%s); it is looked up before any resend",
                        claim.message_id, mask(claim.to), error.__class__.__name__)
            with scope() as session:
                message = session.get(SmsMessage, claim.message_id)
                message.last_error = f"no answer: {error.__class__.__name__}: {error}"[:500]
            continue
        with scope() as session:
            _took(session, claim.message_id, created.sid, created.status, clock())
        counts.sent += 1
    return counts


def _claim(scope: SessionScope, now: datetime, batch: int) -> list[Claim]:
    with scope() as session:
        due = list(session.scalars(
            select(SmsMessage).where(SmsMessage.status == "pending", SmsMessage.next_attempt_at <= now)
            .order_by(SmsMessage.next_attempt_at, SmsMessage.id).limit(batch).with_for_update(skip_locked=True)))
        claims = []
        for message in due:
            if is_opted_out(session, message.phone_e164):
                message.status, message.last_error, message.updated_at = "cancelled", "the number opted out", now
                continue
            message.status, message.claimed_at, message.updated_at = "sending", now, now
            message.attempts += 1
            claims.append(Claim(message.id, message.phone_e164, message.body, message.line_id))
        return claims


def _took(session: Session, message_id: int, sid: str, twilio_status: str | None, now: datetime) -> None:
    message = session.get(SmsMessage, message_id)
    message.status, message.sent_at, message.updated_at = "sent", message.sent_at or now, now
    message.message_sid = message.message_sid or sid
    # The status callback may have come first, with a later status.
    message.delivery_status = message.delivery_status or twilio_status
    message.last_error = None
    log.info("SMS %s sent to %s as %s", message.id, mask(message.phone_e164), sid)


def _refused(session: Session, settings: SmsSettings, claim: Claim, error: TwilioRestException,
             now: datetime) -> str:
    message = session.get(SmsMessage, claim.message_id)
    message.error_code, message.updated_at = error.code, now
    message.last_error = f"HTTP {error.status} {error.code}: {error.msg}"[:500]
    retry = error.status is None or error.status == 429 or error.status >= 500 or error.code == 20429
    if retry and message.attempts < settings.max_attempts:
        message.status = "pending"
        message.next_attempt_at = now + settings.retry_delay(message.attempts)
        log.warning("SMS %s to %s: Twilio answered %s; retried at %s", message.id, mask(claim.to),
                    error.status, message.next_attempt_at.isoformat())
        return "retried"
    message.status = "failed"
    log.error("SMS %s to %s failed for good: %s", message.id, mask(claim.to), message.last_error)
    return "failed"


# --- claims cut off mid-send ------------------------------------------------------------------

def settle_cut_off(scope: SessionScope, client: Client, clock: Callable[[], datetime],
                   stale_after: timedelta = STALE_AFTER) -> int:
    now = clock()
    with scope() as session:
        quiet = [(m.id, m.phone_e164, m.body, m.claimed_at, m.message_sid) for m in session.scalars(
            select(SmsMessage).where(SmsMessage.status == "sending", SmsMessage.claimed_at < now - SENDING_TIMEOUT)
            .order_by(SmsMessage.claimed_at).limit(BATCH))]
    settled = 0
    for message_id, to, body, claimed_at, known_sid in quiet:
        if known_sid:
            found_sid, found_status = known_sid, None       # the status callback told us: Twilio took it
        else:
            try:
                found = _twilios_message(client, to, body, claimed_at, _sids_known(scope))
            except Exception as error:  # noqa: BLE001 - the network, Twilio down: ask again next run
                if claimed_at < now - stale_after:
                    with scope() as session:
                        message = session.get(SmsMessage, message_id, with_for_update=True)
                        if message.status == "sending":
                            message.status, message.updated_at = "failed", clock()
                            message.last_error = f"cut off mid-send; Twilio could not be asked: {error}"[:500]
                            settled += 1
                continue
            found_sid, found_status = (found.sid, found.status) if found is not None else (None, None)
        with scope() as session:
            message = session.get(SmsMessage, message_id, with_for_update=True)
            if message is None or message.status != "sending":
                continue                                    # another run got there first
            if found_sid is None:
                message.status, message.next_attempt_at, message.updated_at = "pending", clock(), clock()
                message.last_error = "cut off mid-send; Twilio has no such message, so it is sent again"
                log.info("SMS %s was cut off before Twilio took it; it is given back", message_id)
            else:
                _took(session, message_id, found_sid, found_status, clock())
            settled += 1
    return settled


def _twilios_message(client: Client, to: str, body: str, claimed_at: datetime, known: set[str]):
    since = claimed_at - CLOCK_SKEW
    candidates = [m for m in client.messages.list(to=to, date_sent_after=since, limit=50)
                  if m.sid not in known and (m.direction or "outbound-api") == "outbound-api" and m.body == body]
    candidates.sort(key=lambda m: m.date_created or claimed_at)
    return candidates[0] if candidates else None


def _sids_known(scope: SessionScope) -> set[str]:
    with scope() as session:
        return set(session.scalars(select(SmsMessage.message_sid).where(SmsMessage.message_sid.is_not(None))))
