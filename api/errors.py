"""Errors under /api/v1 are JSON, always: ``{"error": {"code", "message"}}``,
with ``field`` when one request field is to blame.

The views raise ``ApiError``; domain refusals are translated here, in one
table, so a status code means the same thing on every endpoint:

* 400 the request cannot be read (not JSON, a bad query parameter);
* 401 no key, or a key that is unknown or inactive;
* 403 the key's role may not do this;
* 404 no such case, task, department or route (a department's staff also
  get 404 for other departments' cases: they are not told what exists);
* 409 the case's status does not allow the step;
* 422 the step is possible but the request lacks or garbles a detail.
"""
from __future__ import annotations

import logging

from flask import Blueprint, Response, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from api.responses import json_response
from cases import lifecycle, merging
from cases.workflow import CaseNotFound, NoDepartmentFits, UnknownCategory, UnknownDepartment
from database import db
from dispatch.services import NotInQueue

log = logging.getLogger(__name__)

PREFIX = "/api/v1"


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, *, field: str | None = None,
                 headers: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field
        self.headers = headers or {}


def error_response(status: int, code: str, message: str, *, field: str | None = None,
                   headers: dict | None = None) -> Response:
    body = {"code": code, "message": message}
    if field:
        body["field"] = field
    return json_response({"error": body}, status, headers)


# Domain refusal -> (status, code, the request field to blame).  Checked in
# order, so subclasses come before their parents.
_REFUSALS: tuple[tuple[type[Exception], int, str, str | None], ...] = (
    (CaseNotFound, 404, "case_not_found", None),
    (lifecycle.UnknownAction, 422, "unknown_action", "action"),
    (lifecycle.IllegalTransition, 409, "illegal_transition", "action"),
    (lifecycle.RoleNotAllowed, 403, "role_not_allowed", "action"),
    (lifecycle.ReasonRequired, 422, "reason_required", "reason"),
    (lifecycle.NoteRequired, 422, "note_required", "note"),
    (lifecycle.ReviewDateRequired, 422, "review_date_required", "review_date"),
    (lifecycle.DepartmentRequired, 422, "department_required", "department"),
    (lifecycle.CategoryRequired, 422, "category_required", "category"),
    (lifecycle.BadReason, 422, "bad_reason", "reason"),
    (lifecycle.BadTarget, 422, "bad_target", "to"),
    (lifecycle.DepartmentAlreadyReturned, 409, "department_already_returned", "department"),
    (lifecycle.Unclassified, 409, "category_required", None),
    (lifecycle.LifecycleError, 409, "transition_refused", None),
    (NoDepartmentFits, 409, "no_department_fits", "department"),
    (UnknownDepartment, 422, "unknown_department", "department"),
    (UnknownCategory, 422, "unknown_category", "category"),
    (NotInQueue, 404, "not_in_queue", None),
    (merging.Refused, 409, "refused", None),        # the status and code by its rule: _MERGING
)

# A refused merge or split, by the rule it broke -> (status, the request field to blame).
_MERGING: dict[str, tuple[int, str | None]] = {
    "role": (403, None), "same_case": (422, "into"), "duplicate_status": (409, None),
    "target_status": (409, "into"), "other_line": (409, "into"), "split_status": (409, None),
    "description_required": (422, "description"), "category_required": (422, "category"),
    "unknown_category": (422, "category"), "same_problem": (422, "category"),
}


def refusal(error: Exception) -> ApiError:
    """The ApiError for one of the domain refusals in ``_REFUSALS``."""
    if isinstance(error, merging.Refused):
        status, field = _MERGING.get(error.code, (409, None))
        return ApiError(status, "role_not_allowed" if error.code == "role" else error.code, str(error), field=field)
    for kind, status, code, field in _REFUSALS:
        if isinstance(error, kind):
            if isinstance(error, lifecycle.ReviewDateRequired) and "past" in error.why:
                # The state machine raises "required" for a date in the past too.
                code = "bad_review_date"
            return ApiError(status, code, str(error), field=field)
    return ApiError(409, "transition_refused", str(error))


def install(bp: Blueprint) -> None:
    """JSON errors for the blueprint's views, and for requests under the
    prefix that match no view (404, 405), which Flask never hands to a
    blueprint's error handlers."""

    @bp.errorhandler(ApiError)
    def api_error(error: ApiError):
        _roll_back()
        return error_response(error.status, error.code, error.message, field=error.field,
                              headers=error.headers)

    def domain_refusal(error: Exception):
        return api_error(refusal(error))

    for kind, *_ in _REFUSALS:
        bp.register_error_handler(kind, domain_refusal)

    @bp.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        _roll_back()
        return _http_error_response(error)

    @bp.errorhandler(Exception)
    def unexpected(error: Exception):
        _roll_back()
        log.exception("API request %s %s failed", request.method, request.path)
        return error_response(500, "internal_error",
                              "the server failed to answer this request; the error has been logged")

    @bp.before_app_request
    def unrouted():
        # Routing runs before any view, so an unknown path or method under
        # the prefix is answered here, before Flask's HTML error page.
        error = request.routing_exception
        if isinstance(error, HTTPException) and error.code in (404, 405) and _under_prefix(request.path):
            return _http_error_response(error)
        return None


def _roll_back() -> None:
    """A refused or failed request changes nothing."""
    try:
        db.session().rollback()
    except Exception:
        log.exception("rollback failed")


def _under_prefix(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def _http_error_response(error: HTTPException) -> Response:
    status = error.code or 500
    code = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
            405: "method_not_allowed", 413: "payload_too_large", 415: "unsupported_media_type"}.get(
        status, (error.name or "error").lower().replace(" ", "_"))
    headers = {}
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
        message = f"{request.method} is not allowed on {request.path}; use {headers['Allow']}"
    elif status == 404:
        message = f"no API endpoint at {request.path}; see {PREFIX}/openapi.json"
    else:
        message = error.description or error.name
    return error_response(status, code, message, headers=headers)
