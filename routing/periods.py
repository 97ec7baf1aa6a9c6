"""Assessment periods: half-open spans [start, end) of aware UTC datetimes.

A month is cut at local midnight in the centre's time zone, not at UTC midnight:
in Taizhou, a case disposed at 07:30 on 1 November local time happened on
31 October in UTC, and it belongs to November's report.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

DEFAULT_TIME_ZONE = "Asia/Shanghai"
_MONTH_LABEL = re.compile(r"([0-9]{4})-([0-9]{2})")
# Months a report can be about (``is_month``): each has the month after it and a trend's worth of
# months before it within what a datetime holds in every time zone (years 2 to 9998 here).
FIRST_YEAR, LAST_YEAR = 1900, 9998
_COUNTABLE_YEARS = range(2, 9999)


@dataclass(frozen=True)
class Period:
    start: datetime   # inclusive
    end: datetime     # exclusive, so consecutive periods neither overlap nor leave a gap
    label: str = ""

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("a period's bounds must be timezone-aware")
        if self.start >= self.end:
            raise ValueError(f"a period must end after it starts: {self.start} .. {self.end}")

    def __contains__(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    def __str__(self) -> str:
        return self.label or f"{self.start.isoformat()} .. {self.end.isoformat()}"


def month(label: str, time_zone: str = DEFAULT_TIME_ZONE) -> Period:
    """The calendar month "YYYY-MM", from local midnight on its first day to local
    midnight on the first day of the next."""
    return _month(*_parse_month(label), time_zone)


def trailing_months(label: str, count: int, time_zone: str = DEFAULT_TIME_ZONE) -> list[Period]:
    """The ``count`` months that end with ``label``, oldest first: the points of a trend chart."""
    if count < 1:
        raise ValueError("count must be at least 1")
    year, number = _parse_month(label)
    index = year * 12 + number - 1   # months since year 0, so stepping back crosses years simply
    if (index - count + 1) // 12 not in _COUNTABLE_YEARS:
        raise ValueError(f"{count} months up to {label} go back further than a report can count")
    return [_month(i // 12, i % 12 + 1, time_zone) for i in range(index - count + 1, index + 1)]


def _month(year: int, number: int, time_zone: str) -> Period:
    following = (year + 1, 1) if number == 12 else (year, number + 1)
    return Period(_local_midnight(year, number, time_zone), _local_midnight(*following, time_zone),
                  f"{year:04d}-{number:02d}")


def day_of(moment: datetime, time_zone: str = DEFAULT_TIME_ZONE) -> Period:
    """The local day that ``moment`` falls in, from local midnight to the next, labelled
    "YYYY-MM-DD" (the wallboard's "today")."""
    zone = ZoneInfo(time_zone)
    local = moment.astimezone(zone).date()
    following = local + timedelta(days=1)
    start = datetime(local.year, local.month, local.day, tzinfo=zone).astimezone(timezone.utc)
    end = datetime(following.year, following.month, following.day, tzinfo=zone).astimezone(timezone.utc)
    return Period(start, end, local.isoformat())


def is_month(label: str) -> bool:
    """Whether ``label`` names a month a report can be about, from 1900-01 to 9998-12."""
    try:
        year, _ = _parse_month(label)
    except ValueError:
        return False
    return FIRST_YEAR <= year <= LAST_YEAR


def _parse_month(label: str) -> tuple[int, int]:
    match = _MONTH_LABEL.fullmatch(label)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"{label!r} is not a month; write it as YYYY-MM, e.g. 2026-10")
    if int(match.group(1)) not in _COUNTABLE_YEARS:
        raise ValueError(f"{label!r} is out of range: months from {FIRST_YEAR}-01 to {LAST_YEAR}-12")
    return int(match.group(1)), int(match.group(2))


def _local_midnight(year: int, number: int, time_zone: str) -> datetime:
    return datetime(year, number, 1, tzinfo=ZoneInfo(time_zone)).astimezone(timezone.utc)
