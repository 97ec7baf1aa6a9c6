"""Call-log use cases: log a call, its status callbacks and its recordings.

Every function is idempotent on Twilio's keys (CallSid; CallSid +
SequenceNumber + CallStatus; RecordingSid) because Twilio retries webhooks
and may deliver status callbacks twice or out of order.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from call_log.models import Call, CallStatusEvent, Recording
from call_log.phones import mask, parse_caller
from database import dialect_insert, utcnow

log = logging.getLogger(__name__)

FINAL_STATUSES = {"completed", "busy", "failed", "no-answer", "canceled"}


@dataclass(frozen=True)
class CallParams:
    call_sid: str
    from_number: str | None
    to_number: str | None
    status: str | None = None
    direction: str | None = None


@dataclass(frozen=True)
class StatusUpdate:
    call_sid: str
    status: str
    sequence_number: int | None
    timestamp: str | None
    duration_seconds: int | None
    params: dict
    from_number: str | None = None
    to_number: str | None = None
    direction: str | None = None


@dataclass(frozen=True)
class RecordingParams:
    recording_sid: str
    call_sid: str | None
    url: str | None
    duration_seconds: int | None
    status: str | None = None


def find_call(session: Session, call_sid: str, *, lock: bool = False) -> Call | None:
    query = select(Call).where(Call.call_sid == call_sid)
    if lock:
        # Serialises concurrent retries of one call's webhooks on PostgreSQL;
        # SQLite serialises every write transaction anyway.
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def log_call(session: Session, params: CallParams, line_id: str | None, now: datetime,
             default_region: str = "CN") -> Call:
    """The call's row, created on first sight; later sightings change nothing, except
    that the line is filled in when a status callback saw the call first."""
    call = find_call(session, params.call_sid, lock=True)
    if call is not None:
        call.last_seen_at = now
        if call.line_id is None and line_id is not None:
            call.line_id = line_id
        return call
    caller = parse_caller(params.from_number, default_region)
    call = Call(
        call_sid=params.call_sid, line_id=line_id, direction=params.direction or "inbound",
        from_raw=params.from_number, to_number=params.to_number, caller_e164=caller.e164,
        caller_region=caller.region, caller_location=caller.location, caller_carrier=caller.carrier,
        caller_time_zone=caller.time_zone, status=params.status or "ringing", started_at=now, last_seen_at=now,
    )
    try:
        with session.begin_nested():
            session.add(call)
    except IntegrityError:
        # Twilio's retry raced us; the other request created the row.
        call = find_call(session, params.call_sid, lock=True)
        assert call is not None
        return call
    log.info("call %s on line %s from %s", params.call_sid, line_id, mask(caller.e164 or params.from_number))
    return call


@dataclass(frozen=True)
class AnsweredCall:
    """The call as the incoming webhook needs it, from ``answer_incoming``."""

    id: int
    caller_e164: str | None
    first_sight: bool


def answer_incoming(session: Session, params: CallParams, line_id: str, now: datetime,
                    default_region: str = "CN") -> AnsweredCall:
    """``log_call`` for the incoming webhook, the call answered now, in one
    statement without the ORM: the row is inserted ``ON CONFLICT DO
    NOTHING``; when it was there already (Twilio's retry, or a status
    callback that came first) it is updated instead, the line and the answer
    time filled in if missing, and read back by the same statement."""
    connection = session.connection()
    caller = parse_caller(params.from_number, default_region)
    created = connection.execute(_INSERT_CALL[connection.dialect.name], {
        "call_sid": params.call_sid, "line_id": line_id, "direction": params.direction or "inbound",
        "from_raw": params.from_number, "to_number": params.to_number, "caller_e164": caller.e164,
        "caller_region": caller.region, "caller_location": caller.location, "caller_carrier": caller.carrier,
        "caller_time_zone": caller.time_zone, "status": params.status or "ringing", "started_at": now,
        "answered_at": now, "last_seen_at": now, "ivr_step": 0, "via_fallback": False}).scalar()
    if created is not None:
        log.info("call %s on line %s from %s", params.call_sid, line_id, mask(caller.e164 or params.from_number))
        return AnsweredCall(created, caller.e164, True)
    row = connection.execute(_SEEN_AGAIN, {"sid": params.call_sid, "line": line_id, "now": now}).one()
    held = session.identity_map.get(session.identity_key(Call, row.id))
    if held is not None:
        session.expire(held, ["last_seen_at", "line_id", "answered_at"])
    return AnsweredCall(row.id, row.caller_e164, False)


_call = Call.__table__
# Built once; the columns come from the parameters at execution.
_INSERT_CALL = {
    name: dialect.insert(_call).on_conflict_do_nothing(index_elements=["call_sid"]).returning(_call.c.id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}
_CALL_FOR_STATUS = (
    select(_call.c.id, _call.c.status, _call.c.last_sequence, _call.c.answered_at, _call.c.ended_at)
    .where(_call.c.call_sid == bindparam("sid")).with_for_update()
)
# The columns it sets come from the parameters at execution.
UPDATE_CALL = update(_call).where(_call.c.id == bindparam("call"))
_INSERT_STATUS = {
    name: dialect.insert(CallStatusEvent.__table__)
    .on_conflict_do_nothing(index_elements=["call_id", "sequence_number", "status"])
    .returning(CallStatusEvent.__table__.c.id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}
_SEEN_AGAIN = (
    update(_call).where(_call.c.call_sid == bindparam("sid"))
    .values(last_seen_at=bindparam("now"), line_id=func.coalesce(_call.c.line_id, bindparam("line")),
            answered_at=func.coalesce(_call.c.answered_at, bindparam("now")))
    .returning(_call.c.id, _call.c.caller_e164)
)


def record_status(session: Session, update: StatusUpdate, now: datetime) -> None:
    """Store a status callback once, and move the call on only if it is newer.

    A status callback comes at the end of every call, so it goes without the
    ORM: the call read (and locked), the event inserted ``ON CONFLICT DO
    NOTHING`` on Twilio's key (a duplicate inserts nothing and changes
    nothing but the call's last sight), the call updated."""
    connection = session.connection()
    call = connection.execute(_CALL_FOR_STATUS, {"sid": update.call_sid}).first()
    if call is None:
        log_call(session, CallParams(update.call_sid, update.from_number, update.to_number,
                                     update.status, update.direction), None, now)
        call = connection.execute(_CALL_FOR_STATUS, {"sid": update.call_sid}).one()
    sequence = update.sequence_number if update.sequence_number is not None else -1
    inserted = connection.execute(_INSERT_STATUS[connection.dialect.name], {
        "call_id": call.id, "status": update.status, "sequence_number": sequence,
        "twilio_timestamp": update.timestamp, "duration_seconds": update.duration_seconds, "received_at": now,
        "params": update.params}).scalar()
    changes: dict[str, object] = {"last_seen_at": now}
    if inserted is not None:
        newer = call.last_sequence is None or sequence > call.last_sequence
        if newer and not (call.status in FINAL_STATUSES and update.status not in FINAL_STATUSES):
            changes.update(status=update.status, last_sequence=sequence)
        if update.status == "in-progress" and call.answered_at is None:
            changes["answered_at"] = now
        if update.status in FINAL_STATUSES:
            changes["ended_at"] = call.ended_at or now
            if update.duration_seconds is not None:
                changes["duration_seconds"] = update.duration_seconds
    connection.execute(UPDATE_CALL, {"call": call.id, **changes})
    keep_true(session, call.id, changes)


def keep_true(session: Session, call_id: int, values: dict[str, object]) -> None:
    """After a Core write to the call's row: the session's ORM copy of the
    call, if it holds one, learns the values written (without being marked
    changed), so nothing later in the request reads or writes stale ones."""
    held = session.identity_map.get(session.identity_key(Call, call_id))
    for name, value in values.items() if held is not None else ():
        set_committed_value(held, name, value)


# A recording's status moves forward only: a late "in-progress" callback
# does not undo "completed".
_RECORDING_DONE = ("completed", "absent", "failed")


def save_recording(session: Session, params: RecordingParams, purpose: str = "voicemail",
                   channels: int | None = None) -> Recording:
    """The recording's row by RecordingSid; a later callback fills in what it knows.

    Twilio may post the <Record> action and the recording status callback
    for one RecordingSid at the same moment: the row is inserted with ON
    CONFLICT DO NOTHING, so the second request waits for the first and then
    updates its row instead of failing on the unique key."""
    call = find_call(session, params.call_sid) if params.call_sid else None
    session.execute(dialect_insert(session, Recording).values(
        recording_sid=params.recording_sid, call_id=call.id if call else None, purpose=purpose,
        status=params.status or "completed", channels=channels, created_at=utcnow(),
    ).on_conflict_do_nothing(index_elements=["recording_sid"]))
    recording = session.scalars(select(Recording).where(
        Recording.recording_sid == params.recording_sid).execution_options(populate_existing=True)).one()
    if recording.call_id is None and call is not None:
        recording.call_id = call.id
    recording.url = params.url or recording.url
    if params.duration_seconds is not None:
        recording.duration_seconds = params.duration_seconds
    if channels is not None:
        recording.channels = channels
    if not (recording.status in _RECORDING_DONE and params.status == "in-progress"):
        recording.status = params.status or recording.status or "completed"
    session.flush()
    return recording
