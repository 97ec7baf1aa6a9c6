"""Carrier time.

A real call spends seconds ringing, on hold and in pauses.  The carrier keeps
those waits but multiplies them by ``scale``: 1.0 for the browser phone, so a
person lives through them, and a small fraction in tests, so a suite of calls
runs in seconds.  Every wait also ends as soon as something happens to the
call, so no behaviour depends on a wait being long enough.
"""
from __future__ import annotations

from datetime import UTC, datetime


class Clock:
    def __init__(self, scale: float = 1.0) -> None:
        if scale < 0:
            raise ValueError("a clock cannot run backwards")
        self.scale = scale

    def now(self) -> datetime:
        return datetime.now(UTC)

    def seconds(self, call_seconds: float | None) -> float | None:
        """Real seconds to wait for ``call_seconds`` of call time (None: no limit)."""
        return None if call_seconds is None else call_seconds * self.scale
