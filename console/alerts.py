"""Notices every console page shows until someone deals with them, such as
callbacks paused by a fault in the centre's Twilio account."""
from __future__ import annotations

from callbacks.pauses import active_pause
from database import db


def console_alerts() -> list[str]:
    pause = active_pause(db.reader())          # a read: no page waits on (or takes) the write lock
    if pause is None:
        return []
    return [f"回访已暂停 Callbacks are paused since {pause.paused_at:%Y-%m-%d %H:%M} UTC: Twilio error {pause.code}, "
            f"{pause.reason}. Every complainant stays owed. Fix the Twilio account, then run "
            f"`flask --app app callbacks resume`."]
