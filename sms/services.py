"""The outbox's use cases: queueing an SMS (the one way to send one), and
numbers opting out of SMS and back in.

``queue_message`` only writes a row, in the caller's transaction: nothing is
sent from a webhook or a case change.  The scheduler sends what is due
(``sms.sender``).  A message's ``purpose_key`` is unique, so a case event
handled twice owes one message; anonymous or unparseable numbers, landlines
and numbers that opted out are owed none.
"""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from call_log.phones import mask, parse_caller, takes_sms
from sms.models import SmsMessage, SmsOptOut
from sms.settings import MAX_BODY

log = logging.getLogger(__name__)


def queue_message(session: Session, *, purpose: str, purpose_key: str, phone: str | None, body: str,
                  language: str, now: datetime, line_id: str | None = None, case_id: int | None = None,
                  due: datetime | None = None) -> SmsMessage | None:
    """Owe ``phone`` an SMS saying ``body``; the scheduler sends it from ``due``
    (default: now).  Returns the message (the one already owed for
    ``purpose_key``, if any), or None when the number cannot or may not get one."""
    e164 = parse_caller(phone).e164
    if e164 is None or not takes_sms(e164):
        log.info("no %s SMS: %s cannot receive one", purpose, mask(phone) or "an anonymous caller")
        return None
    if is_opted_out(session, e164):
        log.info("no %s SMS to %s: the number opted out of SMS", purpose, mask(e164))
        return None
    existing = _by_key(session, purpose_key)
    if existing is not None:
        return existing
    message = SmsMessage(purpose=purpose, purpose_key=purpose_key, phone_e164=e164, line_id=line_id,
                         case_id=case_id, language=language, body=body[:MAX_BODY], status="pending", attempts=0,
                         next_attempt_at=due or now, created_at=now, updated_at=now)
    try:
        with session.begin_nested():
            session.add(message)
    except IntegrityError:
        # The same purpose raced in from another transaction; that one stands.
        return _by_key(session, purpose_key)
    log.info("SMS %s (%s) queued for %s", message.id, purpose, mask(e164))
    return message


def _by_key(session: Session, purpose_key: str) -> SmsMessage | None:
    return session.scalars(select(SmsMessage).where(SmsMessage.purpose_key == purpose_key)).one_or_none()


# --- opting out --------------------------------------------------------------------------

def is_opted_out(session: Session, phone_e164: str) -> bool:
    return session.scalar(select(SmsOptOut.id).where(SmsOptOut.phone_e164 == phone_e164)) is not None


def opt_out(session: Session, phone_e164: str, now: datetime, source: str) -> None:
    """No more SMS to this number; what is still owed to it is cancelled."""
    if not is_opted_out(session, phone_e164):
        try:
            with session.begin_nested():
                session.add(SmsOptOut(phone_e164=phone_e164, created_at=now, source=source[:64]))
        except IntegrityError:
            pass                                  # opted out twice at once: once is enough
    session.execute(update(SmsMessage).where(
        SmsMessage.phone_e164 == phone_e164, SmsMessage.status == "pending",
    ).values(status="cancelled", last_error="the number opted out", updated_at=now))
    log.info("%s opted out of SMS (%s)", mask(phone_e164), source)


def opt_in(session: Session, phone_e164: str) -> None:
    session.execute(delete(SmsOptOut).where(SmsOptOut.phone_e164 == phone_e164))
    log.info("%s opted back in to SMS", mask(phone_e164))
