"""Moving cases through the national workflow: one use case per function,
each taking a session.  The rules themselves live in ``cases.lifecycle``;
this module loads the case, asks the state machine, and records what it
answers: the audited event, the time limit, inspectors' tasks and the
departments' notifications, all in one transaction.
"""
from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases import lifecycle
from cases.events import CASE_CLOSED, publish
from cases.lifecycle import START, CaseView, Outcome, Transition
from cases.models import Case, CaseEvent, InspectorTask
from config.catalog import HotlineConfig
from notifications.services import NOTIFIED_ACTIONS, notify_department
from routing.rules import reroute, route
from understanding.services import learn

log = logging.getLogger(__name__)


class CaseNotFound(LookupError):
    pass


class NoDepartmentFits(ValueError):
    """Every department that could take the case has returned it."""


class UnknownDepartment(ValueError):
    pass


class UnknownCategory(ValueError):
    pass


def load_for_update(session: Session, number: str) -> Case:
    case = session.scalars(select(Case).where(Case.number == number).with_for_update()).one_or_none()
    if case is None:
        raise CaseNotFound(f"no case numbered {number}")
    return case


def view_of(case: Case) -> CaseView:
    return CaseView(status=case.status, number=case.number, priority=case.priority,
                    department_code=case.department_code, returned_by=lifecycle.returned_by(case.events),
                    category_code=case.category_code, classified=case.category_code is not None,
                    described=bool((case.description or "").strip()))


def suggested_department(config: HotlineConfig, case: Case) -> str | None:
    """Where routing would send the case now, skipping departments that returned it."""
    category = config.categories.get(case.category_code or "")
    if category is None:
        return case.department_code
    returned = lifecycle.returned_by(case.events)
    if not returned:
        return route(category, case.location_text, config.routing_rules).department
    choice = reroute(category, case.location_text, config.routing_rules, returned)
    return choice.department if choice else None


def transition(session: Session, config: HotlineConfig, number: str, request: Transition) -> Case:
    """Take one step on case ``number``; a refused step raises and changes nothing."""
    case = load_for_update(session, number)
    return apply_to(session, config, case, request)


def apply_to(session: Session, config: HotlineConfig, case: Case, request: Transition) -> Case:
    if request.action == "dispatch" and not request.department:
        department = suggested_department(config, case)
        if department is None and case.category_code is None:
            raise NoDepartmentFits(f"case {case.number} has no category, so no department is suggested; "
                                   "choose one by hand")
        if department is None:
            raise NoDepartmentFits(f"every department that fits case {case.number} has returned it; "
                                   "choose one by hand")
        request = Transition(**{**asdict(request), "department": department})
    if request.department and request.department not in config.departments:
        raise UnknownDepartment(f"there is no department {request.department!r}")
    if request.category is not None and request.category not in config.categories:
        raise UnknownCategory(f"there is no category {request.category!r}")
    outcome = lifecycle.apply(view_of(case), request)
    _record(session, config, case, request, outcome)
    return case


def _record(session: Session, config: HotlineConfig, case: Case, request: Transition, outcome: Outcome) -> None:
    at = request.at
    case.status = outcome.status
    case.department_code = outcome.department_code
    case.updated_at = at
    if request.action == "recategorise":
        _recategorise(config, case, request.category)
    event = CaseEvent(**asdict(outcome.event), role=request.role, department_code=case.department_code)
    case.events.append(event)
    if outcome.clock == START:
        _start_clock(config, case, at)
        # Each deadline stays on the event that set it, so past months'
        # indicators never change when a later restart moves due_at.
        event.data = {**(event.data or {}), "due_at": case.due_at.isoformat() if case.due_at else None}
    if request.action in ("suspend", "void", "return"):
        case.status_reason = event.note
    if request.action == "suspend":
        case.review_date = request.review_date
    if request.action in ("reactivate", "reopen", "dispatch"):
        case.status_reason = None
        case.review_date = None
    if request.action == "claim":
        case.claimed_by, case.claimed_at = request.actor, at
    elif request.action in ("dispatch", "return", "rework", "suspend", "void", "reopen"):
        case.claimed_by = case.claimed_at = None
    _tasks(case, request, outcome)
    _learn(session, case, request)
    if request.action in NOTIFIED_ACTIONS:
        notify_department(session, config, outcome.department_code, f"case.{request.action}",
                          notification_of(case, event), at)
    session.flush()
    if request.action == "close":
        publish(CASE_CLOSED, session=session, config=config, case=case, event=event, at=at)
    log.info("case %s: %s by %s (%s), %s -> %s", case.number, request.action, request.actor, request.role,
             outcome.event.from_status, outcome.status)


def _recategorise(config: HotlineConfig, case: Case, code: str) -> None:
    """The right category brings its department (until a department holds
    the case), its priority and its time limit."""
    category = config.categories[code]
    case.category_code = code
    caller_urgent = any((e.data or {}).get("caller_urgent") for e in case.events if e.action == "intake")
    case.priority = "urgent" if caller_urgent else category.priority
    if case.status != "returned":
        case.department_code = route(category, case.location_text, config.routing_rules).department
    if case.clock_started_at is not None and case.department_code:
        case.due_at = category.time_limit.due(case.clock_started_at, config.calendar_of(case.department_code))


def _learn(session: Session, case: Case, request: Transition) -> None:
    """A person's word on what a report is about is a labelled example for
    the classifier: a correction, or filing the case as it stands."""
    if not case.category_code or request.role == "system":
        return
    if request.action == "recategorise":
        learn(session, case.id, case.description, case.category_code, "correction", request.actor, request.at)
    elif request.action == "file":
        learn(session, case.id, case.description, case.category_code, "confirmation", request.actor, request.at)


def _start_clock(config: HotlineConfig, case: Case, at: datetime) -> None:
    category = config.categories.get(case.category_code or "")
    department = case.department_code or (category.department if category else None)
    if category is None or department is None:
        return
    case.clock_started_at = at
    case.due_at = category.time_limit.due(at, config.calendar_of(department))
    case.overdue_flagged_at = None


def _tasks(case: Case, request: Transition, outcome: Outcome) -> None:
    """Open and close inspectors' tasks as the case moves."""
    at = request.at
    for task in case.tasks:
        finishes = (task.kind == "verify" and outcome.event.from_status == "verifying") or \
                   (task.kind == "check" and outcome.event.from_status == "disposed")
        if task.status == "open" and finishes and outcome.status not in ("verifying", "disposed"):
            task.status = "done" if request.role == "inspector" else "cancelled"
            task.result = task.result or request.action
            task.completed_at = at
    if outcome.status == "verifying" and outcome.event.from_status != "verifying":
        case.tasks.append(InspectorTask(kind="verify", status="open", created_at=at,
                                        reason=outcome.event.note or request.action))
    if outcome.status == "disposed":
        case.tasks.append(InspectorTask(kind="check", status="open", created_at=at, reason=outcome.event.note))


def notification_of(case: Case, event: CaseEvent) -> dict:
    """What a department's system is told of a case event (the outbox's payload)."""
    return {
        "case": {"number": case.number, "status": case.status, "category": case.category_code,
                 "priority": case.priority, "description": case.description, "location": case.location_text,
                 "due_at": case.due_at.isoformat() if case.due_at else None},
        "event": {"action": event.action, "from": event.from_status, "to": event.to_status, "note": event.note,
                  "actor": event.actor, "at": event.at.isoformat()},
    }


def flag_overdue(session: Session, now: datetime, limit: int = 1000) -> list[Case]:
    """Flag cases past their due time for the supervisor, once each.

    Run by the scheduler and by ``flask --app app case overdue``.
    """
    query = (
        select(Case).where(Case.due_at < now, Case.overdue_flagged_at.is_(None),
                           Case.status.in_(("intake", "verifying", "filed", "dispatched", "handling", "returned")))
        .order_by(Case.due_at).limit(limit).with_for_update(skip_locked=True)
    )
    flagged = list(session.scalars(query))
    for case in flagged:
        case.overdue_flagged_at = now
        case.events.append(CaseEvent(
            at=now, actor="system", role="system", action="overdue", from_status=case.status,
            to_status=case.status, department_code=case.department_code,
            note=f"past its time limit (due {case.due_at.isoformat()}); escalated to the supervisor",
        ))
    session.flush()
    return flagged
