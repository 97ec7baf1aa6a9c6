"""What gets a callback, and the operations on callbacks: owing one,
cancelling one, and a number opting out.

Four things earn a complainant a call:

- ``outcome``: their case closed; every complainant of the case, by number,
  after ``callbacks.yaml``'s outcome delay (``schedule_outcome_callbacks``,
  called when a case closes);
- ``queue``: they chose a callback while waiting for an operator, called as
  soon as the hours allow, in the order asked (``request_call_back``);
- ``missed``: they gave up waiting (``request_call_back``);
- ``after_hours``: they complained out of hours and were promised a call when
  the line opens (``schedule_after_hours_callback``, called at intake).

A callback's ``purpose_key`` is unique, so asking twice for the same thing
returns the callback already owed.  Opted-out numbers are never owed one.
The dispatcher (``callbacks.dispatcher``) places the calls.
"""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from call_log.phones import mask, parse_caller, time_zone_of
from callbacks.hours import CallingHours
from callbacks.models import Callback, OptOut
from cases.events import AFTER_HOURS_REPORT, CASE_CLOSED, CaseEvents
from cases.models import Case, CaseEvent, Complainant
from config.catalog import HotlineConfig, Line

log = logging.getLogger(__name__)

OWED = ("pending", "calling")
REQUESTABLE = ("queue", "missed")


class CallbackNotFound(LookupError):
    pass


class CannotCancel(ValueError):
    pass


# --- when a call may be placed ----------------------------------------------------

def line_of(config: HotlineConfig, line_id: str | None) -> Line:
    return config.lines.get(line_id or "") or next(iter(config.lines.values()))


def calling_zone(phone_e164: str, line: Line) -> str:
    """The complainant's time zone: their number's, else the line's."""
    return time_zone_of(phone_e164) or line.time_zone


def first_allowed(config: HotlineConfig, line: Line, phone_e164: str, moment: datetime) -> datetime:
    """The first moment at or after ``moment`` when this number may be called."""
    hours = CallingHours(config.callbacks.hours)
    return hours.next_allowed(moment, calling_zone(phone_e164, line), config.calendars[line.business_hours])


# --- owing a callback ------------------------------------------------------------------

def schedule_outcome_callbacks(session: Session, config: HotlineConfig, case: Case, close_event: CaseEvent,
                               now: datetime) -> list[Callback]:
    """The case has closed: owe each of its complainants the outcome survey.

    Complainants who share a number are called once; those who declined a
    callback or left no dialable number are not called.  Outcome calls still
    owed for an earlier closing of the same case are dropped: the new outcome
    is the one to ask about.
    """
    this_closing = f"outcome:{case.id}:{close_event.id}:"
    session.execute(update(Callback).where(
        Callback.case_id == case.id, Callback.purpose == "outcome", Callback.status == "pending",
        Callback.purpose_key.not_like(this_closing + "%"),
    ).values(status="cancelled", last_result="superseded", updated_at=now))
    line = line_of(config, case.line_id)
    owed, seen = [], set()
    for complainant in case.complainants:
        phone = _dialable(complainant)
        if phone is None or phone in seen:
            continue
        seen.add(phone)
        callback = _owe(session, config, line, Callback(
            purpose="outcome", purpose_key=this_closing + phone, phone_e164=phone,
            line_id=line.id, case_id=case.id, complainant_id=complainant.id, origin_call_id=complainant.call_id,
            language=complainant.language or line.default_language,
        ), due=now + config.callbacks.outcome_delay, now=now)
        if callback is not None:
            owed.append(callback)
    return owed


def schedule_after_hours_callback(session: Session, config: HotlineConfig, case: Case, complainant: Complainant,
                                  now: datetime) -> Callback | None:
    """A complaint taken out of hours: call when the line next opens, as the
    IVR promised ("we will call you back after ...")."""
    phone = _dialable(complainant)
    if phone is None:
        return None
    line = line_of(config, case.line_id)
    opens = config.calendars[line.business_hours].next_open(now)
    return _owe(session, config, line, Callback(
        purpose="after_hours", purpose_key=f"after_hours:{case.id}:{phone}", phone_e164=phone, line_id=line.id,
        case_id=case.id, complainant_id=complainant.id, origin_call_id=complainant.call_id,
        language=complainant.language or line.default_language,
    ), due=opens, now=now)


def request_call_back(session: Session, config: HotlineConfig, *, purpose: str, phone_e164: str,
                      line_id: str | None, origin_call_id: int | None, language: str | None,
                      now: datetime) -> Callback | None:
    """A caller is owed a call back: ``queue`` (they asked for one instead of
    waiting for an operator) or ``missed`` (they gave up waiting).

    Called as soon as possible within the calling hours (``missed`` after
    ``missed_delay``), in the order asked.  A number already owed a queue or
    missed callback is not owed a second one: that callback is returned.
    Returns None when the number cannot be dialled or has opted out.
    """
    if purpose not in REQUESTABLE:
        raise ValueError(f"purpose must be one of {', '.join(REQUESTABLE)}, not {purpose!r}")
    phone = parse_caller(phone_e164).e164
    if phone is None:
        return None
    already = session.scalars(select(Callback).where(
        Callback.phone_e164 == phone, Callback.purpose.in_(REQUESTABLE), Callback.status.in_(OWED),
    ).order_by(Callback.id).limit(1)).first()
    if already is not None:
        return already
    line = line_of(config, line_id)
    key = f"{purpose}:call{origin_call_id}" if origin_call_id else f"{purpose}:{phone}:{now:%Y%m%dT%H%M%S}"
    due = now + config.callbacks.missed_delay if purpose == "missed" else now
    return _owe(session, config, line, Callback(
        purpose=purpose, purpose_key=key, phone_e164=phone, line_id=line.id, origin_call_id=origin_call_id,
        language=language or line.default_language,
    ), due=due, now=now)


def request_queue_callback(session: Session, config: HotlineConfig, *, phone_e164: str, line_id: str | None,
                           now: datetime, origin_call_id: int | None = None,
                           language: str | None = None) -> Callback | None:
    """The operator queue's "call me back instead" (see ``request_call_back``)."""
    return request_call_back(session, config, purpose="queue", phone_e164=phone_e164, line_id=line_id,
                             origin_call_id=origin_call_id, language=language, now=now)


def _dialable(complainant: Complainant) -> str | None:
    if complainant.callback_declined:
        return None
    return parse_caller(complainant.callback_number or complainant.phone_e164).e164


def _owe(session: Session, config: HotlineConfig, line: Line, callback: Callback, *, due: datetime,
         now: datetime) -> Callback | None:
    """Add ``callback`` unless its purpose is already owed or the number opted out."""
    if is_opted_out(session, callback.phone_e164):
        log.info("no %s callback for %s: the number opted out", callback.purpose, mask(callback.phone_e164))
        return None
    existing = _by_key(session, callback.purpose_key)
    if existing is not None:
        return existing
    callback.status, callback.due_at, callback.attempts = "pending", due, 0
    callback.next_attempt_at = first_allowed(config, line, callback.phone_e164, due)
    callback.created_at = callback.updated_at = now
    try:
        with session.begin_nested():
            session.add(callback)
    except IntegrityError:
        # The same purpose raced in from another request; that one stands.
        return _by_key(session, callback.purpose_key)
    log.info("callback %s owed to %s (%s), first call at %s", callback.id, mask(callback.phone_e164),
             callback.purpose, callback.next_attempt_at.isoformat())
    return callback


def _by_key(session: Session, purpose_key: str) -> Callback | None:
    return session.scalars(select(Callback).where(Callback.purpose_key == purpose_key)).one_or_none()


# --- operations ------------------------------------------------------------------------

def is_opted_out(session: Session, phone_e164: str) -> bool:
    return session.scalar(select(OptOut.id).where(OptOut.phone_e164 == phone_e164)) is not None


def opt_out(session: Session, phone_e164: str, now: datetime, source: str) -> OptOut:
    """Never call this number again: record it and drop what is still owed to it."""
    existing = session.scalars(select(OptOut).where(OptOut.phone_e164 == phone_e164)).one_or_none()
    if existing is None:
        existing = OptOut(phone_e164=phone_e164, created_at=now, source=source)
        try:
            with session.begin_nested():
                session.add(existing)
        except IntegrityError:
            existing = session.scalars(select(OptOut).where(OptOut.phone_e164 == phone_e164)).one()
    session.execute(update(Callback).where(
        Callback.phone_e164 == phone_e164, Callback.status == "pending",
    ).values(status="opted_out", last_result="opted_out", updated_at=now))
    log.info("%s opted out of callbacks (%s)", mask(phone_e164), source)
    return existing


def cancel_callback(session: Session, callback_id: int, now: datetime, actor: str) -> Callback:
    """Cancel a callback that is still owed.  A call already ringing goes on,
    but it will not be retried."""
    callback = session.get(Callback, callback_id, with_for_update=True)
    if callback is None:
        raise CallbackNotFound(f"no callback {callback_id}")
    if callback.status not in OWED:
        raise CannotCancel(f"callback {callback_id} is {callback.status}; "
                           "only pending or calling ones can be cancelled")
    callback.status, callback.last_result, callback.updated_at = "cancelled", f"cancelled by {actor}"[:64], now
    session.flush()
    log.info("callback %s cancelled by %s", callback_id, actor)
    return callback


def follow_cases(events: CaseEvents) -> None:
    """Owe callbacks as cases close and as out-of-hours reports come in
    (subscribing twice changes nothing)."""
    events.subscribe(CASE_CLOSED, _case_closed)
    events.subscribe(AFTER_HOURS_REPORT, _after_hours_report)


def _case_closed(session: Session, config: HotlineConfig, case: Case, event: CaseEvent, at: datetime) -> None:
    schedule_outcome_callbacks(session, config, case, event, at)


def _after_hours_report(session: Session, config: HotlineConfig, case: Case, complainant: Complainant,
                        at: datetime) -> None:
    schedule_after_hours_callback(session, config, case, complainant, at)
