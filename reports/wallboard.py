"""The wallboard's figures (话务大屏): today's call-centre figures so far, from the same marks as
the monthly assessment (``reports.callcentre_sql``), and the queues and seats as they are now.

"Today" is the local day in the centre's time zone. Callers waiting now are those the live board
counts as waiting (live, in a queue, not yet out of it); the longest of them has waited since
they first joined the queue. The seats are counted by state, every answering person's seat
(``operators.seating.seats``: those who never set a state are offline).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from call_log.models import Call
from operators.board import live
from operators.seating import seats
from operators.seats import STATES
from reports.callcentre import CallReport, call_report
from reports.callcentre_sql import call_marks, refusal_marks
from routing.periods import day_of

# No caller waits in a queue for a day: looking only that far back lets the index on the time each
# caller joined a queue find those waiting, instead of reading every call (the live board's test of
# a live call alone cannot use an index).
WAITING_WITHIN = timedelta(days=1)


@dataclass(frozen=True)
class Wallboard:
    today: CallReport                 # by line; ``today.all`` is the whole centre
    at: datetime
    waiting: int                      # callers in a queue now
    longest_wait_seconds: int | None  # the one waiting longest, so far
    seats: Mapping[str, int]          # seats per state, every state listed


def wallboard(session: Session, time_zone: str, now: datetime) -> Wallboard:
    period = day_of(now, time_zone)
    calls, callbacks = call_marks(session, period)
    waiting, first = session.execute(
        select(func.count(), func.min(Call.queued_at))
        .where(live(now), Call.queued_at >= now - WAITING_WITHIN, Call.queued_at <= now,
               Call.queue_ended_at.is_(None))).one()
    longest = None
    if waiting and first is not None:
        first = first if first.tzinfo is not None else first.replace(tzinfo=now.tzinfo)
        longest = max(0, int((now - first).total_seconds()))
    counted = dict.fromkeys(STATES, 0)
    for seat in seats(session):
        counted[seat.state] = counted.get(seat.state, 0) + 1
    today = call_report(period, "line", calls, callbacks, time_zone, refusals=refusal_marks(session, period))
    return Wallboard(today, now, waiting or 0, longest, counted)
