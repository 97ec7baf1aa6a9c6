"""The call-centre marks computed in the database: the one path behind the report page, its
exports, ``flask report`` and the wallboard.

One statement marks every call offered in a period by the rules of ``reports.callcentre``
(answered, abandoned, left for a callback, answered within 15 s, connected within 24 h; the wait
and the handling time, in microseconds, as the case reports time them); a second lists the queue
and missed callbacks owed in it; a third the calls refused a person in it, by their first
refusal. What differs between SQLite and PostgreSQL (adding to a time, the span between two
times) is ``reports.statement.Dialect``'s. The tests hold the result to a
Python reference of the same rules (tests/reports/callcentre_oracle.py) on both databases.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from reports.callcentre import (
    ANSWER_WITHIN,
    BRIDGED_RESULT,
    CONNECT_WITHIN,
    LEFT_FOR_CALLBACK_RESULT,
    QUEUE_CALLBACKS,
    REACHED,
    REFUSED_RESULTS,
    CallbackMarks,
    CallMarks,
    CallReport,
    RefusalMarks,
    call_report,
)
from reports.statement import Dialect
from routing.periods import Period

# The seat state an operator's part of a call ends from (operators.seats.ON_CALL).
ON_CALL = "on_call"


def _quoted(values) -> str:
    return ", ".join(f"'{value}'" for value in values)


def _calls_statement(dialect: Dialect) -> str:
    plus, micros = dialect.plus, dialect.micros
    return f"""
WITH offered AS (
  SELECT c.id, c.call_sid, c.line_id, c.caller_e164, c.queued_at, c.queue_result, c.ended_at,
         CASE WHEN c.operator_joined_at IS NOT NULL THEN c.operator_joined_at
              WHEN c.queue_result = '{BRIDGED_RESULT}' THEN c.queue_ended_at END AS answered_at,
         CASE WHEN c.operator_joined_at IS NOT NULL THEN c.operator END AS operator
    FROM call c
   WHERE c.direction = 'inbound' AND c.queued_at IS NOT NULL
     AND c.queued_at >= {dialect.typed(':start')} AND c.queued_at < {dialect.typed(':end')}
),
part_end AS (
  -- Each answered call's operator leaving it: the first seat change off the call after the answer
  -- (seat changes are read from the period's start to a day after its end, by their index on the
  -- time: no operator's part of a call lasts longer).
  SELECT o.id, MIN(s.at) AS at
    FROM offered o JOIN operator_seat_change s ON s.call_sid = o.call_sid
   WHERE s.at >= {dialect.typed(':start')} AND s.at <= {plus(dialect.typed(':end'), 'day')}
     AND s.previous = '{ON_CALL}' AND s.state <> '{ON_CALL}' AND s.at >= o.answered_at
   GROUP BY o.id
),
marked AS (
  SELECT o.*, p.at AS part_ended_at,
         CASE WHEN o.caller_e164 IS NOT NULL AND EXISTS (
                SELECT 1 FROM callback b JOIN callback_attempt a ON a.callback_id = b.id
                 WHERE b.phone_e164 = o.caller_e164 AND b.purpose IN ({_quoted(QUEUE_CALLBACKS)})
                   AND a.result IN ({_quoted(REACHED)})
                   AND a.placed_at >= o.queued_at AND a.placed_at <= {plus('o.queued_at', 'day')})
              THEN 1 ELSE 0 END AS called_back,
         CASE WHEN o.caller_e164 IS NOT NULL AND EXISTS (
                SELECT 1 FROM call l
                 WHERE l.caller_e164 = o.caller_e164 AND l.direction = 'inbound' AND l.id <> o.id
                   AND l.operator_joined_at > o.queued_at AND l.operator_joined_at <= {plus('o.queued_at', 'day')})
              THEN 1 ELSE 0 END AS answered_later
    FROM offered o LEFT JOIN part_end p ON p.id = o.id
)
SELECT id, line_id, operator, queued_at,
       CASE WHEN answered_at IS NOT NULL THEN 1 ELSE 0 END AS answered,
       CASE WHEN answered_at IS NULL AND (queue_result = 'hangup' OR (ended_at IS NOT NULL AND
                 COALESCE(queue_result, '') NOT IN ({_quoted((LEFT_FOR_CALLBACK_RESULT, *REFUSED_RESULTS))})))
            THEN 1 ELSE 0 END AS abandoned,
       CASE WHEN answered_at IS NULL AND queue_result = '{LEFT_FOR_CALLBACK_RESULT}' THEN 1 ELSE 0 END AS left_queue,
       CASE WHEN answered_at IS NOT NULL AND answered_at <= {plus('queued_at', 'fifteen')} THEN 1 ELSE 0 END
         AS within_15s,
       CASE WHEN answered_at IS NOT NULL OR called_back = 1 OR answered_later = 1 THEN 1 ELSE 0 END AS connected,
       {micros('answered_at', 'queued_at')} AS wait_micros,
       {micros('COALESCE(part_ended_at, ended_at)', 'answered_at')} AS handling_micros
  FROM marked
 ORDER BY queued_at, id
"""


_CALLBACKS = f"""
SELECT b.id, b.line_id, b.created_at, CASE WHEN b.status = 'completed' THEN 1 ELSE 0 END
  FROM callback b
 WHERE b.purpose IN ({_quoted(QUEUE_CALLBACKS)}) AND b.created_at >= :start AND b.created_at < :end
 ORDER BY b.created_at, b.id
"""


_REFUSALS = """
SELECT c.id, c.line_id, c.operator_refused_at, c.operator_refused_reason
  FROM call c
 WHERE c.direction = 'inbound' AND c.operator_refused_at >= :start AND c.operator_refused_at < :end
 ORDER BY c.operator_refused_at, c.id
"""


def call_marks(session: Session, period: Period) -> tuple[list[CallMarks], list[CallbackMarks]]:
    """The period's offered calls, each marked, and the queue callbacks owed in it."""
    dialect = Dialect.of(session)
    params = {"start": dialect.time(period.start), "end": dialect.time(period.end),
              "fifteen": dialect.duration(ANSWER_WITHIN), "day": dialect.duration(CONNECT_WITHIN)}
    if dialect.name == "postgresql":
        # Compiling the statement just in time costs more than it saves (a fifth of a month's time).
        session.execute(text("SET LOCAL jit = off"))
    calls = [
        CallMarks(call_id, line_id, operator, _read(dialect, queued_at), bool(answered), bool(abandoned),
                  bool(left), bool(within), bool(connected), _seconds(wait), _seconds(handling))
        for call_id, line_id, operator, queued_at, answered, abandoned, left, within, connected, wait, handling
        in session.execute(text(_calls_statement(dialect)), params)]
    callbacks = [CallbackMarks(callback_id, line_id, _read(dialect, owed_at), bool(made))
                 for callback_id, line_id, owed_at, made in session.execute(
                     text(_CALLBACKS.replace(":start", dialect.typed(":start")).replace(":end", dialect.typed(":end"))),
                     {"start": params["start"], "end": params["end"]})]
    return calls, callbacks


def refusal_marks(session: Session, period: Period) -> list[RefusalMarks]:
    """The period's calls refused a person, by their first refusal (on its index)."""
    dialect = Dialect.of(session)
    statement = _REFUSALS.replace(":start", dialect.typed(":start")).replace(":end", dialect.typed(":end"))
    return [RefusalMarks(call_id, line_id, _read(dialect, refused_at), reason)
            for call_id, line_id, refused_at, reason in session.execute(
                text(statement), {"start": dialect.time(period.start), "end": dialect.time(period.end)})]


def call_reports(session: Session, period: Period, time_zone: str, by=("line", "operator", "day", "hour")
                 ) -> dict[str, CallReport]:
    """The period's call-centre reports, one per grouping, from one reading of the marks (and one
    total row, which every grouping shares)."""
    calls, callbacks = call_marks(session, period)
    refusals = refusal_marks(session, period)
    total = None
    reports = {}
    for name in by:
        reports[name] = call_report(period, name, calls, callbacks, time_zone, total=total, refusals=refusals)
        total = reports[name].all
    return reports


def _read(dialect: Dialect, value) -> datetime:
    return value if isinstance(value, datetime) and value.tzinfo is not None else dialect.read(value)


def _seconds(micros) -> float | None:
    """Microseconds to seconds, as ``timedelta.total_seconds()`` gives them."""
    return None if micros is None else int(micros) / 10**6
