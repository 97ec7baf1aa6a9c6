"""The OpenAPI 3.1 document of /api/v1, written by hand as Python data.

Enumerations (statuses, actions, reasons, results, roles) are read from the
domain code, so the document cannot fall behind them.  Everything else is
kept in step with ``api.views`` and ``api.representations`` by the tests,
which compare the paths with the blueprint's routes and validate the
document.
"""
from __future__ import annotations

from copy import deepcopy

from api.auth import LIFECYCLE_ROLE, SEES_PHONE_NUMBERS
from api.params import DEFAULT_PER_PAGE, MAX_PER_PAGE, TASK_KINDS
from cases.inspections import RESULTS
from cases.lifecycle import ACTIONS, STATUSES, VOID_REASONS
from cases.merging import MERGEABLE
from dispatch.services import QUEUED

VERSION = "1.0.0"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(type_: str, **more) -> dict:
    return {"type": [type_, "null"], **more}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*names: str) -> dict:
    codes = {"400": "BadRequest", "401": "Unauthorized", "403": "Forbidden", "404": "NotFound",
             "409": "Conflict", "422": "Unprocessable"}
    return {code: {"$ref": f"#/components/responses/{name}"} for code, name in codes.items() if name in names}


_ROLES_TEXT = ", ".join(LIFECYCLE_ROLE)
_FULL_NUMBERS = ", ".join(role for role in LIFECYCLE_ROLE if role in SEES_PHONE_NUMBERS)

_SCHEMAS = {
    "Error": {
        "type": "object",
        "description": "Every error under /api/v1, including unknown paths (404), wrong methods (405) "
                       "and server failures (500).",
        "required": ["error"],
        "properties": {"error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "Stable, machine-readable: e.g. unauthorized, "
                         "forbidden, role_not_allowed, case_not_found, illegal_transition, reason_required, "
                         "review_date_required, bad_review_date, bad_reason, bad_field, bad_parameter.",
                         "examples": ["illegal_transition"]},
                "message": {"type": "string", "description": "For people: names the case, its status, "
                            "the step and what was wrong."},
                "field": {"type": "string", "description": "The request field or query parameter to blame, "
                          "when there is one."},
            },
        }},
    },
    "Me": {
        "type": "object",
        "required": ["name", "role", "lifecycle_role", "department"],
        "properties": {
            "name": {"type": "string"},
            "role": {"type": "string", "enum": list(LIFECYCLE_ROLE)},
            "lifecycle_role": {"type": "string", "enum": sorted(set(LIFECYCLE_ROLE.values())),
                               "description": "The role the case state machine sees: admin acts as supervisor."},
            "department": _nullable("string"),
        },
    },
    "Complainant": {
        "type": "object",
        "properties": {
            "phone": _nullable("string", description="E.164; masked (+86138****5678) unless the key's role "
                               f"is {_FULL_NUMBERS}."),
            "callback_number": _nullable("string"),
            "callback_declined": {"type": "boolean"},
        },
    },
    "Case": {
        "type": "object",
        "description": "A case as listed. Complainants' numbers are always masked in lists, and so are "
                       "phone numbers inside description, location and status_reason.",
        "required": ["number", "status", "category", "department", "priority", "created_at", "links"],
        "properties": {
            "number": {"type": "string", "examples": ["2606100001"]},
            "status": {"type": "string", "enum": list(STATUSES)},
            "line": {"type": "object", "properties": {"id": _nullable("string"), "name": _nullable("string")}},
            "channel": {"type": "string", "examples": ["hotline", "open311"]},
            "category": {"type": "object", "properties": {
                "code": _nullable("string"), "name": _nullable("string"), "name_en": _nullable("string"),
                "kind": _nullable("string", enum=["component", "event", None])}},
            "department": {"type": "object", "properties": {
                "code": _nullable("string"), "name": _nullable("string"), "name_en": _nullable("string")}},
            "priority": {"type": "string", "enum": ["urgent", "high", "normal"]},
            "description": {"type": "string"},
            "location": _nullable("string"),
            "time_limit": _nullable("string", examples=["1 working days"]),
            "due_at": _nullable("string", format="date-time"),
            "needs_operator": {"type": "boolean"},
            "after_hours": {"type": "boolean"},
            "complainants": {"type": "array", "items": _ref("Complainant")},
            "callback_number": _nullable("string"),
            "status_reason": _nullable("string", description="Why the case left the main path "
                                       "(suspend, void, return)."),
            "review_date": _nullable("string", format="date", description="When a suspended case is "
                                     "looked at again."),
            "claimed_by": _nullable("string"),
            "claimed_at": _nullable("string", format="date-time"),
            "overdue_flagged_at": _nullable("string", format="date-time"),
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": _nullable("string", format="date-time"),
            "links": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    },
    "CaseDetail": {
        "description": "One case, with the steps the caller's role may take now, its inspectors' tasks, "
                       "and where routing would dispatch it (filed or returned cases).",
        "allOf": [_ref("Case"), {
            "type": "object",
            "required": ["allowed_actions", "tasks"],
            "properties": {
                "allowed_actions": {"type": "array", "items": {"type": "string", "enum": list(ACTIONS)}},
                "tasks": {"type": "array", "items": _ref("Task")},
                "suggested_department": _nullable("string"),
            },
        }],
    },
    "Event": {
        "type": "object",
        "description": "One audited step: who, when, from, to and why.",
        "required": ["id", "at", "actor", "action", "to_status"],
        "properties": {
            "id": {"type": "integer"},
            "at": {"type": "string", "format": "date-time"},
            "actor": {"type": "string", "examples": ["api:drain-desk", "ivr", "system"]},
            "role": _nullable("string"),
            "action": {"type": "string", "description": "A lifecycle action, or intake, repeat_report, "
                       "inspection, overdue.", "examples": ["suspend"]},
            "from_status": _nullable("string"),
            "to_status": {"type": "string"},
            "department": _nullable("string"),
            "note": _nullable("string"),
            "data": {"type": "object", "description": "Details: reason, review_date, department, due_at, "
                     "redispatch, similarity of a repeat report, ..."},
        },
    },
    "Task": {
        "type": "object",
        "required": ["id", "kind", "status", "created_at"],
        "properties": {
            "id": {"type": "integer"},
            "kind": {"type": "string", "enum": list(TASK_KINDS)},
            "status": {"type": "string", "enum": ["open", "done", "cancelled"]},
            "reason": _nullable("string"),
            "assigned_to": _nullable("string"),
            "result": _nullable("string"),
            "note": _nullable("string"),
            "created_at": {"type": "string", "format": "date-time"},
            "completed_at": _nullable("string", format="date-time"),
            "case": {"type": "object", "description": "In task lists only.", "properties": {
                "number": {"type": "string"}, "status": {"type": "string"}, "category": _nullable("string"),
                "department": _nullable("string"), "description": {"type": "string"},
                "location": _nullable("string"), "links": {"type": "object"}}},
        },
    },
    "PageLinks": {
        "type": "object",
        "required": ["self", "first", "last", "prev", "next"],
        "properties": {name: _nullable("string") for name in ("self", "first", "last", "prev", "next")},
    },
    "CasePage": {
        "type": "object",
        "required": ["items", "total", "page", "per_page", "pages", "links"],
        "properties": {
            "items": {"type": "array", "items": _ref("Case")},
            "total": {"type": "integer"}, "page": {"type": "integer"}, "per_page": {"type": "integer"},
            "pages": {"type": "integer"}, "links": _ref("PageLinks"),
        },
    },
    "TaskPage": {
        "type": "object",
        "required": ["items", "total", "page", "per_page", "pages", "links"],
        "properties": {
            "items": {"type": "array", "items": _ref("Task")},
            "total": {"type": "integer"}, "page": {"type": "integer"}, "per_page": {"type": "integer"},
            "pages": {"type": "integer"}, "links": _ref("PageLinks"),
        },
    },
    "EventList": {
        "type": "object",
        "required": ["items"],
        "properties": {"items": {"type": "array", "items": _ref("Event")}},
    },
    "TransitionRequest": {
        "type": "object",
        "required": ["action"],
        "additionalProperties": False,
        "description": "One step of the case lifecycle. Which details a step needs: return needs reason; "
                       "dispose and rework need note; suspend needs reason and review_date (not in the "
                       f"past); void needs reason, one of {', '.join(VOID_REASONS)} ('other' also needs "
                       "note); reopen needs reason; dispatch takes department (default: where routing "
                       "sends it); reactivate takes to (verifying, the default, or filed); recategorise "
                       "needs category (the correction re-routes the case and becomes a training example "
                       "for the classifier).",
        "properties": {
            "action": {"type": "string", "enum": list(ACTIONS)},
            "reason": _nullable("string", examples=["该片区已列入拆迁计划"]),
            "note": _nullable("string"),
            "review_date": _nullable("string", format="date", examples=["2026-12-31"]),
            "department": _nullable("string", examples=["DRAIN"]),
            "to": _nullable("string", enum=["verifying", "filed", None]),
            "category": _nullable("string", examples=["E0404"]),
        },
    },
    "MergeRequest": {
        "type": "object",
        "required": ["into"],
        "additionalProperties": False,
        "description": "并单: the case in the path is a duplicate of the case `into`. It is voided as a duplicate, "
                       "its complainants join `into` (each person once) and both histories record it (events void, "
                       "with data.merged_into, and merged). Dispatchers and supervisors; the duplicate must be "
                       f"{', '.join(MERGEABLE)} "
                       "(a department's case is returned first), and `into` still being worked on or suspended, "
                       "on the same line.",
        "properties": {
            "into": {"type": "string", "examples": ["2610090001"]},
            "note": _nullable("string", description="Why they are the same problem."),
        },
    },
    "SplitRequest": {
        "type": "object",
        "required": ["description", "category"],
        "additionalProperties": False,
        "description": "The case in the path reported two problems: the second becomes a new case at intake, "
                       "with the same complainants, and both histories record it (events split and split_from). "
                       "Operators, dispatchers and supervisors, while the case is neither closed nor voided. The "
                       "second problem must differ from the first in category or place.",
        "properties": {
            "description": {"type": "string", "examples": ["路口的路灯也不亮"]},
            "category": {"type": "string", "examples": ["C0118"]},
            "location": _nullable("string", description="Default: the case's own place."),
            "note": _nullable("string"),
        },
    },
    "TaskResultRequest": {
        "type": "object",
        "required": ["result"],
        "additionalProperties": False,
        "properties": {
            "result": {"type": "string", "enum": sorted({r for results in RESULTS.values() for r in results}),
                       "description": "; ".join(f"{kind}: {', '.join(results)}" for kind, results in RESULTS.items())},
            "note": _nullable("string", description="What the inspector found."),
        },
    },
}

_RESPONSES = {
    "ServerError": _json(_ref("Error"), "The server failed (internal_error); the error is logged and "
                         "nothing changed."),
    "BadRequest": _json(_ref("Error"), "The request cannot be read: a bad query parameter (bad_parameter) "
                        "or a body that is not a JSON object (bad_body)."),
    "Unauthorized": {**_json(_ref("Error"), "No API key, or one that is unknown or inactive (unauthorized)."),
                     "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}}},
    "Forbidden": _json(_ref("Error"), "The key's role may not do this (forbidden, role_not_allowed), or "
                       "department staff asked about another department."),
    "NotFound": _json(_ref("Error"), "No such case, task or department (case_not_found, task_not_found, "
                      "department_not_found), or a case not in the claimer's queue (not_in_queue). Department "
                      "staff get case_not_found for other departments' cases too."),
    "Conflict": _json(_ref("Error"), "The case's status does not allow the step, or the case is not ready "
                      "for it (illegal_transition, department_already_returned, category_required, "
                      "no_department_fits, task_closed, transition_refused); nothing changed."),
    "Unprocessable": _json(_ref("Error"), "A detail is missing or wrong (action_required, unknown_action, "
                           "reason_required, note_required, review_date_required, bad_review_date, "
                           "department_required, unknown_department, bad_reason, bad_target, bad_field, "
                           "result_required, bad_result); nothing changed."),
}

_PARAMETERS = {
    "number": {"name": "number", "in": "path", "required": True, "schema": {"type": "string"},
               "description": "The case number read to the caller, e.g. 2606100001."},
    "code": {"name": "code", "in": "path", "required": True, "schema": {"type": "string"},
             "description": "A department code, e.g. DRAIN."},
    "task_id": {"name": "task_id", "in": "path", "required": True, "schema": {"type": "integer"}},
    "page": {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
    "per_page": {"name": "per_page", "in": "query",
                 "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE,
                            "default": DEFAULT_PER_PAGE}},
}


def _p(name: str) -> dict:
    return {"$ref": f"#/components/parameters/{name}"}


def _query(name: str, description: str, schema: dict | None = None, **more) -> dict:
    return {"name": name, "in": "query", "description": description, "schema": schema or {"type": "string"},
            **more}


_CASE_FILTERS = [
    _query("q", "Text found in the number, description or location."),
    _query("status", "One or more statuses, comma-separated or repeated.",
           {"type": "array", "items": {"type": "string", "enum": list(STATUSES)}}, style="form", explode=True),
    _query("department", "Department code. Department staff may only ask for their own (default)."),
    _query("category", "Category code, e.g. E0404."),
    _query("line", "Line id, e.g. urban."),
    _query("channel", "Intake channel, e.g. hotline or open311."),
    _query("overdue", "true: past the due time and not yet disposed; false: the rest.", {"type": "boolean"}),
    _query("created_from", "From this date (a whole day in the hotline's time zone) or date-time "
           "with an offset, inclusive.", {"type": "string"}),
    _query("created_to", "Up to this date (inclusive) or date-time (exclusive).", {"type": "string"}),
    _p("page"), _p("per_page"),
]


def _op(operation_id: str, summary: str, description: str, responses: dict, *, tags: list[str],
        parameters: list | None = None, body: dict | None = None, public: bool = False) -> dict:
    operation = {"operationId": operation_id, "summary": summary, "description": description, "tags": tags,
                 "responses": {**responses, "500": {"$ref": "#/components/responses/ServerError"}}}
    if parameters:
        operation["parameters"] = parameters
    if body:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    if public:
        operation["security"] = []
    return operation


_PATHS = {
    "/api/v1/openapi.json": {"get": _op(
        "getOpenApiDocument", "This document", "Needs no key.", tags=["meta"], public=True,
        responses={"200": {"description": "The OpenAPI 3.1 document.",
                           "content": {"application/json": {"schema": {"type": "object"}}}}})},
    "/api/v1/me": {"get": _op(
        "getMe", "Who the key belongs to", f"Any role ({_ROLES_TEXT}).", tags=["meta"],
        responses={"200": _json(_ref("Me"), "The key's name, role and department."), **_errors("Unauthorized")})},
    "/api/v1/cases": {"get": _op(
        "listCases", "Search cases", "Newest first. Any role; department staff see only their department's "
        "cases, and asking for another department is 403.", tags=["cases"], parameters=_CASE_FILTERS,
        responses={"200": _json(_ref("CasePage"), "A page of cases."),
                   **_errors("BadRequest", "Unauthorized", "Forbidden")})},
    "/api/v1/cases/{number}": {"get": _op(
        "getCase", "One case", "Any role. Complainants' numbers (and numbers inside the free text) are shown "
        f"in full only to {_FULL_NUMBERS}, and each time the audit log records who saw them; masked for "
        "everyone else. allowed_actions are the steps the key's role may take now.", tags=["cases"],
        parameters=[_p("number")],
        responses={"200": _json(_ref("CaseDetail"), "The case."), **_errors("Unauthorized", "NotFound")})},
    "/api/v1/cases/{number}/events": {"get": _op(
        "listCaseEvents", "A case's audited history", "Oldest first. Any role (department staff: own cases). "
        "Phone numbers in notes are masked.",
        tags=["cases"], parameters=[_p("number")],
        responses={"200": _json(_ref("EventList"), "Every event of the case."),
                   **_errors("Unauthorized", "NotFound")})},
    "/api/v1/cases/{number}/transitions": {"post": _op(
        "takeTransition", "Take one lifecycle step",
        "The step is taken as the key's role (admin acts as supervisor; no key acts as system). Suspend and "
        "void need a supervisor. Checked in order: the body can be read (400; 422 bad_field, action_required), "
        "the case exists (404), the action exists (422), the status allows it (409), the role may take it "
        "(403), the details it needs are there (422). A refused step changes nothing.", tags=["cases"],
        parameters=[_p("number")], body=_ref("TransitionRequest"),
        responses={"200": _json(_ref("CaseDetail"), "The case after the step."),
                   **_errors("BadRequest", "Unauthorized", "Forbidden", "NotFound", "Conflict", "Unprocessable")})},
    "/api/v1/cases/{number}/merge": {"post": _op(
        "mergeCase", "Merge a duplicate into another case (并单)",
        "The case in the path is the duplicate. Refusals say why: role_not_allowed (403), same_case, "
        "into_required (422), duplicate_status, target_status, other_line (409), case_not_found for either "
        "case (404). Nothing changes when refused.", tags=["cases"], parameters=[_p("number")],
        body=_ref("MergeRequest"),
        responses={"200": _json(_ref("CaseDetail"), "The case the duplicate joined."),
                   **_errors("BadRequest", "Unauthorized", "Forbidden", "NotFound", "Conflict", "Unprocessable")})},
    "/api/v1/cases/{number}/split": {"post": _op(
        "splitCase", "Split a second problem off a case into a new case",
        "Refusals say why: role_not_allowed (403), description_required, category_required, unknown_category, "
        "same_problem (422), split_status (409). Nothing changes when refused.", tags=["cases"],
        parameters=[_p("number")], body=_ref("SplitRequest"),
        responses={"201": {**_json(_ref("CaseDetail"), "The new case."),
                           "headers": {"Location": {"schema": {"type": "string"}}}},
                   **_errors("BadRequest", "Unauthorized", "Forbidden", "NotFound", "Conflict", "Unprocessable")})},
    "/api/v1/cases/{number}/claim": {"post": _op(
        "claimCase", "Claim a case of one's department's queue",
        "Department staff only; the case must be dispatched to their department.", tags=["queues"],
        parameters=[_p("number")],
        responses={"200": _json(_ref("CaseDetail"), "The claimed case (status handling)."),
                   **_errors("Unauthorized", "Forbidden", "NotFound", "Conflict")})},
    "/api/v1/departments/{code}/queue": {"get": _op(
        "getDepartmentQueue", "A department's queue",
        "Priority first, then the earliest due time. Operators, dispatchers, supervisors, admins, and the "
        "department's own staff.", tags=["queues"],
        parameters=[_p("code"), _query("status", "dispatched and/or handling (default both).",
                                       {"type": "array", "items": {"type": "string", "enum": list(QUEUED)}},
                                       style="form", explode=True), _p("page"), _p("per_page")],
        responses={"200": _json(_ref("CasePage"), "A page of the queue."),
                   **_errors("BadRequest", "Unauthorized", "Forbidden", "NotFound")})},
    "/api/v1/departments/{code}/queue/claim": {"post": _op(
        "claimNextCase", "Claim the next case of the queue",
        "Department staff of that department only. Safe when many claim at once: no case is claimed twice.",
        tags=["queues"], parameters=[_p("code")],
        responses={"200": _json(_ref("CaseDetail"), "The claimed case (status handling)."),
                   "204": {"description": "Nothing to claim: the queue has no unclaimed case."},
                   **_errors("Unauthorized", "Forbidden", "NotFound", "Conflict")})},
    "/api/v1/tasks": {"get": _op(
        "listTasks", "Open inspectors' tasks", "Oldest first. Every role but department staff.",
        tags=["tasks"], parameters=[_query("kind", "verify (before filing) or check (after disposal).",
                                           {"type": "string", "enum": list(TASK_KINDS)}), _p("page"), _p("per_page")],
        responses={"200": _json(_ref("TaskPage"), "A page of open tasks."),
                   **_errors("BadRequest", "Unauthorized", "Forbidden")})},
    "/api/v1/tasks/{task_id}/result": {"post": _op(
        "reportTaskResult", "Report what the inspector found",
        "Inspectors only. verify: confirmed files the case; not_found leaves it for a supervisor to void. "
        "check: passed closes the case; failed sends it back to the department for rework.",
        tags=["tasks"], parameters=[_p("task_id")], body=_ref("TaskResultRequest"),
        responses={"200": _json(_ref("CaseDetail"), "The task's case after the step."),
                   **_errors("BadRequest", "Unauthorized", "Forbidden", "NotFound", "Conflict", "Unprocessable")})},
}

_DOCUMENT = {
    "openapi": "3.1.0",
    "info": {
        "title": "Hotline API",
        "version": VERSION,
        "summary": "Cases, queues and inspectors' tasks of the city complaint hotline.",
        "description": "For the operators' console, the departments and integrations. Authenticate with "
                       "`Authorization: Bearer <api key>`; keys are made with `flask --app app api-key create "
                       "--name NAME --role ROLE [--department CODE]`. Errors are always "
                       "`{\"error\": {\"code\", \"message\"}}`. See docs/api.md.",
    },
    "servers": [{"url": "/"}],
    "security": [{"bearer": []}],
    "tags": [{"name": "cases"}, {"name": "queues"}, {"name": "tasks"}, {"name": "meta"}],
    "paths": _PATHS,
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                       "description": f"An API key; its role is one of {_ROLES_TEXT}."}},
        "schemas": _SCHEMAS,
        "responses": _RESPONSES,
        "parameters": _PARAMETERS,
    },
}


def document() -> dict:
    """A copy of the document, safe for a caller to change."""
    return deepcopy(_DOCUMENT)
