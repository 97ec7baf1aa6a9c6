"""The call-centre rules (reports/callcentre.py's docstring) in plain Python over the ORM's rows:
the reference the SQL path (reports/callcentre_sql.py) is held to. Tests only."""
from __future__ import annotations

from sqlalchemy import select

from call_log.models import Call
from callbacks.models import Callback, CallbackAttempt
from operators.models import SeatChange
from reports.callcentre import (
    ANSWER_WITHIN,
    CONNECT_WITHIN,
    QUEUE_CALLBACKS,
    REACHED,
    REFUSED_RESULTS,
    CallbackMarks,
    CallMarks,
    RefusalMarks,
)
from routing.periods import Period


def oracle_marks(session, period: Period) -> tuple[list[CallMarks], list[CallbackMarks]]:
    calls = list(session.scalars(select(Call)))
    changes = list(session.scalars(select(SeatChange)))
    callbacks = list(session.scalars(select(Callback)))
    attempts = list(session.scalars(select(CallbackAttempt)))
    by_id = {callback.id: callback for callback in callbacks}
    marked = []
    for call in calls:
        if call.direction != "inbound" or call.queued_at is None or call.queued_at not in period:
            continue
        answered_at = call.operator_joined_at or (call.queue_ended_at if call.queue_result == "bridged" else None)
        answered = answered_at is not None
        abandoned = not answered and (call.queue_result == "hangup" or (
            call.ended_at is not None and (call.queue_result or "") not in ("leave", *REFUSED_RESULTS)))
        window_end = call.queued_at + CONNECT_WITHIN
        called_back = call.caller_e164 is not None and any(
            by_id[attempt.callback_id].phone_e164 == call.caller_e164
            and by_id[attempt.callback_id].purpose in QUEUE_CALLBACKS and attempt.result in REACHED
            and call.queued_at <= attempt.placed_at <= window_end for attempt in attempts)
        later = call.caller_e164 is not None and any(
            other.caller_e164 == call.caller_e164 and other.direction == "inbound" and other.id != call.id
            and other.operator_joined_at is not None and call.queued_at < other.operator_joined_at <= window_end
            for other in calls)
        part_ends = [change.at for change in changes if change.call_sid == call.call_sid
                     and change.previous == "on_call" and change.state != "on_call"
                     and answered and change.at >= answered_at]
        part_ended = min(part_ends) if part_ends else call.ended_at
        marked.append(CallMarks(
            call.id, call.line_id, call.operator if call.operator_joined_at else None, call.queued_at,
            answered=answered, abandoned=abandoned,
            left_for_callback=not answered and call.queue_result == "leave",
            answered_within_15s=answered and answered_at - call.queued_at <= ANSWER_WITHIN,
            connected_24h=answered or called_back or later,
            wait_seconds=(answered_at - call.queued_at).total_seconds() if answered else None,
            handling_seconds=(part_ended - answered_at).total_seconds() if answered and part_ended else None))
    owed = [CallbackMarks(callback.id, callback.line_id, callback.created_at, callback.status == "completed")
            for callback in callbacks if callback.purpose in QUEUE_CALLBACKS and callback.created_at in period]
    return (sorted(marked, key=lambda m: (m.queued_at, m.call_id)),
            sorted(owed, key=lambda m: (m.owed_at, m.callback_id)))


def oracle_refusals(session, period: Period) -> list[RefusalMarks]:
    """The calls refused a person in the period: inbound, by the moment of their first refusal."""
    refused = [RefusalMarks(call.id, call.line_id, call.operator_refused_at, call.operator_refused_reason)
               for call in session.scalars(select(Call))
               if call.direction == "inbound" and call.operator_refused_at is not None
               and call.operator_refused_at in period]
    return sorted(refused, key=lambda m: (m.refused_at, m.call_id))
