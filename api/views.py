"""The JSON API under /api/v1 for the console, departments and integrations.

Views read the request (``api.params``), call one service, and render JSON
(``api.representations``).  Refusals become JSON errors in ``api.errors``;
who may call what is in ``api.auth`` and the OpenAPI document
(``api.openapi``), served at /api/v1/openapi.json.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from flask import Blueprint, Response, request

from api import errors, params, services
from api.auth import SEES_PHONE_NUMBERS, current_principal, lifecycle_role, requires
from api.errors import ApiError
from api.openapi import document
from api.representations import case_detail, case_item, event_item, list_of, page_of, task_item
from api.responses import json_response
from cases import inspections
from cases.lifecycle import Transition
from cases.merging import Merge, Split
from database import db
from dispatch import services as dispatch
from dispatch.services import QUEUED
from wiring import services as app_services

bp = Blueprint("api", __name__, url_prefix=errors.PREFIX)
errors.install(bp)

READ_QUEUES = ("operator", "dispatcher", "supervisor", "admin", "department")
READ_TASKS = ("operator", "dispatcher", "supervisor", "admin", "inspector")
TRANSITION_FIELDS = {"action": str, "reason": str, "note": str, "review_date": date, "department": str,
                     "to": str, "category": str}
RESULT_FIELDS = {"result": str, "note": str}
MERGE_FIELDS = {"into": str, "note": str}
SPLIT_FIELDS = {"description": str, "category": str, "location": str, "note": str}


@bp.get("/openapi.json")
def openapi_document():
    return json_response(document())


@bp.get("/me")
@requires()
def whoami():
    principal = current_principal()
    return json_response({"name": principal.name, "role": principal.role,
                          "lifecycle_role": lifecycle_role(principal), "department": principal.department_code})


# --- cases --------------------------------------------------------------------

@bp.get("/cases")
@requires()
def list_cases():
    time_zone = app_services().hotline.default_line().time_zone
    query = params.case_query(request.args, time_zone)
    query = replace(query, department=_confined(query.department))
    page = services.search_cases(db.session(), query, app_services().now())
    return json_response(page_of(page, lambda case: case_item(case, app_services().config), "api.list_cases"))


@bp.get("/cases/<number>")
@requires()
def get_case(number: str):
    session = db.session()
    case = services.case_for(session, current_principal(), number)
    detail = _detail(session, case, current_principal())
    session.commit()
    return json_response(detail)


@bp.get("/cases/<number>/events")
@requires()
def case_events(number: str):
    case = services.case_for(db.session(), current_principal(), number)
    return json_response(list_of(case.events, event_item))


@bp.post("/cases/<number>/transitions")
@requires()
def take_transition(number: str):
    body = params.fields(params.json_object(request), TRANSITION_FIELDS)
    if not (body["action"] or "").strip():
        raise ApiError(422, "action_required", "say which step to take: action is required", field="action")
    principal = current_principal()
    step = Transition(action=body["action"].strip(), actor=principal.actor, role=lifecycle_role(principal),
                      at=app_services().now(), reason=body["reason"], note=body["note"],
                      review_date=body["review_date"],
                      department=body["department"], to=body["to"], category=body["category"])
    session = db.session()
    try:
        case = services.transition_as(session, app_services().config, principal, number, step)
    except services.UnknownDepartment as error:
        raise ApiError(422, "unknown_department", str(error), field="department") from None
    detail = _detail(session, case, principal)
    session.commit()
    return json_response(detail)


@bp.post("/cases/<number>/merge")
@requires()
def merge_case(number: str):
    body = params.fields(params.json_object(request), MERGE_FIELDS)
    into = (body["into"] or "").strip()
    if not into:
        raise ApiError(422, "into_required", "say which case this one duplicates: into is required", field="into")
    principal = current_principal()
    session = db.session()
    target = services.merge_as(session, principal, number, into,
                               Merge(principal.actor, lifecycle_role(principal), app_services().now(), body["note"]))
    detail = _detail(session, target, principal)
    session.commit()
    return json_response(detail)


@bp.post("/cases/<number>/split")
@requires()
def split_case(number: str):
    body = params.fields(params.json_object(request), SPLIT_FIELDS)
    principal = current_principal()
    session = db.session()
    new = services.split_as(session, app_services().config, principal, number, Split(
        principal.actor, lifecycle_role(principal), app_services().now(), body["description"] or "",
        body["category"], body["location"], body["note"]))
    detail = _detail(session, new, principal)
    session.commit()
    return json_response(detail, 201, {"Location": detail["links"]["self"]})


@bp.post("/cases/<number>/claim")
@requires("department")
def claim_case(number: str):
    principal = current_principal()
    session = db.session()
    case = dispatch.claim(session, app_services().config, number, principal.department_code, principal.actor,
                          app_services().now())
    detail = _detail(session, case, principal)
    session.commit()
    return json_response(detail)


# --- departments' queues ---------------------------------------------------------

@bp.get("/departments/<code>/queue")
@requires(*READ_QUEUES)
def department_queue(code: str):
    _confined(code)
    page_number, per_page = params.page_args(request.args)
    wanted = params.statuses(request.args, allowed=QUEUED) or QUEUED
    try:
        page = services.department_queue(db.session(), app_services().config, code, wanted, page_number, per_page)
    except services.UnknownDepartment as error:
        raise ApiError(404, "department_not_found", str(error)) from None
    return json_response(page_of(page, lambda case: case_item(case, app_services().config), "api.department_queue",
                                 code=code))


@bp.post("/departments/<code>/queue/claim")
@requires("department")
def claim_next(code: str):
    principal = current_principal()
    _confined(code)
    session = db.session()
    case = dispatch.claim_next(session, app_services().config, code, principal.actor, app_services().now())
    if case is None:
        session.rollback()
        return Response(status=204)
    detail = _detail(session, case, principal)
    session.commit()
    return json_response(detail)


# --- inspectors' tasks --------------------------------------------------------------

@bp.get("/tasks")
@requires(*READ_TASKS)
def list_tasks():
    kind = params.task_kind(request.args)
    page_number, per_page = params.page_args(request.args)
    page = services.open_task_page(db.session(), kind, page_number, per_page)
    return json_response(page_of(page, lambda task: task_item(task, app_services().config), "api.list_tasks"))


@bp.post("/tasks/<int:task_id>/result")
@requires("inspector")
def report_task_result(task_id: int):
    body = params.fields(params.json_object(request), RESULT_FIELDS)
    session = db.session()
    task = services.find_task(session, task_id)
    if task is None:
        raise ApiError(404, "task_not_found", f"no inspector task {task_id}")
    if not (body["result"] or "").strip():
        raise ApiError(422, "result_required", f"say what was found: result is one of "
                                               f"{', '.join(inspections.RESULTS[task.kind])}", field="result")
    principal = current_principal()
    try:
        case = inspections.report_result(session, app_services().config, task_id, body["result"].strip(),
                                         principal.actor, app_services().now(), note=body["note"])
    except inspections.TaskError as error:
        if task.status != "open":
            raise ApiError(409, "task_closed", str(error)) from None
        raise ApiError(422, "bad_result", str(error), field="result") from None
    detail = _detail(session, case, principal)
    session.commit()
    return json_response(detail)


# --- helpers ----------------------------------------------------------------------

def _detail(session, case, principal) -> dict:
    """One case for the caller; whole numbers only for those who may see them, and audited."""
    full_numbers = principal.role in SEES_PHONE_NUMBERS
    if full_numbers:
        services.record_numbers_shown(session, principal, case, app_services().now(), "api")
    return case_detail(case, app_services().config, principal, full_numbers=full_numbers)


def _confined(department_code: str | None) -> str | None:
    try:
        return services.confine(current_principal(), department_code)
    except services.OutsideDepartment as error:
        raise ApiError(403, "forbidden", str(error)) from None

