"""Open311 use cases, one a function.  Those that touch cases take a
session; none commits it."""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import NoReturn

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from accounts.services import principal_for_key
from cases.models import Case
from cases.services import CLOSED_STATUSES, NewCase, find_case, open_case
from config.catalog import HotlineConfig
from open311.errors import ApiKeyRefused, NotFound
from open311.georeport import (
    CHANGESET,
    FORMATS,
    LANGUAGE,
    SPECIFICATION,
    Discovery,
    Endpoint,
    Receipt,
    Service,
    ServiceRequest,
    TokenLookup,
    receipt_of,
    request_of,
    service_of,
)
from open311.params import Params, first
from open311.query import RequestQuery, read_query
from open311.submission import read_submission

CHANNEL = "open311"


def discovery(config: HotlineConfig, url: str, production: bool) -> Discovery:
    """The discovery document of the endpoint at ``url``."""
    contact = "；".join(f"{line.name(LANGUAGE)} {line.number}" for line in config.lines.values())
    return Discovery(
        changeset=CHANGESET,
        contact=contact,
        key_service=f"POST requests needs an api_key, issued by the hotline's administrators: {contact}",
        endpoints=(Endpoint(specification=SPECIFICATION, url=url, changeset=CHANGESET,
                            type="production" if production else "test", formats=FORMATS),),
    )


def list_services(config: HotlineConfig) -> list[Service]:
    return [service_of(category, config) for category in config.categories.values()]


def service_definition(config: HotlineConfig, code: str) -> NoReturn:
    """No category declares attributes yet, so no service has a definition."""
    if code not in config.categories:
        raise NotFound(f"service_code {code!r} is not a service")
    raise NotFound(f"service {code} has no service definition: its metadata is false")


def submit_request(session: Session, config: HotlineConfig, params: Params, now: datetime) -> Receipt:
    """POST requests: a report becomes a case through the intake the IVR
    uses, or joins the case it repeats; the receipt names that case."""
    principal = principal_for_key(session, first(params, "api_key"), now)
    if principal is None:
        raise ApiKeyRefused("api_key is missing or not valid; POST requests needs a key from the city")
    submission = read_submission(params, config)
    case = open_case(session, config, NewCase(
        line_id=submission.line_id, channel=CHANNEL, description=submission.description,
        location=submission.location, category_code=submission.service_code,
        caller_e164=submission.phone_e164, callback_number=submission.phone_e164,
        latitude=submission.lat, longitude=submission.long, media_url=submission.media_url,
        actor=principal.actor,
    ), now)
    if case.open311_token is None:
        case.open311_token, case.updated_at = secrets.token_hex(16), now
        # Written even when unchanged, or the column's onupdate would stamp the wall clock.
        flag_modified(case, "updated_at")
        session.flush()
    return receipt_of(case, config)


def find_requests(session: Session, config: HotlineConfig, params: Params, now: datetime) -> list[ServiceRequest]:
    """GET requests.  Only classified cases are service requests: a case
    without a category has no service_code yet."""
    query = read_query(params, now)
    cases = session.scalars(_statement(query)).all()
    return [request_of(case, config) for case in cases]


def get_request(session: Session, config: HotlineConfig, number: str) -> ServiceRequest:
    case = find_case(session, number)
    if case is None or case.category_code is None:
        raise NotFound(f"there is no service request {number!r}")
    return request_of(case, config)


def request_for_token(session: Session, token: str) -> TokenLookup:
    number = session.scalars(select(Case.number).where(Case.open311_token == token)).one_or_none()
    if number is None:
        raise NotFound(f"there is no token {token!r}")
    return TokenLookup(service_request_id=number, token=token)


def _statement(query: RequestQuery):
    statement = select(Case).where(Case.category_code.is_not(None))
    if query.numbers:
        statement = statement.where(Case.number.in_(query.numbers))
    else:
        statement = statement.where(Case.created_at >= query.start, Case.created_at <= query.end)
        if query.service_codes:
            statement = statement.where(Case.category_code.in_(query.service_codes))
        if set(query.statuses) == {"open"}:
            statement = statement.where(Case.status.not_in(CLOSED_STATUSES))
        elif set(query.statuses) == {"closed"}:
            statement = statement.where(Case.status.in_(CLOSED_STATUSES))
    return statement.order_by(Case.created_at.desc(), Case.id.desc()).limit(query.limit)
