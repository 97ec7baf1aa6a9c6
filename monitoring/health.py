"""Readiness: the database answers, the configuration is loaded, and a
scheduler leads (its heartbeat is recent)."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from config.catalog import HotlineConfig
from scheduler.heartbeat import last_beat

log = logging.getLogger(__name__)


@dataclass
class Readiness:
    checks: dict[str, dict] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return all(check["ok"] for check in self.checks.values())


def readiness(session: Session, config: HotlineConfig | None, now: datetime, scheduler_within: timedelta) -> Readiness:
    result = Readiness()
    result.checks["config"] = {"ok": config is not None and bool(config.lines),
                               "lines": len(config.lines) if config else 0}
    try:
        session.execute(text("SELECT 1"))
        heartbeat = last_beat(session)
    except Exception as error:  # noqa: BLE001 - any failure means "not ready"; details go to the log only
        log.warning("readiness: the database does not answer: %s", error.__class__.__name__)
        result.checks["database"] = {"ok": False}
        result.checks["scheduler"] = {"ok": False, "seconds_since_heartbeat": None}
        return result
    result.checks["database"] = {"ok": True}
    age = None if heartbeat is None else max(0, int((now - heartbeat.seen_at).total_seconds()))
    result.checks["scheduler"] = {"ok": age is not None and age <= scheduler_within.total_seconds(),
                                  "seconds_since_heartbeat": age}
    return result
