"""What the JSON API asks of the database that no other package's service
answers: searching cases a page at a time, counting a queue, paging
inspectors' tasks, and keeping department staff to their own cases.

Each function takes a session; the steps themselves are taken by
``cases.workflow``, ``dispatch.services`` and ``cases.inspections``.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from accounts.services import Principal, audit
from call_log.phones import mask_text
from cases.lifecycle import Transition
from cases.merging import Merge, Split
from cases.models import Case, InspectorTask
from cases.services import merge_case, split_case
from cases.workflow import CaseNotFound, apply_to, load_for_update
from config.catalog import HotlineConfig
from dispatch.services import QUEUED, queue

# Statuses in which a case's time limit is still running: past due_at in
# one of these, a case is overdue (the same set ``flag_overdue`` escalates).
RUNNING = ("intake", "verifying", "filed", "dispatched", "handling", "returned")

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class CaseQuery:
    q: str | None = None
    statuses: tuple[str, ...] = ()
    department: str | None = None
    category: str | None = None
    line: str | None = None
    channel: str | None = None
    overdue: bool | None = None
    created_from: datetime | None = None     # inclusive
    created_to: datetime | None = None       # exclusive
    page: int = 1
    per_page: int = 20


class UnknownDepartment(LookupError):
    pass


class OutsideDepartment(PermissionError):
    """Department staff asked about another department."""


def confine(principal: Principal, department_code: str | None) -> str | None:
    """The department a principal's search or queue is limited to: their own
    for department staff (refusing any other), else what they asked for."""
    if principal.role != "department":
        return department_code
    if department_code not in (None, principal.department_code):
        raise OutsideDepartment(f"department staff of {principal.department_code} may only see "
                                f"{principal.department_code}'s cases, not {department_code}'s")
    return principal.department_code


def may_see(principal: Principal, case: Case) -> bool:
    return principal.role != "department" or case.department_code == principal.department_code


def search_cases(session: Session, query: CaseQuery, now: datetime) -> Page[Case]:
    """Cases matching every filter, newest first."""
    conditions = []
    if query.q:
        conditions.append(or_(Case.number.icontains(query.q, autoescape=True),
                              Case.description.icontains(query.q, autoescape=True),
                              Case.location_text.icontains(query.q, autoescape=True)))
    if query.statuses:
        conditions.append(Case.status.in_(query.statuses))
    for column, value in ((Case.department_code, query.department), (Case.category_code, query.category),
                          (Case.line_id, query.line), (Case.channel, query.channel)):
        if value:
            conditions.append(column == value)
    if query.overdue is True:
        conditions.append(Case.due_at < now)
        conditions.append(Case.status.in_(RUNNING))
    elif query.overdue is False:
        conditions.append(or_(Case.due_at.is_(None), Case.due_at >= now, Case.status.not_in(RUNNING)))
    if query.created_from:
        conditions.append(Case.created_at >= query.created_from)
    if query.created_to:
        conditions.append(Case.created_at < query.created_to)
    statement = (select(Case).where(*conditions).options(selectinload(Case.complainants))
                 .order_by(Case.created_at.desc(), Case.id.desc()))
    return _page(session, statement, query.page, query.per_page)


def case_for(session: Session, principal: Principal, number: str) -> Case:
    """The case, if this principal may see it; department staff are told
    nothing of other departments' cases."""
    case = session.scalars(select(Case).where(Case.number == number)).one_or_none()
    if case is None or not may_see(principal, case):
        raise CaseNotFound(f"no case numbered {number}")
    return case


def record_numbers_shown(session: Session, principal: Principal, case: Case, now: datetime, where: str) -> None:
    """Whole phone numbers of this case are about to be shown to ``principal``:
    if it holds any (a complainant's, or one inside its free text), the
    audit log says who saw them, where and when."""
    numbers = [n for c in case.complainants for n in (c.phone_e164, c.callback_number) if n]
    texts = [t for t in (case.description, case.location_text, case.status_reason) if t]
    if numbers or any(mask_text(text) != text for text in texts):
        audit(session, principal, "view_number", case.number, now, detail=where)


def transition_as(session: Session, config: HotlineConfig, principal: Principal, number: str,
                  request: Transition) -> Case:
    """Take one step on a case as this principal; refused steps raise and
    change nothing (the caller rolls back)."""
    if request.department is not None and request.department not in config.departments:
        raise UnknownDepartment(f"no department {request.department!r}")
    case = load_for_update(session, number)
    if not may_see(principal, case):
        raise CaseNotFound(f"no case numbered {number}")
    return apply_to(session, config, case, request)


def merge_as(session: Session, principal: Principal, number: str, into: str, request: Merge) -> Case:
    """Merge case ``number`` into case ``into`` as this principal (both must be
    cases they may see); the case the duplicate joined."""
    for each in (number, into):
        case_for(session, principal, each)
    return merge_case(session, number, into, request)


def split_as(session: Session, config: HotlineConfig, principal: Principal, number: str, request: Split) -> Case:
    """Split a second problem off case ``number`` as this principal; the new case."""
    case_for(session, principal, number)
    return split_case(session, config, number, request)


def department_queue(session: Session, config: HotlineConfig, department_code: str,
                     statuses: tuple[str, ...] = QUEUED, page: int = 1, per_page: int = 20) -> Page[Case]:
    """A department's queue in the order it is worked (``dispatch.services.queue``)."""
    if department_code not in config.departments:
        raise UnknownDepartment(f"no department {department_code!r}")
    items = queue(session, department_code, statuses=statuses, limit=per_page, offset=(page - 1) * per_page)
    total = session.scalar(select(func.count(Case.id)).where(
        Case.department_code == department_code, Case.status.in_(statuses)))
    return Page(items, total or 0, page, per_page)


def open_task_page(session: Session, kind: str | None = None, page: int = 1,
                   per_page: int = 20) -> Page[InspectorTask]:
    """Open inspectors' tasks, oldest first (as ``cases.inspections.open_tasks``)."""
    statement = select(InspectorTask).where(InspectorTask.status == "open")
    if kind:
        statement = statement.where(InspectorTask.kind == kind)
    statement = (statement.options(selectinload(InspectorTask.case))
                 .order_by(InspectorTask.created_at, InspectorTask.id))
    return _page(session, statement, page, per_page)


def find_task(session: Session, task_id: int) -> InspectorTask | None:
    if not 0 < task_id < 2**31:
        return None          # no such row; and the database would refuse the number
    return session.get(InspectorTask, task_id)


def _page(session: Session, statement: Select, page: int, per_page: int) -> Page:
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    items = session.scalars(statement.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items, total or 0, page, per_page)
