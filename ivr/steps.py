"""The one idempotent step store of every conversation the service holds on
a call (the intake IVR, the callback survey).

A step is the TwiML answered to one webhook, kept with what the caller did,
and the conversation's new state kept on the call.  ``store_step`` writes
both in ONE statement per table with no savepoint: the step row is inserted
``ON CONFLICT DO NOTHING``, so when Twilio's retry raced us here the row it
stored wins and both requests answer with its TwiML; only the winner moves
the call's state on.  ``call_at_step`` is the other half: it reads the
call with the steps it needs in one round trip, so a webhook already
answered (a retry) or for a step the call has left behind (a stale or
foreign step number) gets the TwiML it was given, and changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from call_log.models import Call, IvrStep
from database import dialect_insert, utcnow
from ivr.turns import ConversationState, Input


@dataclass(frozen=True)
class Answered:
    """A webhook answered before: its TwiML, or None when even the current
    step is not stored (the caller gets the conversation's apology)."""

    twiml: str | None


def stored_step(session: Session, call_id: int, sequence: int) -> IvrStep | None:
    return session.scalars(select(IvrStep).where(
        IvrStep.call_id == call_id, IvrStep.sequence == sequence)).one_or_none()


def call_at_step(session: Session, call_sid: str, step: int) -> tuple[Call | None, Answered | None]:
    """The call (locked, on PostgreSQL, against its own concurrent webhooks)
    and, when the webhook was answered before, what to answer again, in one round trip: the call's
    row outer-joined to the steps a retry or a stale step number would need."""
    rows = session.execute(
        select(Call, IvrStep.sequence, IvrStep.twiml)
        .outerjoin(IvrStep, and_(IvrStep.call_id == Call.id,
                                 or_(IvrStep.sequence == step + 1, IvrStep.sequence == Call.ivr_step)))
        .where(Call.call_sid == call_sid).with_for_update(of=Call)).all()
    if not rows:
        return None, None
    call = rows[0][0]
    return call, _answered({sequence: twiml for _, sequence, twiml in rows if sequence is not None}, call, step)


def _answered(rows: dict[int, str], call: Call, step: int) -> Answered | None:
    if step + 1 in rows:
        return Answered(rows[step + 1])            # a retry: same answer, nothing changes
    if step != call.ivr_step:
        return Answered(rows.get(call.ivr_step))   # stale or foreign: repeat where the caller really is
    return None


def store_step(session: Session, call: Call, sequence: int, state: ConversationState, event: Input,
               said: str, twiml: str, node_prefix: str = "") -> str:
    """Keep turn ``sequence`` and the conversation's new state; returns the
    TwiML to answer with (another request's, when it stored this step first)."""
    stored_id = session.execute(
        dialect_insert(session, IvrStep).values(
            call_id=call.id, sequence=sequence, node=node_prefix + state.node, digits=event.digits,
            speech=event.speech, confidence=event.confidence, said=said, twiml=twiml, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["call_id", "sequence"]).returning(IvrStep.id)
    ).scalar_one_or_none()
    if stored_id is None:
        stored = stored_step(session, call.id, sequence)
        return stored.twiml if stored else twiml
    call.ivr_state = state.to_json()
    call.ivr_step = sequence
    call.language = state.language
    return twiml
