"""Pausing callbacks when Twilio refuses the centre's own account.

An account fault (error 21215: no permission to call +86; 21210: the From
number is not verified; 21205: a bad Url...) would fail every call alike.
Rather than burn each complainant's attempts, or mark them unreachable, the
dispatcher stops placing calls and raises an alert: an ERROR in the log, a
notice on every console page, and ``flask --app app callbacks status``.
Everyone stays owed; ``flask --app app callbacks resume`` goes on once the
account is fixed.
"""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from callbacks.models import CallbackPause

log = logging.getLogger(__name__)


def active_pause(session: Session) -> CallbackPause | None:
    """The pause in force (the earliest, should two have been raised at once)."""
    return session.scalars(select(CallbackPause).where(CallbackPause.resumed_at.is_(None))
                           .order_by(CallbackPause.id).limit(1)).first()


def pause_callbacks(session: Session, code: int | None, reason: str, now: datetime,
                    attempt_id: int | None = None) -> CallbackPause:
    """Pause callbacks, once: a pause already in force stands."""
    current = active_pause(session)
    if current is not None:
        return current
    pause = CallbackPause(code=code, reason=reason[:2000], attempt_id=attempt_id, paused_at=now)
    session.add(pause)
    session.flush()
    log.error("CALLBACKS PAUSED: Twilio refused calls.create with error %s (%s). No callback is placed until "
              "the account is fixed and `flask --app app callbacks resume` is run; every complainant stays owed.",
              code, reason)
    return pause


def resume_callbacks(session: Session, now: datetime, actor: str) -> int:
    """End every pause in force; returns how many there were."""
    resumed = session.execute(update(CallbackPause).where(CallbackPause.resumed_at.is_(None))
                              .values(resumed_at=now, resumed_by=actor[:100])).rowcount or 0
    if resumed:
        log.warning("callbacks resumed by %s", actor)
    return resumed
