"""The one idempotent step store of every conversation the service holds on
a call (the intake IVR, the callback survey).

A step is the TwiML answered to one webhook, kept with what the caller did,
and the conversation's new state kept on the call.  ``store_step`` writes
both with no savepoint: the step row is inserted ``ON CONFLICT DO NOTHING``,
so when Twilio's retry raced us here the row it stored wins and both
requests answer with its TwiML; only the winner moves the call's state on.
On PostgreSQL that is one statement, one round trip (the insert in a
data-modifying ``WITH``, the call's update joined to what it returned); on
SQLite, which has no data-modifying ``WITH``, it is the insert and then the
update, two calls into the library in the same process.

``call_at_step`` is the other half: it reads the call with the steps it
needs in one round trip, so a webhook already answered (a retry) or for a
step the call has left behind (a stale or foreign step number) gets the
TwiML it was given, and changes nothing.  ``peek_at_step`` is the same read
on SQLite without the write lock.

Every change of a call's conversation goes through ``store_step`` and stores
the call's next step: that is what lets the step's insert tell a request
whether the call moved after it was read (``ivr.services.take_step`` on
SQLite works out a plain step's answer before it takes the write lock).

This is every webhook's hot path, so it speaks SQLAlchemy Core on the
session's connection, with statements built once: no ORM unit of work, no
identity map, no flush.  What a step reads of the call is a ``StepCall``
(plain values); a service that must change more of the call (an effect:
queueing, a callback owed) loads the ORM row for that alone.  When the
session does hold the call's ORM row, ``store_step`` keeps its copy true.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, bindparam, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from call_log.models import Call, IvrStep
from call_log.services import UPDATE_CALL, keep_true
from database import READ_ONLY, utcnow
from ivr.turns import ConversationState, Input

_call = Call.__table__
_step = IvrStep.__table__


@dataclass(frozen=True)
class Answered:
    """A webhook answered before: its TwiML, or None when even the current
    step is not stored (the caller gets the conversation's apology)."""

    twiml: str | None


@dataclass(frozen=True)
class StepCall:
    """The call as a step reads it: what the conversation needs, as values."""

    id: int
    call_sid: str
    line_id: str | None
    to_number: str | None
    ivr_state: dict | None
    ivr_step: int


# Built once: compiling is cached by SQLAlchemy, but building a statement
# anew on every webhook is a good part of what the ORM path cost.
_CALL_AT_STEP = (
    select(_call.c.id, _call.c.call_sid, _call.c.line_id, _call.c.to_number, _call.c.ivr_state,
           _call.c.ivr_step, _step.c.sequence, _step.c.twiml)
    .select_from(_call.outerjoin(_step, and_(
        _step.c.call_id == _call.c.id,
        or_(_step.c.sequence == bindparam("next_step"), _step.c.sequence == _call.c.ivr_step))))
    .where(_call.c.call_sid == bindparam("sid"))
    .with_for_update(of=_call)
)
_STORED_STEP = select(_step.c.twiml).where(_step.c.call_id == bindparam("call"),
                                           _step.c.sequence == bindparam("step"))
# A step's row, and the call's new state.  The parameters are shared: the
# step's ``call_id`` and ``sequence`` are the call's id and new ``ivr_step``.
_STEP_VALUES = {"call_id": bindparam("call"), "sequence": bindparam("ivr_step"), "node": bindparam("node"),
                "digits": bindparam("digits"), "speech": bindparam("speech"), "confidence": bindparam("confidence"),
                "said": bindparam("said"), "twiml": bindparam("twiml"), "created_at": bindparam("created_at")}
_MOVED = ("ivr_state", "ivr_step", "language", "last_seen_at")
_MOVE_CALL = UPDATE_CALL.values({name: bindparam(name) for name in _MOVED})
_INSERT_STEP = sqlite.insert(_step).values(_STEP_VALUES).on_conflict_do_nothing(
    index_elements=["call_id", "sequence"]).returning(_step.c.id)
# PostgreSQL writes both in one statement, one round trip: the call moves on
# only when the step's insert won (the data-modifying WITH returned its id).
_stored = (postgresql.insert(_step).values(_STEP_VALUES)
           .on_conflict_do_nothing(index_elements=["call_id", "sequence"])
           .returning(_step.c.id, _step.c.call_id).cte("stored"))
_STEP_AND_STATE = _MOVE_CALL.where(_call.c.id == _stored.c.call_id).returning(_stored.c.id)


def stored_step(session: Session, call_id: int, sequence: int) -> str | None:
    """The TwiML answered to step ``sequence`` of the call, if it was stored."""
    return session.connection().execute(_STORED_STEP, {"call": call_id, "step": sequence}).scalar()


def call_at_step(session: Session, call_sid: str, step: int,
                 connection: Connection | None = None) -> tuple[StepCall | None, Answered | None]:
    """The call (locked, on PostgreSQL, against its own concurrent webhooks)
    and, when the webhook was answered before, what to answer again, in one round trip: the call's
    row outer-joined to the steps a retry or a stale step number would need."""
    rows = (connection or session.connection()).execute(_CALL_AT_STEP, {"sid": call_sid, "next_step": step + 1}).all()
    if not rows:
        return None, None
    first = rows[0]
    call = StepCall(first.id, first.call_sid, first.line_id, first.to_number, first.ivr_state, first.ivr_step)
    return call, _answered({row.sequence: row.twiml for row in rows if row.sequence is not None}, call, step)


def peek_at_step(session: Session, call_sid: str, step: int) -> tuple[StepCall | None, Answered | None] | None:
    """SQLite: what ``call_at_step`` would read, read in a transaction of its
    own that takes no write lock and ends here, so a conversation can work
    out its answer (the classifier, the TwiML) before the write lock is
    taken; the write must then read the call again under the lock and use the
    answer only if the call has not moved.  SQLite has one write lock for the
    whole database, held from a writer's ``BEGIN IMMEDIATE`` to its commit.

    None where there is nothing to gain: on PostgreSQL, whose lock is the
    call's own row, and when the session is already in a transaction (its
    work must not be committed here)."""
    if session.in_transaction() or session.get_bind().dialect.name != "sqlite":
        return None
    try:
        return call_at_step(session, call_sid, step, connection=session.connection(
            execution_options={READ_ONLY: True}))
    finally:
        session.commit()


def _answered(rows: dict[int, str], call: StepCall, step: int) -> Answered | None:
    if step + 1 in rows:
        return Answered(rows[step + 1])            # a retry: same answer, nothing changes
    if step != call.ivr_step:
        return Answered(rows.get(call.ivr_step))   # stale or foreign: repeat where the caller really is
    return None


def call_seen(session: Session, call_id: int, now: datetime) -> None:
    """A webhook of the call arrived (one that changes nothing else)."""
    session.connection().execute(UPDATE_CALL, {"call": call_id, "last_seen_at": now})
    keep_true(session, call_id, {"last_seen_at": now})


def store_step(session: Session, call_id: int, sequence: int, state: ConversationState, event: Input,
               said: str, twiml: str, now: datetime, node_prefix: str = "") -> str:
    """Keep turn ``sequence`` and the conversation's new state; returns the
    TwiML to answer with (another request's, when it stored this step first)."""
    if session.new:                                # the call itself may still be pending
        session.flush()
    connection = session.connection()
    moved = {"ivr_state": state.to_json(), "ivr_step": sequence, "language": state.language, "last_seen_at": now}
    params = {"call": call_id, **moved, "node": node_prefix + state.node, "digits": event.digits,
              "speech": event.speech, "confidence": event.confidence, "said": said, "twiml": twiml,
              "created_at": utcnow()}
    if connection.dialect.name == "postgresql":
        stored_id = connection.execute(_STEP_AND_STATE, params).scalar()
    else:                                          # SQLite has no data-modifying WITH; in-process, no round trip
        stored_id = connection.execute(_INSERT_STEP, params).scalar()
        if stored_id is not None:
            connection.execute(_MOVE_CALL, params)
    if stored_id is None:
        call_seen(session, call_id, now)
        stored = stored_step(session, call_id, sequence)
        return stored if stored is not None else twiml
    keep_true(session, call_id, moved)
    return twiml
