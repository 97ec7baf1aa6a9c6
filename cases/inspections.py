"""Inspectors' tasks (监督员): verify a report on site before filing, and
check a disposal before closing.  Their result moves the case on."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.lifecycle import Transition
from cases.models import Case, CaseEvent, InspectorTask
from cases.workflow import apply_to
from config.catalog import HotlineConfig

# What an inspector may report, per task kind, and the step it takes.  A
# report found to be false is not voided by the inspector: voiding needs a
# supervisor, who sees the finding and decides.
RESULTS = {
    "verify": {"confirmed": "file", "not_found": None},
    "check": {"passed": "close", "failed": "rework"},
}


class TaskError(ValueError):
    pass


def open_tasks(session: Session, kind: str | None = None, limit: int = 100) -> list[InspectorTask]:
    query = select(InspectorTask).where(InspectorTask.status == "open")
    if kind:
        query = query.where(InspectorTask.kind == kind)
    return list(session.scalars(query.order_by(InspectorTask.created_at, InspectorTask.id).limit(limit)))


def report_result(session: Session, config: HotlineConfig, task_id: int, result: str, actor: str,
                  now: datetime, note: str | None = None) -> Case:
    """Record the inspector's finding and take the step it implies.

    verify: confirmed → file (a suspended case reactivated by a repeat
    report is filed again, ready for dispatch); not_found → the task is done
    and the case waits for a supervisor to void it.  check: passed → close;
    failed → rework.
    """
    task = session.scalars(select(InspectorTask).where(InspectorTask.id == task_id).with_for_update()).one_or_none()
    if task is None:
        raise TaskError(f"no inspector task {task_id}")
    if task.status != "open":
        raise TaskError(f"task {task_id} is already {task.status}")
    if result not in RESULTS[task.kind]:
        raise TaskError(f"a {task.kind} task's result is one of {', '.join(RESULTS[task.kind])}, not {result!r}")
    action = RESULTS[task.kind][result]
    task.result, task.assigned_to = result, task.assigned_to or actor
    case = task.case
    if action is None:
        task.status, task.completed_at, task.note = "done", now, note
        case.status_reason = "inspector found no such problem; a supervisor decides whether to void"
        case.events.append(CaseEvent(
            at=now, actor=actor, role="inspector", action="inspection", from_status=case.status,
            to_status=case.status, department_code=case.department_code, note=note or result,
            data={"task": task.id, "result": result}))
        session.flush()
        return case
    case = apply_to(session, config, case, Transition(action, actor, "inspector", now, note=note))
    task.note = note
    return case
