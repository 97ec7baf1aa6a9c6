"""Case histories from the database, for the Python reference of the rules (tests/reports/oracle.py).

``load_histories`` reads what ``tests.reports.oracle.case_marks`` needs to know of each case that
a period concerns: the case's line, channel, category and priority, its events up to the
period's end, and its callback survey answers.

Deadlines come from the events that set them, never from ``Case.due_at``: the lifecycle writes
the deadline an event set into ``data["due_at"]`` (intake events of urgent cases; "file",
"reactivate" and "reopen" events of the others), and ``Case.due_at`` only holds the latest one.
So a past month keeps the deadlines it had. The lifecycle has no closing deadline; each disposal
deadline brings one ``AssessmentRules.check_time_limit`` later (the inspector's check).

With the oracle it is the reference: ``reports.sql`` computes the same marks in the database, and
the tests hold the two to identical reports.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta, timezone
from typing import Iterable, Iterator, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from callbacks.models import SurveyAnswer
from cases.models import Case, CaseEvent
from reports.indicators import AssessmentRules
from reports.statement import CLOCK_ACTIONS
from routing.periods import Period
from tests.reports.oracle import DISPATCH, STRICT, CaseHistory, EventRecord, Survey

# SQLite allows a few tens of thousands of bound parameters a statement; stay well below.
_CHUNK = 5000


def parse_deadline(data: dict | None) -> datetime | None:
    """The disposal deadline an event set (``data["due_at"]``, ISO 8601), as aware UTC."""
    text = (data or {}).get("due_at")
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:   # the lifecycle writes aware times; read a naive one as UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def event_record(event: CaseEvent, rules: AssessmentRules) -> EventRecord:
    due = parse_deadline(event.data) if event.action in CLOCK_ACTIONS else None
    return EventRecord(
        at=event.at, action=event.action, from_status=event.from_status, to_status=event.to_status,
        # After a dispatch, the event's department is where the case was sent.
        department=event.department_code if event.action == DISPATCH else None,
        disposal_due_at=due, closing_due_at=None if due is None else due + rules.check_time_limit,
    )


def load_histories(session: Session, period: Period, rules: AssessmentRules = STRICT, *,
                   everything: bool = False) -> list[CaseHistory]:
    """The histories of the cases ``period`` concerns, read up to its end, in case id order.

    ``everything`` loads every case created before the period's end instead: slow on a big
    database, and a check that the narrower choice leaves no case out.
    """
    if everything:
        ids = session.scalars(select(Case.id).where(Case.created_at < period.end).order_by(Case.id)).all()
    else:
        ids = sorted(concerned_case_ids(session, period, rules))
    return list(_histories(session, ids, period.end, rules))


def concerned_case_ids(session: Session, period: Period, rules: AssessmentRules) -> set[int]:
    """Cases created, moved or surveyed in the period, or with a deadline falling due in it.

    Every case has an intake event at its creation (``cases.services.open_case``), so "moved"
    covers "created". A closing deadline falls due ``check_time_limit`` after its disposal
    deadline, so disposal deadlines are searched from that much before the period.
    """
    ids: set[int] = set(session.scalars(
        select(CaseEvent.case_id).where(CaseEvent.at >= period.start, CaseEvent.at < period.end).distinct()))
    ids.update(session.scalars(select(SurveyAnswer.case_id).where(
        SurveyAnswer.answered_at >= period.start, SurveyAnswer.answered_at < period.end).distinct()))
    earliest = period.start - rules.check_time_limit
    due_text = CaseEvent.data["due_at"].as_string()
    # A coarse text range on the ISO date (a day's margin either side for any UTC offset), then
    # the exact test on the parsed time.
    candidates = session.execute(select(CaseEvent.case_id, CaseEvent.data).where(
        due_text >= (earliest - timedelta(days=1)).date().isoformat(),
        due_text < (period.end + timedelta(days=2)).date().isoformat(),
        CaseEvent.at < period.end))
    for case_id, data in candidates:
        due = parse_deadline(data)
        if due is not None and (earliest <= due < period.end):
            ids.add(case_id)
    return ids


def _histories(session: Session, ids: Sequence[int], end: datetime, rules: AssessmentRules) -> Iterator[CaseHistory]:
    for chunk in _chunks(ids):
        events: dict[int, list[EventRecord]] = defaultdict(list)
        for event in session.scalars(select(CaseEvent).where(CaseEvent.case_id.in_(chunk), CaseEvent.at < end)
                                     .order_by(CaseEvent.case_id, CaseEvent.at, CaseEvent.id)):
            events[event.case_id].append(event_record(event, rules))
        surveys: dict[int, list[Survey]] = defaultdict(list)
        for answer in session.scalars(
                select(SurveyAnswer).where(SurveyAnswer.case_id.in_(chunk), SurveyAnswer.answered_at < end)
                .order_by(SurveyAnswer.case_id, SurveyAnswer.answered_at, SurveyAnswer.id)):
            surveys[answer.case_id].append(Survey(answer.answered_at, answer.answer))
        rows = session.execute(select(Case.id, Case.line_id, Case.channel, Case.category_code, Case.priority,
                                      Case.created_at).where(Case.id.in_(chunk)).order_by(Case.id))
        for case_id, line_id, channel, category, priority, created_at in rows:
            yield CaseHistory(case_id, line_id, channel, category, priority, created_at,
                              disposal_due_at=None, closing_due_at=None,   # every deadline is on its event
                              events=tuple(events[case_id]), surveys=tuple(surveys[case_id]))


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start:start + _CHUNK]
