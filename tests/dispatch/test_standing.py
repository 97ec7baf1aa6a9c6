"""Which cases the overdue list (督办) shows: past the limit, or within a day of it."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from dispatch.supervision import standing

NOW = datetime(2026, 10, 9, 2, 0, tzinfo=timezone.utc)


def test_late_due_soon_or_not_yet():
    assert standing(NOW - timedelta(minutes=1), NOW) == "late"
    assert standing(NOW + timedelta(hours=24), NOW) == "due_soon"
    assert standing(NOW + timedelta(hours=24, minutes=1), NOW) is None
    assert standing(None, NOW) is None
    assert standing(NOW + timedelta(hours=3), NOW, within=timedelta(hours=2)) is None
