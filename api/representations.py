"""The JSON shapes of the API: cases, their events, inspectors' tasks and
pages of them.  The OpenAPI document (``api.openapi``) describes exactly
these; change both together."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from urllib.parse import urlencode

from flask import request, url_for

from accounts.services import Principal
from api.auth import lifecycle_role
from api.services import Page
from call_log.phones import mask_dialable
from cases import merging
from cases.lifecycle import allowed_actions
from cases.models import Case, CaseEvent, InspectorTask
from cases.summaries import case_summary
from cases.workflow import suggested_department
from config.catalog import HotlineConfig

# Statuses from which a dispatcher chooses a department.
_DISPATCHABLE = ("filed", "returned")


def case_item(case: Case, config: HotlineConfig, *, full_numbers: bool = False) -> dict:
    """A case in a list: the summary, with complainants' numbers masked, and
    numbers inside its free text too (what callers say often holds one)."""
    shown = _as_is if full_numbers else _masked
    return {
        **case_summary(case, config, full_numbers=full_numbers),
        "description": shown(case.description),
        "location": shown(case.location_text),
        "status_reason": shown(case.status_reason),
        "review_date": case.review_date.isoformat() if case.review_date else None,
        "claimed_by": case.claimed_by,
        "claimed_at": _iso(case.claimed_at),
        "overdue_flagged_at": _iso(case.overdue_flagged_at),
        "updated_at": _iso(case.updated_at),
        "links": {"self": url_for("api.get_case", number=case.number),
                  "events": url_for("api.case_events", number=case.number)},
    }


def case_detail(case: Case, config: HotlineConfig, principal: Principal, *, full_numbers: bool) -> dict:
    """One case as this principal may see it, with the steps they may take;
    whole phone numbers only when ``full_numbers`` (the view audits it)."""
    role = lifecycle_role(principal)
    detail = {
        **case_item(case, config, full_numbers=full_numbers),
        "allowed_actions": list(allowed_actions(case.status, role)),
        "tasks": [task_item(task, config, with_case=False) for task in case.tasks],
        "suggested_department": suggested_department(config, case) if case.status in _DISPATCHABLE else None,
    }
    detail["links"]["transitions"] = url_for("api.take_transition", number=case.number)
    if merging.may_merge(case.status, role):
        detail["links"]["merge"] = url_for("api.merge_case", number=case.number)
    if merging.may_split(case.status, role):
        detail["links"]["split"] = url_for("api.split_case", number=case.number)
    return detail


def event_item(event: CaseEvent) -> dict:
    """An event in a case's history, a list: numbers in its note and data are masked."""
    return {
        "id": event.id,
        "at": _iso(event.at),
        "actor": event.actor,
        "role": event.role,
        "action": event.action,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "department": event.department_code,
        "note": _masked(event.note),
        "data": _masked_data(event.data or {}),
    }


def _masked_data(value):
    """An event's data with every text in it masked (an edit keeps a number's before and after)."""
    if isinstance(value, str):
        return _masked(value)
    if isinstance(value, dict):
        return {name: _masked_data(item) for name, item in value.items()}
    if isinstance(value, list):
        return [_masked_data(item) for item in value]
    return value


def task_item(task: InspectorTask, config: HotlineConfig, *, with_case: bool = True) -> dict:
    item = {
        "id": task.id,
        "kind": task.kind,
        "status": task.status,
        "reason": _masked(task.reason),
        "assigned_to": task.assigned_to,
        "result": task.result,
        "note": _masked(task.note),
        "created_at": _iso(task.created_at),
        "completed_at": _iso(task.completed_at),
    }
    if with_case:
        case = task.case
        item["case"] = {"number": case.number, "status": case.status, "category": case.category_code,
                        "department": case.department_code, "description": _masked(case.description),
                        "location": _masked(case.location_text),
                        "links": {"self": url_for("api.get_case", number=case.number)}}
    return item


def page_of(page: Page, render: Callable, endpoint: str, **view_args) -> dict:
    """A page of items with its links; the links keep the request's filters.

    The query is encoded here rather than by ``url_for``, which would take a
    client's ``_anchor``, ``_external`` or ``_scheme`` as its own arguments."""
    path = url_for(endpoint, **view_args)
    kept = [(name, value) for name, value in request.args.items(multi=True) if name not in ("page", "per_page")]

    def link(number: int) -> str:
        return path + "?" + urlencode([*kept, ("page", number), ("per_page", page.per_page)])

    links = {"self": link(page.page), "first": link(1), "last": link(page.pages),
             "prev": link(page.page - 1) if page.page > 1 else None,
             "next": link(page.page + 1) if page.page < page.pages else None}
    return {"items": [render(item) for item in page.items], "total": page.total, "page": page.page,
            "per_page": page.per_page, "pages": page.pages, "links": links}


def list_of(items: Iterable, render: Callable) -> dict:
    return {"items": [render(item) for item in items]}


def _masked(text: str | None) -> str | None:
    return mask_dialable(text) if text else text


def _as_is(text: str | None) -> str | None:
    return text


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None
