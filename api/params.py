"""Reading requests: query parameters and JSON bodies into plain values,
or an ``ApiError`` that names the parameter or field at fault.

Query parameters that cannot be read are 400 ``bad_parameter``; a JSON body
that is not an object is 400 ``bad_body``; a body field of the wrong type or
shape, or one the endpoint does not know, is 422 ``bad_field``.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Request
from werkzeug.datastructures import MultiDict

from api.errors import ApiError
from api.services import CaseQuery
from cases.lifecycle import STATUSES

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
# Past the last page is an empty page; past this, no database could count that far.
MAX_PAGE = 2**31 - 1
# Moments the database stores and compares in every time zone, with a day to spare at each end.
EARLIEST, LATEST = date(1970, 1, 2), date(9998, 12, 30)
TASK_KINDS = ("verify", "check")
_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no")


def bad_parameter(name: str, message: str) -> ApiError:
    return ApiError(400, "bad_parameter", message, field=name)


def page_args(args: MultiDict) -> tuple[int, int]:
    page = _positive_int(args, "page", 1, MAX_PAGE)
    per_page = _positive_int(args, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
    return page, per_page


def statuses(args: MultiDict, allowed: Iterable[str] = STATUSES) -> tuple[str, ...]:
    """``status=a,b`` or ``status=a&status=b``."""
    allowed = tuple(allowed)
    wanted = tuple(word.strip() for value in args.getlist("status") for word in value.split(",") if word.strip())
    for word in wanted:
        if word not in allowed:
            raise bad_parameter("status", f"status must be one of {', '.join(allowed)}, not {word!r}")
    return wanted


def case_query(args: MultiDict, time_zone: str) -> CaseQuery:
    page, per_page = page_args(args)
    created_from = _moment(args, "created_from", time_zone, end_of_day=False)
    created_to = _moment(args, "created_to", time_zone, end_of_day=True)
    if created_from and created_to and created_from >= created_to:
        raise bad_parameter("created_to", "created_to must come after created_from")
    return CaseQuery(
        q=(args.get("q") or "").strip() or None,
        statuses=statuses(args),
        department=_text(args, "department"), category=_text(args, "category"),
        line=_text(args, "line"), channel=_text(args, "channel"),
        overdue=_boolean(args, "overdue"),
        created_from=created_from, created_to=created_to,
        page=page, per_page=per_page,
    )


def task_kind(args: MultiDict) -> str | None:
    kind = _text(args, "kind")
    if kind is not None and kind not in TASK_KINDS:
        raise bad_parameter("kind", f"kind must be one of {', '.join(TASK_KINDS)}, not {kind!r}")
    return kind


# --- JSON bodies ------------------------------------------------------------

def json_object(request: Request, *, required: bool = True) -> dict[str, Any]:
    if not request.get_data(cache=True).strip():
        if required:
            raise ApiError(400, "bad_body", "the request needs a JSON object body")
        return {}
    try:
        body = request.get_json(force=True, silent=True)
    except RecursionError:
        raise ApiError(400, "bad_body", "the request body is nested too deeply to read") from None
    if not isinstance(body, dict):
        raise ApiError(400, "bad_body", "the request body must be a JSON object")
    return body


def fields(body: Mapping[str, Any], spec: Mapping[str, type]) -> dict[str, Any]:
    """The body's fields, checked against ``spec`` (name -> type: str or
    date); absent and null fields come back as None."""
    unknown = sorted(set(body) - set(spec))
    if unknown:
        raise ApiError(422, "bad_field", f"unknown field {unknown[0]!r}; this request takes "
                                         f"{', '.join(spec)}", field=unknown[0])
    values: dict[str, Any] = {}
    for name, kind in spec.items():
        value = body.get(name)
        if value is None:
            values[name] = None
        elif kind is date:
            values[name] = _date_field(name, value)
        elif not isinstance(value, str):
            raise ApiError(422, "bad_field", f"{name} must be a string", field=name)
        elif "\x00" in value:
            # No database keeps NUL in text; PostgreSQL refuses the whole statement.
            raise ApiError(422, "bad_field", f"{name} holds a NUL character", field=name)
        else:
            values[name] = value
    return values


def _date_field(name: str, value: Any) -> date:
    if isinstance(value, str):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            pass
        else:
            if EARLIEST <= day <= LATEST:
                return day
            raise ApiError(422, "bad_field", f"{name} must be between {EARLIEST} and {LATEST}, not {value!r}",
                           field=name)
    raise ApiError(422, "bad_field", f"{name} must be a date as YYYY-MM-DD, not {value!r}", field=name)


# --- query parameter types ----------------------------------------------------

def _text(args: MultiDict, name: str) -> str | None:
    return (args.get(name) or "").strip() or None


def _positive_int(args: MultiDict, name: str, default: int, largest: int) -> int:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.lstrip("+-").isdigit() or len(raw) > 12:
        raise bad_parameter(name, f"{name} must be a whole number from 1 to {largest}, not {raw[:40]!r}")
    value = int(raw)
    if not 1 <= value <= largest:
        raise bad_parameter(name, f"{name} must be a whole number from 1 to {largest}, not {value}")
    return value


def _boolean(args: MultiDict, name: str) -> bool | None:
    raw = (args.get(name) or "").strip().lower()
    if not raw:
        return None
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise bad_parameter(name, f"{name} must be true or false, not {raw!r}")


def _moment(args: MultiDict, name: str, time_zone: str, *, end_of_day: bool) -> datetime | None:
    """A date (a whole day in the hotline's time zone) or a date-time with an
    offset.  ``end_of_day`` makes a date mean the end of that day, so
    ``created_to=2026-06-30`` includes 30 June."""
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        day = None
    if day is not None:
        _within_range(name, day, raw)
        start = datetime.combine(day + timedelta(days=1) if end_of_day else day, time(), ZoneInfo(time_zone))
        return start
    if "T" in raw and " " in raw:
        raw = raw.replace(" ", "+")      # an unencoded "+08:00" arrives as " 08:00"
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise bad_parameter(name, f"{name} must be a date (YYYY-MM-DD) or a date-time with an offset "
                                  f"(2026-06-10T09:00:00+08:00), not {raw[:60]!r}")
    _within_range(name, moment.date(), raw)
    return moment


def _within_range(name: str, day: date, raw: str) -> None:
    if not EARLIEST <= day <= LATEST:
        raise bad_parameter(name, f"{name} must be between {EARLIEST} and {LATEST}, not {raw[:60]!r}")
