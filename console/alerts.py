"""Notices every console page shows until someone deals with them, such as
callbacks paused by a fault in the centre's Twilio account."""
from __future__ import annotations

from flask_babel import gettext as _

from callbacks.pauses import active_pause
from console.i18n import local_time
from database import db


def console_alerts() -> list[str]:
    pause = active_pause(db.reader())          # a read: no page waits on (or takes) the write lock
    if pause is None:
        return []
    return [_("Callbacks are paused since %(at)s: Twilio error %(code)s, %(reason)s. Every complainant stays "
              "owed. Fix the Twilio account, then run `flask --app app callbacks resume`.",
              at=local_time(pause.paused_at), code=pause.code, reason=pause.reason)]
