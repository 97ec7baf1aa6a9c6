"""Time limits (处置时限): how long disposal of a category may take.

The one place where a category's limit becomes a due time.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from routing.calendar import WorkingCalendar, require_aware

UNITS = ("working_hours", "working_days", "hours")
_PATTERN = re.compile(r"^\s*(\d+)\s+(working hours?|working days?|hours?)\s*$")


@dataclass(frozen=True)
class TimeLimit:
    amount: int
    unit: str  # one of UNITS

    @classmethod
    def parse(cls, text: str) -> "TimeLimit":
        match = _PATTERN.match(str(text))
        if not match:
            raise ValueError(f"{text!r} is not a time limit; "
                             "write e.g. '4 working hours', '15 working days' or '2 hours'")
        amount = int(match.group(1))
        if amount <= 0:
            raise ValueError(f"{text!r}: a time limit must be positive")
        words = match.group(2)
        unit = "working_days" if "day" in words else ("working_hours" if "working" in words else "hours")
        return cls(amount, unit)

    def __str__(self) -> str:
        return f"{self.amount} {self.unit.replace('_', ' ')}"

    def due(self, start: datetime, calendar: WorkingCalendar) -> datetime:
        """When a case whose clock starts at ``start`` falls due (UTC)."""
        # Checked here too: a naive start would be read as the server's local
        # time by the clock-hours branch, silently shifting the due time.
        require_aware(start)
        if self.unit == "hours":
            return (start + timedelta(hours=self.amount)).astimezone(timezone.utc)
        if self.unit == "working_hours":
            return calendar.add_working_time(start, timedelta(hours=self.amount))
        return calendar.add_working_days(start, self.amount)
