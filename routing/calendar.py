"""Working calendars: when a department works, and time limits counted on it.

Pure domain code.  Datetimes going in and out are timezone-aware; the
calendar works in its own local time zone and answers in UTC.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterator
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A calendar with no working time would make every search run forever; no
# real calendar has a gap of more than a few weeks.
_SEARCH_LIMIT_DAYS = 400


@dataclass(frozen=True)
class WorkingCalendar:
    id: str
    time_zone: str
    # Working intervals of a working day as minutes since local midnight.
    hours: tuple[tuple[int, int], ...]
    weekdays: frozenset[int]          # 0 = Monday
    holidays: frozenset[date] = frozenset()
    working_days: frozenset[date] = frozenset()   # adjusted working days (调休)
    name: str = ""

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def minutes_per_day(self) -> int:
        return sum(end - start for start, end in self.hours)

    def is_working_day(self, day: date) -> bool:
        if day in self.working_days:
            return True
        if day in self.holidays:
            return False
        return day.weekday() in self.weekdays

    def intervals_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working intervals of one local day, as aware local datetimes."""
        if not self.is_working_day(day):
            return []
        midnight = datetime.combine(day, time(0), tzinfo=self.zone)
        return [(_at_minute(midnight, start), _at_minute(midnight, end)) for start, end in self.hours]

    def _intervals_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        local = moment.astimezone(self.zone)
        day = local.date()
        for offset in range(_SEARCH_LIMIT_DAYS):
            for start, end in self.intervals_on(day + timedelta(days=offset)):
                if end > local:
                    yield max(start, local), end
        raise ValueError(f"calendar {self.id!r} has no working time within {_SEARCH_LIMIT_DAYS} days of {moment}")

    def is_open(self, moment: datetime) -> bool:
        require_aware(moment)
        local = moment.astimezone(self.zone)
        return any(start <= local < end for start, end in self.intervals_on(local.date()))

    def next_open(self, moment: datetime) -> datetime:
        """The moment itself if the calendar is open then, else when it next opens (UTC)."""
        require_aware(moment)
        start, _ = next(self._intervals_from(moment))
        return start.astimezone(timezone.utc)

    def add_working_time(self, moment: datetime, amount: timedelta) -> datetime:
        """The moment when ``amount`` of working time has passed after ``moment`` (UTC)."""
        require_aware(moment)
        if amount <= timedelta(0):
            return self.next_open(moment)
        remaining = amount
        for start, end in self._intervals_from(moment):
            span = end - start
            if remaining <= span:
                return (start + remaining).astimezone(timezone.utc)
            remaining -= span
        raise AssertionError("unreachable: _intervals_from raises when it runs out")

    def add_working_days(self, moment: datetime, days: int) -> datetime:
        """``days`` working days after ``moment``: that many full working days' time."""
        return self.add_working_time(moment, timedelta(minutes=self.minutes_per_day * days))


def _at_minute(midnight: datetime, minute: int) -> datetime:
    # Adding a timedelta to an aware datetime keeps the wall-clock arithmetic
    # in local time, which is what "08:30" means on a day with a DST change.
    naive = midnight.replace(tzinfo=None) + timedelta(minutes=minute)
    return naive.replace(tzinfo=midnight.tzinfo)


def require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("calendar arithmetic needs a timezone-aware datetime")
