"""When a complainant may be called: inside the configured hours of their own
local time, and never on a day the line's calendar does not work.

Pure domain code.  Times going in and out are timezone-aware; answers are in
UTC.  The hours are read in the complainant's zone (a number in New York is
called at 10:00 New York time), while a holiday is a date of the line's
calendar, in the calendar's own zone: on the Spring Festival in Taizhou no one
is called, wherever they are.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from routing.calendar import WorkingCalendar, require_aware

# No sensible configuration has a gap of more than a few weeks without a
# working day; a search that long means the configuration is wrong.
_SEARCH_LIMIT_DAYS = 400


@dataclass(frozen=True)
class CallingHours:
    # Intervals of a day, minutes since local midnight, in order: ((540, 720), (840, 1200)).
    intervals: tuple[tuple[int, int], ...]

    def next_allowed(self, moment: datetime, zone: str, calendar: WorkingCalendar | None = None) -> datetime:
        """``moment`` itself if a call may start then, else the earliest moment after it (UTC)."""
        require_aware(moment)
        local_zone = ZoneInfo(zone)
        candidate = moment
        for _ in range(_SEARCH_LIMIT_DAYS):
            candidate = self._next_in_hours(candidate, local_zone)
            if calendar is None:
                return candidate
            calendar_day = candidate.astimezone(calendar.zone).date()
            if calendar.is_working_day(calendar_day):
                return candidate
            # A day off for the line: look again from its next midnight.
            candidate = _midnight(calendar_day + timedelta(days=1), calendar.zone).astimezone(timezone.utc)
        raise ValueError(f"no calling hours within {_SEARCH_LIMIT_DAYS} days of {moment.isoformat()}")

    def allows(self, moment: datetime, zone: str, calendar: WorkingCalendar | None = None) -> bool:
        return self.next_allowed(moment, zone, calendar) == moment

    def _next_in_hours(self, moment: datetime, zone: ZoneInfo) -> datetime:
        local = moment.astimezone(zone)
        for offset in range(3):
            day = local.date() + timedelta(days=offset)
            midnight = _midnight(day, zone)
            for start_minute, end_minute in self.intervals:
                start, end = _at_minute(midnight, start_minute), _at_minute(midnight, end_minute)
                if end > local:
                    return max(start, local).astimezone(timezone.utc)
        raise AssertionError("unreachable: every day has calling hours")


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def _at_minute(midnight: datetime, minute: int) -> datetime:
    # Wall-clock arithmetic: 09:00 is 09:00 even on a day the clocks change.
    naive = midnight.replace(tzinfo=None) + timedelta(minutes=minute)
    return naive.replace(tzinfo=midnight.tzinfo)
