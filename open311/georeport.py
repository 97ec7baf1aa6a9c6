"""The GeoReport v2 documents, and how categories and cases map onto them.

Field names and their order are the spec's, so ``formats`` renders each
document as it stands, in JSON and in XML.  Nothing here queries or
changes anything.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from call_log.phones import mask_dialable
from cases.models import Case
from cases.services import CLOSED_STATUSES
from config.catalog import Category, HotlineConfig, PromptSet

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When the services or their definitions last changed shape.  Category
# edits need a restart and keep the same codes, so clients' caches hold.
CHANGESET = "2026-11-26 00:00"
FORMATS = ("text/xml", "application/json")
# Names and status words are given in the city's own language.
LANGUAGE = "zh-CN"


@dataclass(frozen=True)
class Service:
    service_code: str
    service_name: str
    description: str | None
    metadata: bool
    type: str
    keywords: str
    group: str | None


@dataclass(frozen=True)
class ServiceRequest:
    service_request_id: str
    status: str
    status_notes: str | None
    service_name: str | None
    service_code: str
    description: str | None
    agency_responsible: str | None
    service_notice: str | None
    requested_datetime: datetime
    updated_datetime: datetime | None
    expected_datetime: datetime | None
    address: str | None
    address_id: str | None
    zipcode: str | None
    lat: float | None
    long: float | None
    media_url: str | None


@dataclass(frozen=True)
class Receipt:
    """The answer to POST requests."""

    service_request_id: str
    token: str
    service_notice: str | None
    account_id: str | None = None


@dataclass(frozen=True)
class TokenLookup:
    service_request_id: str
    token: str


@dataclass(frozen=True)
class Endpoint:
    specification: str
    url: str
    changeset: str
    type: str
    formats: tuple[str, ...]


@dataclass(frozen=True)
class Discovery:
    changeset: str
    contact: str
    key_service: str
    endpoints: tuple[Endpoint, ...]


@dataclass(frozen=True)
class Error:
    code: int
    description: str


def open311_status(case_status: str) -> str:
    return "closed" if case_status in CLOSED_STATUSES else "open"


def service_of(category: Category, config: HotlineConfig) -> Service:
    line = config.lines.get(category.lines[0]) if category.lines else None
    return Service(
        service_code=category.code, service_name=category.name(LANGUAGE), description=None,
        # No category declares attributes yet, so none has a service definition.
        metadata=False, type="realtime", keywords=", ".join(category.keywords),
        group=line.name(LANGUAGE) if line else None,
    )


def request_of(case: Case, config: HotlineConfig) -> ServiceRequest:
    category = config.categories.get(case.category_code or "")
    department = config.departments.get(case.department_code or "")
    zone = _zone_of(case, config)
    return ServiceRequest(
        service_request_id=case.number,
        status=open311_status(case.status),
        status_notes=status_notes(case, config),
        service_name=category.name(LANGUAGE) if category else None,
        service_code=case.category_code or "",
        # What callers say, and where they say it is, can hold phone numbers; the listing is
        # public, so nothing dialable is published, in any digits.
        description=mask_dialable(case.description) if case.description else None,
        agency_responsible=department.name(LANGUAGE) if department else None,
        service_notice=None,
        requested_datetime=case.created_at.astimezone(zone),
        updated_datetime=case.updated_at.astimezone(zone) if case.updated_at else None,
        expected_datetime=case.due_at.astimezone(zone) if case.due_at else None,
        address=mask_dialable(case.location_text) if case.location_text else None,
        address_id=None,
        zipcode=None,
        lat=case.latitude,
        long=case.longitude,
        media_url=case.media_url,
    )


def receipt_of(case: Case, config: HotlineConfig) -> Receipt:
    return Receipt(service_request_id=case.number, token=case.open311_token or "",
                   service_notice=status_notes(case, config))


def status_notes(case: Case, config: HotlineConfig) -> str | None:
    """The case's status in words, as the IVR says it, with the reason for
    a suspension or a void."""
    prompts = _prompts(config)
    key = f"status_{case.status}"
    if prompts is None or key not in prompts.texts:
        return None
    department = config.departments.get(case.department_code or "")
    words = prompts.text(key).format_map(_Blanks(department=department.name(LANGUAGE) if department else ""))
    if case.status in ("suspended", "voided") and case.status_reason:
        words = f"{words}：{mask_dialable(case.status_reason)}"
    return words


def _prompts(config: HotlineConfig) -> PromptSet | None:
    return config.prompts.get(LANGUAGE) or next(iter(config.prompts.values()), None)


def _zone_of(case: Case, config: HotlineConfig) -> ZoneInfo:
    line = config.lines.get(case.line_id or "")
    return ZoneInfo(line.time_zone if line else "UTC")


class _Blanks(dict):
    """Placeholders a city's status words may use beyond {department} stay empty."""

    def __missing__(self, key: str) -> str:
        return ""
