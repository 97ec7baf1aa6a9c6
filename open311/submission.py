"""POST requests: a client's parameters checked and read into a
``Submission``, or refused with every problem listed at once.

A category declares no attributes yet, so any ``attribute[CODE]`` is
refused rather than silently dropped.  ``email``, ``device_id``,
``account_id``, ``first_name`` and ``last_name`` are accepted and not kept:
a complainant is reached by phone.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from call_log.phones import parse_entered, region_of
from config.catalog import HotlineConfig
from open311.errors import InvalidRequest
from open311.params import Params, first

MAX_DESCRIPTION = 4000          # the spec's limit
MAX_ADDRESS = 200               # the normalised address key is kept in 200 characters
MAX_MEDIA_URL = 500             # the case's media_url column
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]*)\](\[\])?$")
# Control characters other than tab and line breaks: PostgreSQL refuses NUL
# in text, and XML 1.0 cannot carry the rest.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Submission:
    service_code: str
    line_id: str | None
    description: str
    location: str | None
    lat: float | None
    long: float | None
    media_url: str | None
    phone_e164: str | None


def read_submission(params: Params, config: HotlineConfig) -> Submission:
    problems: list[str] = []
    code = first(params, "service_code")
    category = config.categories.get(code or "")
    if code is None:
        problems.append("service_code is required; GET services lists them")
    elif category is None:
        problems.append(f"service_code {code!r} is not a service; GET services lists them")
    line = config.lines.get(category.lines[0]) if category and category.lines else None

    lat, long = _coordinates(params, problems)
    address, address_id = _text(params, "address_string", problems), _text(params, "address_id", problems)
    if address is not None and len(address) > MAX_ADDRESS:
        problems.append(f"address_string has {len(address)} characters; at most {MAX_ADDRESS} are accepted")
    # Coordinates that were sent but are wrong have their own complaint above.
    if address is None and address_id is None and not _sent(params, "lat", "long"):
        problems.append("a location is required: lat and long, address_string or address_id")

    description = _text(params, "description", problems) or ""
    if len(description) > MAX_DESCRIPTION:
        problems.append(f"description has {len(description)} characters; at most {MAX_DESCRIPTION} are accepted")
    media_url = _media_url(first(params, "media_url"), problems)
    phone = _phone(first(params, "phone"), region_of(line.number) if line else None, problems)
    for name in _attribute_codes(params):
        problems.append(f"attribute[{name}] is not an attribute of service {code}: it takes no attributes")

    if problems:
        raise InvalidRequest(problems)
    return Submission(
        service_code=code, line_id=line.id if line else None, description=description,
        # Without a master address repository the id is all we know of the place;
        # kept as the location, it still routes and matches repeat reports.
        location=address or (f"address_id {address_id}" if address_id else None),
        lat=lat, long=long, media_url=media_url, phone_e164=phone,
    )


def _text(params: Params, name: str, problems: list[str]) -> str | None:
    value = first(params, name)
    if value is not None and _CONTROL.search(value):
        problems.append(f"{name} holds control characters; send plain text, with line breaks if need be")
    return value


def _sent(params: Params, *names: str) -> bool:
    return any(first(params, name) is not None for name in names)


def _coordinates(params: Params, problems: list[str]) -> tuple[float | None, float | None]:
    lat = _degrees(params, "lat", 90, problems)
    long = _degrees(params, "long", 180, problems)
    sent_lat, sent_long = first(params, "lat") is not None, first(params, "long") is not None
    if sent_lat != sent_long:
        problems.append("lat and long must be sent together")
        return None, None
    if lat is None or long is None:
        return None, None
    return lat, long


def _degrees(params: Params, name: str, limit: int, problems: list[str]) -> float | None:
    raw = first(params, name)
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not -limit <= value <= limit:
        problems.append(f"{name} must be a number of degrees from {-limit} to {limit} (WGS84), not {raw!r}")
        return None
    return value


def _media_url(raw: str | None, problems: list[str]) -> str | None:
    if raw is None:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in raw):
        problems.append(f"media_url must be an http or https URL, not {raw[:100]!r}")
    elif len(raw) > MAX_MEDIA_URL:
        problems.append(f"media_url has {len(raw)} characters; at most {MAX_MEDIA_URL} are accepted")
    return raw


def _phone(raw: str | None, region: str | None, problems: list[str]) -> str | None:
    if raw is None:
        return None
    e164 = parse_entered(raw, region or "CN")
    if e164 is None:
        problems.append(f"phone {raw[:40]!r} is not a phone number we can call back")
    return e164


def _attribute_codes(params: Params) -> list[str]:
    return [match.group(1) for name in params if (match := _ATTRIBUTE.match(name))
            and any(value.strip() for value in params[name])]
