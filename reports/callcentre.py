"""Call-centre figures (话务指标, docs/reports.md): offered, answered and abandoned calls, the share
answered within 15 seconds, the 24-hour connection rate, waits, handling times, and callbacks.

Pure domain code, as ``reports.indicators`` is for cases. The marks of each call (was it
answered, abandoned, answered within 15 s, connected within 24 h; its wait and handling time) are
computed in the database by ``reports.callcentre_sql``, the one production path; the tests hold
it to a plain Python reference of the same rules (tests/reports/callcentre_oracle.py). Here the
marks become figures: each kept as the set of calls counted over the set of calls it is made of,
grouped per line, per operator, per day and per hour of the day, the days and hours in the
centre's time zone.

The rules (the SQL follows them, docs/reports.md says them for people)
    *Offered*: an inbound call that reached an operator queue (asked for a person and was
    queued) in the period, by when it first joined the queue. A caller offered to an operator who
    did not answer and sent back to the queue keeps that first moment, and counts once.
    *Answered*: an operator joined the call (the operator's device picked up, a takeover from the
    queue, *answer next*), or a ``<Dial><Queue>`` bridged it. The answer moment is the
    operator's joining.
    *Abandoned*: not answered, and the caller hung up while waiting (in the queue, or while an
    operator's device rang for them). A caller who left the queue for a callback did not abandon.
    *Answered within 15 s*: answered no more than 15 seconds after joining the queue (GB/T 33358).
    The share is over the calls offered.
    *Connected within 24 h*: answered, or reached within 24 hours of joining the queue by a queue
    callback (a ``queue`` or ``missed`` callback to the caller's number whose call was answered),
    or answered by an operator on a later call of theirs within those 24 hours. The share is over
    the calls offered; the standard asks for at least 95%.
    *Wait*: joining the queue to the answer, per answered call.
    *Handling time*: the answer to the end of the operator's part (their seat leaving the call for
    wrap-up; the end of the call when no seat recorded it), per answered call whose part ended.
    *Callbacks owed*: queue and missed callbacks owed in the period; *made*: those of them that
    reached the caller.
    *Refused*: an inbound call whose caller asked for a person and was refused by the operators'
    desk (the line closed, the queue full, the wait too long), by the moment of its first refusal
    and that refusal's reason, counted once however often the caller was refused in the call. A
    refused call is not offered; one that later joined the queue in the same call is offered too
    (each in the row of its own moment). *Asked for a person*: offered or refused, once; the
    refusal rate is refused over asked. By operator, refused calls are in the total row only.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo

from reports.indicators import ALL, Figure
from routing.periods import Period

ANSWER_WITHIN = timedelta(seconds=15)       # GB/T 33358: a person answers within 15 seconds
CONNECT_WITHIN = timedelta(hours=24)        # ... and connects at least 95% of callers within 24 hours
TARGETS: Mapping[str, Decimal] = {"connection_rate_24h": Decimal(95)}

# How a wait in the queue ended, as Twilio's <Enqueue action> says (QueueResult): "leave" is the
# caller pressing 1 for a callback; the others are the queue refusing them, not the caller leaving.
LEFT_FOR_CALLBACK_RESULT = "leave"
REFUSED_RESULTS = ("queue-full", "error", "system-error")
BRIDGED_RESULT = "bridged"
# The callbacks owed to callers who did not get through: they asked for one in the queue, or hung up.
QUEUE_CALLBACKS = ("queue", "missed")
# A callback attempt that reached the caller (callbacks.attempts.REACHED).
REACHED = ("answered", "hung_up")

BY = ("line", "operator", "day", "hour")

CallId = int


class CallMeasure(StrEnum):
    OFFERED = "offered"
    ANSWERED = "answered"
    ABANDONED = "abandoned"
    LEFT_FOR_CALLBACK = "left_for_callback"
    ANSWERED_WITHIN_15S = "answered_within_15s"
    CONNECTED_24H = "connected_24h"
    REFUSED = "refused"                                 # asked for a person, refused by the desk
    REFUSED_CLOSED = "refused_closed"                   # ... outside the line's hours
    REFUSED_QUEUE_FULL = "refused_queue_full"           # ... the queue full
    REFUSED_WAIT_TOO_LONG = "refused_wait_too_long"     # ... the expected wait too long
    ASKED = "asked_for_person"                          # offered or refused, once


# Why the operators' desk refused a caller who asked for a person (operators.operator_desk,
# ivr.voice.OperatorDesk.reason), as call.operator_refused_reason keeps it, and each reason's measure.
REFUSED_BY_REASON: Mapping[str, CallMeasure] = {
    "closed": CallMeasure.REFUSED_CLOSED, "queue_full": CallMeasure.REFUSED_QUEUE_FULL,
    "wait_too_long": CallMeasure.REFUSED_WAIT_TOO_LONG,
}
REFUSAL_REASONS = tuple(REFUSED_BY_REASON)


CALL_MEASURES = tuple(CallMeasure)


class CallIndicator(StrEnum):
    ANSWER_RATE = "answer_rate"                    # 接通率: answered / offered
    ABANDON_RATE = "abandon_rate"                  # 放弃率: abandoned / offered
    ANSWERED_WITHIN_15S = "answered_within_15s"    # 15秒接通率: answered within 15 s / offered
    CONNECTION_RATE_24H = "connection_rate_24h"    # 24小时接通率: connected within 24 h / offered
    CALLBACKS_MADE = "callbacks_made"              # 回拨完成率: callbacks that reached the caller / owed
    REFUSAL_RATE = "refusal_rate"                  # 转人工被拒率: refused / asked for a person


@dataclass(frozen=True)
class CallMarks:
    """One offered call as the database marked it."""

    call_id: CallId
    line_id: str | None
    operator: str | None            # who answered it; None when no one did
    queued_at: datetime             # aware UTC: when it first joined the queue
    answered: bool = False
    abandoned: bool = False
    left_for_callback: bool = False
    answered_within_15s: bool = False
    connected_24h: bool = False
    wait_seconds: float | None = None       # answered calls: queue to answer
    handling_seconds: float | None = None   # answered calls whose operator's part ended


@dataclass(frozen=True)
class CallbackMarks:
    """A queue or missed callback owed in the period, and whether it reached the caller."""

    callback_id: int
    line_id: str | None
    owed_at: datetime               # aware UTC
    made: bool


@dataclass(frozen=True)
class RefusalMarks:
    """A call whose caller asked for a person and was refused, by its first refusal."""

    call_id: CallId
    line_id: str | None
    refused_at: datetime            # aware UTC
    reason: str | None              # one of REFUSAL_REASONS


@dataclass(frozen=True)
class CallRow:
    key: str | None
    calls: Mapping[CallMeasure, frozenset[CallId]]
    waits: Mapping[CallId, float]           # seconds, per answered call
    handling: Mapping[CallId, float]        # seconds, per answered call whose operator's part ended
    callbacks_owed: frozenset[int]
    callbacks_made: frozenset[int]

    def count(self, measure: CallMeasure) -> int:
        return len(self.calls[measure])

    @property
    def figures(self) -> dict[CallIndicator, Figure]:
        offered = self.calls[CallMeasure.OFFERED]

        def share(measure: CallMeasure) -> Figure:
            return Figure(self.calls[measure] & offered, offered)

        return {
            CallIndicator.ANSWER_RATE: share(CallMeasure.ANSWERED),
            CallIndicator.ABANDON_RATE: share(CallMeasure.ABANDONED),
            CallIndicator.ANSWERED_WITHIN_15S: share(CallMeasure.ANSWERED_WITHIN_15S),
            CallIndicator.CONNECTION_RATE_24H: share(CallMeasure.CONNECTED_24H),
            CallIndicator.CALLBACKS_MADE: Figure(self.callbacks_made & self.callbacks_owed, self.callbacks_owed),
            CallIndicator.REFUSAL_RATE: Figure(self.calls[CallMeasure.REFUSED] & self.calls[CallMeasure.ASKED],
                                               self.calls[CallMeasure.ASKED]),
        }

    @property
    def average_wait(self) -> float | None:
        """Seconds, over the answered calls."""
        return _mean(self.waits.values())

    @property
    def average_handling(self) -> float | None:
        """Seconds, over the answered calls whose operator's part has ended."""
        return _mean(self.handling.values())


@dataclass(frozen=True)
class CallReport:
    period: Period
    by: str                         # one of BY
    rows: tuple[CallRow, ...]       # by key; the row keyed None (no operator, no line) last
    all: CallRow                    # every call and callback of the period

    def row(self, key: str | None) -> CallRow:
        if key == ALL:
            return self.all
        for row in self.rows:
            if row.key == key:
                return row
        raise KeyError(key)


def key_of(by: str, moment: datetime, line_id: str | None, operator: str | None, zone: ZoneInfo,
           known: dict | None = None) -> str | None:
    """The row a call (or callback) belongs to: its line, its operator, its local day
    ("2026-10-09"), or its local hour of the day ("09"). ``known`` keeps the local day and hour of
    each UTC quarter-hour already seen: every time zone's offset (and every change of it) is a
    whole number of quarter-hours, so a UTC quarter-hour lies in one local day and hour."""
    if by == "line":
        return line_id
    if by == "operator":
        return operator
    if by not in ("day", "hour"):
        raise ValueError(f"cannot group calls by {by!r}; choose one of {', '.join(BY)}")
    quarter = moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)
    parts = known.get(quarter) if known is not None else None
    if parts is None:
        local = quarter.astimezone(zone)
        parts = (local.strftime("%Y-%m-%d"), local.strftime("%H"))
        if known is not None:
            known[quarter] = parts
    return parts[0] if by == "day" else parts[1]


def call_report(period: Period, by: str, calls: Iterable[CallMarks], callbacks: Iterable[CallbackMarks],
                time_zone: str, total: CallRow | None = None,
                refusals: Iterable[RefusalMarks] = ()) -> CallReport:
    """The period's figures grouped ``by`` line, operator, day or hour, and in total (``total``:
    the total row of another grouping of the same marks, to share). Callbacks and refused calls
    are no operator's: by operator they are in the total row only."""
    if by not in BY:
        raise ValueError(f"cannot group calls by {by!r}; choose one of {', '.join(BY)}")
    zone, known = ZoneInfo(time_zone), {}
    calls, callbacks, refusals = list(calls), list(callbacks), list(refusals)
    groups: dict[str | None, tuple[list[CallMarks], list[CallbackMarks], list[RefusalMarks]]] = {}
    for call in calls:
        key = key_of(by, call.queued_at, call.line_id, call.operator if call.answered else None, zone, known)
        groups.setdefault(key, ([], [], []))[0].append(call)
    if by != "operator":
        for callback in callbacks:
            key = key_of(by, callback.owed_at, callback.line_id, None, zone, known)
            groups.setdefault(key, ([], [], []))[1].append(callback)
        for refusal in refusals:
            key = key_of(by, refusal.refused_at, refusal.line_id, None, zone, known)
            groups.setdefault(key, ([], [], []))[2].append(refusal)
    keys = sorted(groups, key=lambda key: (key is None, key or ""))
    rows = tuple(_row(key, *groups[key]) for key in keys)
    return CallReport(period, by, rows, total if total is not None else _row(ALL, calls, callbacks, refusals))


def _row(key: str | None, calls: Sequence[CallMarks], callbacks: Sequence[CallbackMarks],
         refusals: Sequence[RefusalMarks] = ()) -> CallRow:
    refused = frozenset(r.call_id for r in refusals)
    sets = {
        CallMeasure.OFFERED: frozenset(c.call_id for c in calls),
        CallMeasure.ANSWERED: frozenset(c.call_id for c in calls if c.answered),
        CallMeasure.ABANDONED: frozenset(c.call_id for c in calls if c.abandoned),
        CallMeasure.LEFT_FOR_CALLBACK: frozenset(c.call_id for c in calls if c.left_for_callback),
        CallMeasure.ANSWERED_WITHIN_15S: frozenset(c.call_id for c in calls if c.answered_within_15s),
        CallMeasure.CONNECTED_24H: frozenset(c.call_id for c in calls if c.connected_24h),
        CallMeasure.REFUSED: refused,
        **{measure: frozenset(r.call_id for r in refusals if r.reason == reason)
           for reason, measure in REFUSED_BY_REASON.items()},
        CallMeasure.ASKED: frozenset(c.call_id for c in calls) | refused,
    }
    return CallRow(
        key, sets,
        {c.call_id: c.wait_seconds for c in calls if c.answered and c.wait_seconds is not None},
        {c.call_id: c.handling_seconds for c in calls if c.answered and c.handling_seconds is not None},
        frozenset(c.callback_id for c in callbacks), frozenset(c.callback_id for c in callbacks if c.made))


def _mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None


def meets_target(indicator: CallIndicator, figure: Figure) -> bool | None:
    """Whether a figure reaches the standard's target; None when there is none or no figure."""
    target = TARGETS.get(indicator.value)
    if target is None or figure.exact is None:
        return None
    return Decimal(figure.exact.numerator * 100) / Decimal(figure.exact.denominator) >= target


def seconds_text(seconds: float | None) -> str:
    """A wait or handling time as minutes and seconds, "1:05", or "–" when there is none. Rounded
    half up to the second."""
    if seconds is None:
        return "–"
    whole = int(Decimal(str(seconds)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    return f"{whole // 60}:{whole % 60:02d}"
