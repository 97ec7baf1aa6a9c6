"""Open311 GeoReport v2 endpoints under ``/open311/v2/``, each in ``.json``
and ``.xml``.  Views translate HTTP into one service call and render its
answer; refusals come back as the spec's error list, in the same format.
``jurisdiction_id`` is accepted and ignored: the endpoint serves one city.
"""
from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import HTTPException

from database import db
from open311.errors import Open311Error
from open311.formats import JSON, render
from open311.georeport import Error
from open311.services import (
    discovery,
    find_requests,
    get_request,
    list_services,
    request_for_token,
    service_definition,
    submit_request,
)
from wiring import services as app_services

log = logging.getLogger(__name__)

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
FORMAT = "<any(json, xml):fmt>"


def endpoint_url() -> str:
    public = current_app.config["SETTINGS"].public_url
    base = public.rstrip("/") + request.script_root if public else request.url_root.rstrip("/")
    return base + bp.url_prefix


@bp.get(f"/discovery.{FORMAT}")
def discovery_document(fmt: str) -> Response:
    document = discovery(app_services().config, endpoint_url(), current_app.config["SETTINGS"].is_production)
    return render(fmt, "discovery", document)


@bp.get(f"/services.{FORMAT}")
def services(fmt: str) -> Response:
    return render(fmt, "services", list_services(app_services().config))


@bp.get(f"/services/<code>.{FORMAT}")
def service(code: str, fmt: str) -> Response:
    return render(fmt, "service_definition", service_definition(app_services().config, code))


@bp.get(f"/requests.{FORMAT}")
def requests(fmt: str) -> Response:
    found = find_requests(db.session(), app_services().config, request.args.to_dict(flat=False), app_services().now())
    return render(fmt, "service_requests", found)


@bp.post(f"/requests.{FORMAT}")
def create_request(fmt: str) -> Response:
    session = db.session()
    # Some clients send api_key in the query string; the spec puts it in the form.
    receipt = submit_request(session, app_services().config, request.values.to_dict(flat=False), app_services().now())
    session.commit()
    return render(fmt, "service_requests", [receipt])


@bp.get(f"/requests/<number>.{FORMAT}")
def service_request(number: str, fmt: str) -> Response:
    return render(fmt, "service_requests", [get_request(db.session(), app_services().config, number)])


@bp.get(f"/tokens/<token>.{FORMAT}")
def token(token: str, fmt: str) -> Response:
    return render(fmt, "service_requests", [request_for_token(db.session(), token)])


def _format() -> str:
    return (request.view_args or {}).get("fmt", JSON)


def _errors(status: int, descriptions) -> Response:
    return render(_format(), "errors", [Error(status, text) for text in descriptions], status)


@bp.errorhandler(Open311Error)
def refused(error: Open311Error) -> Response:
    db.session().rollback()
    return _errors(error.status, error.descriptions)


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> Response:
    db.session().rollback()
    return _errors(error.code or 400, [error.description or error.name])


@bp.errorhandler(Exception)
def failed(error: Exception) -> Response:
    db.session().rollback()
    log.exception("open311 %s %s failed", request.method, request.path)
    return _errors(500, ["the service failed; nothing was saved, please try again later"])
