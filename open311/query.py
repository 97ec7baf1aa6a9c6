"""GET requests: the client's filters read into a ``RequestQuery``, with the
spec's defaults, or refused with every problem listed at once.

``service_request_id`` (comma-delimited) overrides every other filter.
Otherwise requests are those made within ``start_date`` and ``end_date``
(both inclusive, at most 90 days apart; the last 90 days by default, and
90 days from or to the one that is given), of the given ``service_code``s
and ``status``es.  At most 1000 requests come back, the newest first.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from open311.errors import InvalidRequest
from open311.params import Params, first, listed

WINDOW = timedelta(days=90)
LIMIT = 1000
STATUSES = ("open", "closed")
# Moments the database stores and compares in every time zone, with room for the 90-day window.
EARLIEST, LATEST = date(1970, 1, 2), date(9998, 9, 30)
# In a query string an unencoded "+" arrives as a space: 2026-10-01T00:00:00 08:00.
_SPACE_FOR_PLUS = re.compile(r"(T[\d:.]+) (\d\d:?\d\d)$")


@dataclass(frozen=True)
class RequestQuery:
    numbers: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    limit: int = LIMIT


def read_query(params: Params, now: datetime) -> RequestQuery:
    numbers = listed(params, "service_request_id")
    if numbers:
        if len(numbers) > LIMIT:
            raise InvalidRequest(f"at most {LIMIT} service_request_id values at once, not {len(numbers)}")
        return RequestQuery(numbers=numbers)
    problems: list[str] = []
    statuses = listed(params, "status")
    for status in statuses:
        if status not in STATUSES:
            problems.append(f"status must be open or closed, not {status!r}")
    start = _moment(params, "start_date", problems)
    end = _moment(params, "end_date", problems)
    if not problems:
        start, end = _window(start, end, now, problems)
    if problems:
        raise InvalidRequest(problems)
    return RequestQuery(service_codes=listed(params, "service_code"), statuses=statuses, start=start, end=end)


def _window(start: datetime | None, end: datetime | None, now: datetime,
            problems: list[str]) -> tuple[datetime, datetime]:
    if start is None and end is None:
        return now - WINDOW, now
    if start is None:
        return end - WINDOW, end
    if end is None:
        return start, start + WINDOW
    if start > end:
        problems.append("start_date must not be after end_date")
    elif end - start > WINDOW:
        problems.append(f"start_date and end_date may not span more than {WINDOW.days} days")
    return start, end


def _moment(params: Params, name: str, problems: list[str]) -> datetime | None:
    raw = first(params, name)
    if raw is None:
        return None
    text = _SPACE_FOR_PLUS.sub(r"\1+\2", raw)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        problems.append(f"{name} must be a date and time such as 2026-10-09T00:00:00+08:00, not {raw!r}")
        return None
    if moment.tzinfo is None or moment.utcoffset() is None:
        problems.append(f"{name} needs a time zone, Z or an offset such as +08:00: {raw!r}")
        return None
    if not EARLIEST <= moment.date() <= LATEST:
        problems.append(f"{name} must be between {EARLIEST} and {LATEST}, not {raw!r}")
        return None
    return moment
