"""The SQL behind ``reports.sql``: the marks of the rules in ``reports.indicators``, in the database.

Two statements. The first (``concerned``) finds the cases the periods concern. The second
(``with_marks``) reads those cases' events and answers the rules' questions:

``event``        the events that matter to the rules, in order per case, each with the state it
                 left (status, holding department, latest filing, disposal and closing) and the
                 holder just before it, by one sort and one window pass.
``deadline``     each event that set a disposal deadline or voided the case, and when the next one
                 replaced it; ``falling_due`` the deadlines in force that fell due in a period
                 (disposal, and closing a check time limit later), and when each is judged: when
                 replaced, or at the period's end.
``question``     what the rules ask of a case at a moment: how it stood as a deadline passed, when
                 a deadline is judged, at the end of the period it was reported in, and when a
                 survey was answered. ``timeline`` joins each question to the last event strictly
                 before its moment (the one whose next event does not come before it), as
                 the Python reference (tests/reports/oracle.py) reads the state.
``mark``         the marks: events in a period (charged to the holder before them), the last
                 disposal in a period (handling time), the reports made in a period, the
                 deadlines, and the latest survey answer.

"The latest so far" (the holder) is a running ``max`` over a text that begins with the event's time
and id. Both databases do it the same way, which keeps one statement for both; what differs
(times, JSON, that text, passing the list of cases) is in ``Dialect``.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Sequence

from sqlalchemy.orm import Session

from reports.indicators import ANSWERS, AssessmentRules, Measure
from routing.periods import Period

# The events that may start the time-limit clock, and so carry data["due_at"]: the intake of an
# urgent case (cases.services.open_case), and filing, reactivation and reopening
# (cases.lifecycle.clock_change).
CLOCK_ACTIONS = ("intake", "file", "reactivate", "reopen")

# Event actions that are measures of their own, and the measure each one is.
EVENT_MEASURES = {
    "dispatch": Measure.DISPATCHED, "return": Measure.RETURNED, "dispose": Measure.DISPOSED,
    "rework": Measure.REWORKED, "close": Measure.CLOSED, "suspend": Measure.SUSPENDED,
    "void": Measure.VOIDED, "reopen": Measure.REOPENED,
}


# The statuses the rules ask about, coded; every other is 0.
STATUS_CODES = {"disposed": 1, "closed": 2, "suspended": 3, "voided": 4}


class Dialect:
    """What differs between PostgreSQL and SQLite: times, reading the deadline out of the event's
    JSON, the sortable text of an event, and how the list of cases is passed in."""

    name = ""
    # Planner settings for the marks statement, set for it alone (see ``run``).
    planner: dict[str, str] = {}

    def run(self, session: Session, sql: str, params: dict) -> list:
        """Execute the marks statement with the planner settings, and put them back."""
        for name, value in self.planner.items():
            session.execute(_text(f"SET LOCAL {name} = {value}"))
        try:
            return session.execute(_text(sql), params).fetchall()
        finally:
            for name in self.planner:
                session.execute(_text(f"RESET {name}"))

    @staticmethod
    def of(session: Session) -> "Dialect":
        name = session.get_bind().dialect.name
        if name == "postgresql":
            return PostgreSQL(session)
        if name == "sqlite":
            return SQLite(session)
        raise NotImplementedError(f"reports have no SQL for {name}")


class PostgreSQL(Dialect):
    name = "postgresql"
    planner = {
        # Sort and hash a month's events in memory rather than in temporary files.
        "work_mem": "'256MB'",
        # JIT compilation would cost more than it saves on a statement of this size.
        "jit": "off",
        # The row counts of the WITH queries are guesses, and a guess too low once chose a nested
        # loop for the range join of questions to events (minutes instead of a second): join
        # by hashing or merging only.
        "enable_nestloop": "off",
        # psycopg prepares a statement run five times on a connection, and PostgreSQL may then
        # plan it without looking at the list of cases: plan it afresh each time.
        "plan_cache_mode": "force_custom_plan",
        # The report's own connections already use the cores (reports.sql, database_workers).
        "max_parallel_workers_per_gather": "0",
    }

    def __init__(self, session: Session) -> None:
        pass

    def due_text(self, alias: str) -> str:
        # Exactly the expression of the index ix_case_event_due_at, so that the planner uses it.
        return f"({alias}.data ->> 'due_at')"

    def due_time(self, alias: str) -> str:
        return f"(CAST({alias}.data ->> 'due_at' AS timestamptz) AT TIME ZONE 'UTC')"

    def plus(self, expression: str, parameter: str) -> str:
        return f"({expression} + CAST(:{parameter} AS interval))"

    key_length = 32

    def key(self, alias: str) -> str:   # an event's time and id as text that sorts as they do
        return f"(to_char({alias}.at, 'YYYYMMDDHH24MISSUS') || lpad(CAST({alias}.id AS text), 12, '0'))"

    def micros(self, later: str, earlier: str) -> str:   # exact: PostgreSQL keeps microseconds
        return f"CAST(extract(epoch FROM ({later} - {earlier})) * 1000000 AS bigint)"

    def listed(self, expression: str) -> str:   # the group's values, in one order for every list
        return f"array_agg({expression})"

    def values(self, listed) -> list:
        return listed

    def cases_in(self, column: str) -> str:
        return f"{column} = ANY(CAST(:ids AS integer[]))"

    def ids(self, ids: Sequence[int]):
        return list(ids)

    def time(self, moment: datetime):
        return moment.astimezone(timezone.utc).replace(tzinfo=None)

    def duration(self, span: timedelta):
        return span

    def read(self, value) -> datetime:
        return value.replace(tzinfo=timezone.utc)

    def typed(self, parameter: str) -> str:
        return f"CAST({parameter} AS timestamp)"


class SQLite(Dialect):
    """SQLite keeps times as text in SQLAlchemy's fixed format, which sorts as the times do; two
    small functions turn the deadline's ISO text into that format and add to it exactly."""

    name = "sqlite"
    FORMAT = "%Y-%m-%d %H:%M:%S.%f"

    def __init__(self, session: Session) -> None:
        connection = session.connection().connection.driver_connection
        connection.create_function("hotline_utc", 1, _sqlite_utc, deterministic=True)
        connection.create_function("hotline_plus", 2, _sqlite_plus, deterministic=True)
        connection.create_function("hotline_micros", 2, _sqlite_micros, deterministic=True)

    def due_text(self, alias: str) -> str:
        return f"json_extract({alias}.data, '$.due_at')"

    def due_time(self, alias: str) -> str:
        return f"hotline_utc(json_extract({alias}.data, '$.due_at'))"

    def plus(self, expression: str, parameter: str) -> str:
        return f"hotline_plus({expression}, :{parameter})"

    key_length = 38

    def key(self, alias: str) -> str:
        return f"({alias}.at || printf('%012d', {alias}.id))"

    def micros(self, later: str, earlier: str) -> str:
        return f"hotline_micros({later}, {earlier})"

    def listed(self, expression: str) -> str:
        # Empty text stands for NULL, so that every list of a group keeps its order and length.
        return f"group_concat(COALESCE({expression}, ''), ',')"

    def values(self, listed: str) -> list:
        return [int(value) if value else None for value in listed.split(",")]

    def cases_in(self, column: str) -> str:
        return f"{column} IN (SELECT value FROM json_each(:ids))"

    def ids(self, ids: Sequence[int]):
        return json.dumps(list(ids))

    def time(self, moment: datetime):
        return moment.astimezone(timezone.utc).strftime(self.FORMAT)

    def duration(self, span: timedelta):
        return round(span / timedelta(microseconds=1))

    def read(self, value) -> datetime:
        return datetime.strptime(value, self.FORMAT).replace(tzinfo=timezone.utc)

    def typed(self, parameter: str) -> str:
        return parameter


def _sqlite_utc(value: str | None) -> str | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime(SQLite.FORMAT)


def _sqlite_plus(value: str | None, microseconds: int) -> str | None:
    if value is None:
        return None
    moment = datetime.strptime(value, SQLite.FORMAT) + timedelta(microseconds=microseconds)
    return moment.strftime(SQLite.FORMAT)


def _sqlite_micros(later: str | None, earlier: str | None) -> int | None:
    if later is None or earlier is None:
        return None
    span = datetime.strptime(later, SQLite.FORMAT) - datetime.strptime(earlier, SQLite.FORMAT)
    return span // timedelta(microseconds=1)


def _text(sql: str):
    from sqlalchemy import text
    return text(sql)


# --- which cases ------------------------------------------------------------------------------------

def concerned(dialect: Dialect, periods: Sequence[Period], rules: AssessmentRules,
              share: tuple[int, int] | None = None) -> tuple[str, dict]:
    """The cases moved, surveyed, or with a deadline falling due between the first period's start
    and the last one's end; with ``share`` = (n, k), only those whose id is k modulo n. Every
    case has an intake event at its creation, so "moved" covers "created". A closing deadline
    falls due a check time limit after its disposal deadline, so disposal deadlines are searched
    from that much earlier, on a coarse range of their ISO text (a day's margin either side for
    any UTC offset) that the index serves."""
    first, last = min(p.start for p in periods), max(p.end for p in periods)
    params = {"first": dialect.time(first), "last": dialect.time(last),
              "due_from": (first - rules.check_time_limit - timedelta(days=1)).date().isoformat(),
              "due_until": (last + timedelta(days=2)).date().isoformat()}
    mine = ""
    if share is not None:
        params["shares"], params["share"] = share
        mine = " AND case_id % :shares = :share"
    sql = f"""
SELECT case_id FROM case_event WHERE at >= :first AND at < :last{mine}
UNION
SELECT case_id FROM case_event e
 WHERE {dialect.due_text("e")} >= :due_from AND {dialect.due_text("e")} < :due_until AND e.at < :last{mine}
UNION
SELECT case_id FROM survey_answer WHERE answered_at >= :first AND answered_at < :last{mine}
"""
    return sql, params


# --- the marks ----------------------------------------------------------------------------------------

def with_marks(dialect: Dialect, periods: Sequence[Period], rules: AssessmentRules,
               ids: Sequence[int]) -> tuple[str, dict]:
    """A WITH clause ending with ``mark`` (idx, case_id, measure, department, micros): one row per
    mark of the cases ``ids``, duplicates included; ``micros`` is the handling time of a
    "handled" mark. Also ``concerned_case``: those cases' line, channel, category and priority."""
    params: dict = {"ids": dialect.ids(ids), "check": dialect.duration(rules.check_time_limit),
                    "first": dialect.time(min(p.start for p in periods)),
                    "last": dialect.time(max(p.end for p in periods))}
    values = []
    for index, period in enumerate(periods):
        params[f"start_{index}"], params[f"end_{index}"] = dialect.time(period.start), dialect.time(period.end)
        values.append(f"({index}, {dialect.typed(f':start_{index}')}, {dialect.typed(f':end_{index}')})")
    measured = ", ".join(f"'{action}'" for action in EVENT_MEASURES)
    event_measures = " ".join(f"WHEN '{action}' THEN '{measure.value}'" for action, measure in EVENT_MEASURES.items())
    answers = ", ".join(f"'{answer}'" for answer in sorted(ANSWERS))
    satisfied = ", ".join(f"'{answer}'" for answer in sorted(rules.satisfied_answers))
    clock_actions = ", ".join(f"'{action}'" for action in CLOCK_ACTIONS)
    special = ", ".join(f"'{status}'" for status in STATUS_CODES)
    status_code = " ".join(f"WHEN '{status}' THEN {code}" for status, code in STATUS_CODES.items())
    code = {status: f"{number}" for status, number in STATUS_CODES.items()}
    suspended_kept = "TRUE" if not rules.subtract_suspended else f"COALESCE(t.status, 0) <> {code['suspended']}"
    valid = "TRUE" if rules.voided_count_as_valid_reports else f"COALESCE(t.status, 0) <> {code['voided']}"
    in_period = "{0} >= period.start_at AND {0} < period.end_at"
    sql = f"""
WITH period (idx, start_at, end_at) AS (VALUES {", ".join(values)}),
concerned_case AS (
    SELECT id, created_at, line_id, channel, category_code, priority
      FROM case_file WHERE {dialect.cases_in("id")}
),
event AS (
    -- The events that matter to the rules, in order: handovers, filings, the steps that are
    -- measures, those entering or leaving a status the rules ask about, and those that set a
    -- deadline. The others (claims, verifications, notes) change nothing the rules read.
    -- Each carries the state it left (its own status; the latest handover, filing, disposal and
    -- closing so far) and the holder before it, from one window pass: "the latest so far" is a
    -- running max over keys that begin with the event's time and id.
    SELECT case_id, id, at, action, sent_to, due, status,
           lead(at) OVER before AS next_at,
           NULLIF(substr(COALESCE(handover, max(handover) OVER before), {dialect.key_length + 1}), '') AS holder,
           NULLIF(substr(max(handover) OVER before, {dialect.key_length + 1}), '') AS holder_before,
           COALESCE(filing, max(filing) OVER before) AS filed_at,
           COALESCE(disposal, max(disposal) OVER before) AS disposed_at,
           COALESCE(closing, max(closing) OVER before) AS closed_at
      FROM (SELECT e.case_id, e.id, e.at, e.action,
                   CASE WHEN e.action = 'dispatch' THEN e.department_code END AS sent_to,
                   CASE WHEN e.action IN ({clock_actions}) THEN {dialect.due_time("e")} END AS due,
                   CASE e.to_status {status_code} ELSE 0 END AS status,
                   CASE WHEN e.action = 'dispatch' THEN {dialect.key("e")} || COALESCE(e.department_code, '')
                        WHEN e.action = 'return' THEN {dialect.key("e")} END AS handover,
                   CASE WHEN e.action = 'file' THEN e.at END AS filing,
                   CASE WHEN e.action = 'dispose' THEN e.at END AS disposal,
                   CASE WHEN e.action = 'close' THEN e.at END AS closing
              FROM case_event e
             WHERE {dialect.cases_in("e.case_id")} AND e.at < :last
               AND (e.action IN ({measured}, 'file')
                    OR e.to_status IN ({special}) OR e.from_status IN ({special})
                    OR (e.action IN ({clock_actions}) AND {dialect.due_text("e")} IS NOT NULL))) e
    WINDOW before AS (PARTITION BY case_id ORDER BY at, id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
),
deadline AS (   -- each deadline an event set (a void sets none), and when the next one replaced it
    SELECT case_id, id AS deadline, at AS set_at, CASE WHEN action <> 'void' THEN due END AS due_at,
           lead(at) OVER (PARTITION BY case_id ORDER BY at, id) AS replaced_at
      FROM event WHERE action = 'void' OR due IS NOT NULL
),
falling_due AS (   -- a deadline in force in a period, the closing deadline after it, and when it is judged
    SELECT case_id, deadline, idx, start_at, end_at, due_at, closing_at,
           CASE WHEN replaced_at IS NOT NULL AND replaced_at < end_at THEN replaced_at ELSE end_at END AS judged_at
      FROM (SELECT d.case_id, d.deadline, d.set_at, d.due_at, d.replaced_at,
                   {dialect.plus("d.due_at", "check")} AS closing_at
              FROM deadline d WHERE d.due_at IS NOT NULL) d
      JOIN period ON d.set_at < period.end_at
       AND ({in_period.format("d.due_at")} OR {in_period.format("d.closing_at")})
),
question AS (
    -- What the rules ask of a case at a moment: how it stood as a deadline passed (disposal,
    -- closing), when the deadline is judged (judge), at the end of the period it was reported
    -- in (end), and when a survey was answered (survey).
    SELECT case_id, due_at AS at, 'disposal' AS kind, idx, deadline, due_at AS due, NULL AS answer FROM falling_due
     WHERE due_at >= start_at AND due_at < end_at AND due_at < judged_at
    UNION ALL
    SELECT case_id, closing_at, 'closing', idx, deadline, closing_at, NULL FROM falling_due
     WHERE closing_at >= start_at AND closing_at < end_at AND closing_at < judged_at
    UNION ALL
    SELECT case_id, judged_at, 'judge', idx, deadline, NULL, NULL FROM falling_due
    UNION ALL
    SELECT c.id, period.end_at, 'end', period.idx, NULL, NULL, NULL
      FROM concerned_case c JOIN period ON {in_period.format("c.created_at")}
    UNION ALL
    SELECT case_id, answered_at, 'survey', idx, NULL, NULL, answer FROM (
        SELECT s.case_id, period.idx, s.answered_at, s.answer,
               row_number() OVER (PARTITION BY s.case_id, period.idx ORDER BY s.answered_at DESC, s.id) AS latest
          FROM survey_answer s JOIN period ON {in_period.format("s.answered_at")}
         WHERE s.answered_at >= :first AND s.answered_at < :last   -- for the index on answered_at
           AND s.answer IN ({answers}) AND {dialect.cases_in("s.case_id")}
    ) ranked WHERE latest = 1   -- the latest answer in the period; unreachable is no answer
),
timeline AS (
    -- Each question with the state left by the last event strictly before its moment: the event
    -- whose moment comes before it, and whose next event does not (events of one instant pass
    -- the state along, so only the last of them qualifies).
    SELECT q.case_id, q.at, q.kind, q.idx, q.deadline, q.due, q.answer,
           e.status, e.holder, e.filed_at, e.disposed_at, e.closed_at
      FROM question q LEFT JOIN event e
        ON e.case_id = q.case_id AND e.at < q.at AND (e.next_at IS NULL OR e.next_at >= q.at)
),
judged AS (   -- when each deadline was met, if it was, as the case stood when it was judged
    SELECT case_id, deadline, idx,
           CASE WHEN status IN ({code["disposed"]}, {code["closed"]}) THEN disposed_at END AS disposed_at,
           CASE WHEN status = {code["closed"]} THEN closed_at END AS closed_at
      FROM timeline WHERE kind = 'judge'
),
passed AS (   -- each deadline as it passed: the department then holding the case is charged
    SELECT t.case_id, t.idx, t.kind, t.due, t.holder,
           CASE t.kind WHEN 'disposal' THEN j.disposed_at ELSE j.closed_at END AS met_at
      FROM timeline t JOIN judged j ON j.case_id = t.case_id AND j.deadline = t.deadline AND j.idx = t.idx
     WHERE t.kind IN ('disposal', 'closing') AND ({suspended_kept})
),
mark AS (
    SELECT period.idx, e.case_id, CASE e.action {event_measures} END AS measure,
           CASE WHEN e.action = 'dispatch' THEN e.sent_to ELSE e.holder_before END AS department, NULL AS micros
      FROM event e JOIN period ON {in_period.format("e.at")}
     WHERE e.action IN ({measured})
    UNION ALL
    SELECT idx, case_id, 'handled', holder_before, {dialect.micros("at", "filed_at")}
      FROM (SELECT period.idx, e.case_id, e.holder_before, e.filed_at, e.at,
                   row_number() OVER (PARTITION BY e.case_id, period.idx ORDER BY e.at DESC, e.id DESC) AS latest
              FROM event e JOIN period ON {in_period.format("e.at")}
             WHERE e.action = 'dispose' AND e.filed_at IS NOT NULL) disposals
     WHERE latest = 1   -- the last disposal in the period, timed from the filing before it
    UNION ALL
    SELECT t.idx, t.case_id, measure.name, NULL, NULL
      FROM timeline t JOIN (SELECT 'reported' AS name UNION ALL SELECT 'filed') measure
        ON measure.name = 'reported' OR t.filed_at IS NOT NULL
     WHERE t.kind = 'end' AND {valid}
    UNION ALL
    SELECT idx, case_id, CASE kind WHEN 'disposal' THEN 'due_for_disposal' ELSE 'due_for_closing' END, holder, NULL
      FROM passed
    UNION ALL
    SELECT idx, case_id, CASE kind WHEN 'disposal' THEN 'disposal_missed' ELSE 'closing_missed' END, holder, NULL
      FROM passed WHERE met_at IS NULL
    UNION ALL
    SELECT idx, case_id, CASE kind WHEN 'disposal' THEN 'disposal_late' ELSE 'closing_late' END, holder, NULL
      FROM passed WHERE met_at IS NULL OR met_at > due
    UNION ALL
    SELECT t.idx, t.case_id, measure.name, t.holder, NULL
      FROM timeline t JOIN (SELECT 'surveyed' AS name UNION ALL SELECT 'satisfied') measure
        ON measure.name = 'surveyed' OR t.answer IN ({satisfied})
     WHERE t.kind = 'survey'
)"""
    return sql, params
