"""督办: the supervisor's watch over cases at or near their time limit.

The overdue list is every case whose time limit is still running and falls
due within a day (or has passed), grouped by the department that holds it.
A supervisor can *remind* the department (a notification through the
outbox, for a department whose system receives them) and *mark a case as
supervised* (taken under the centre's supervision).  Both are written in
the case's history, as events that change no status, and in the audit log.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.services import Principal, audit
from cases.hotspots import Hotspot, Reported, Weeks
from cases.hotspots import hotspots as find_hotspots
from cases.models import Case, CaseEvent
from cases.workflow import load_for_update, notification_of
from config.catalog import HotlineConfig
from notifications.services import notify_department

# The statuses in which a case's time limit runs (those flag_overdue escalates).
RUNNING = ("intake", "verifying", "filed", "dispatched", "handling", "returned")
DUE_SOON = timedelta(hours=24)
REMIND, SUPERVISE = "remind", "supervise"
# A department reminded this recently is not reminded again (a double click, two supervisors).
REMIND_AGAIN_AFTER = timedelta(minutes=10)


class NotWatched(ValueError):
    """The case's time limit is not running: nothing to supervise."""


class NoDepartment(ValueError):
    """The case is with no department yet: there is no one to remind."""


class RemindedJustNow(ValueError):
    """The department was reminded of this case a moment ago."""


def standing(due_at: datetime | None, now: datetime, within: timedelta = DUE_SOON) -> str | None:
    """"late" past the limit, "due_soon" within ``within`` of it, else None."""
    if due_at is None:
        return None
    if due_at < now:
        return "late"
    return "due_soon" if due_at - now <= within else None


@dataclass(frozen=True)
class Watched:
    case: Case
    standing: str                        # late | due_soon
    reminded: CaseEvent | None = None    # the last reminder
    supervised: CaseEvent | None = None  # when it was marked as supervised


@dataclass(frozen=True)
class DepartmentWatch:
    department_code: str | None
    cases: tuple[Watched, ...]

    @property
    def late(self) -> int:
        return sum(1 for w in self.cases if w.standing == "late")


def overdue(session: Session, now: datetime, *, within: timedelta = DUE_SOON,
            limit: int = 1000) -> list[DepartmentWatch]:
    """Cases past or within ``within`` of their limit, by department: the
    departments with most late cases first, each department's soonest due first."""
    cases = list(session.scalars(
        select(Case).where(Case.status.in_(RUNNING), Case.due_at.is_not(None), Case.due_at <= now + within)
        .order_by(Case.due_at, Case.id).limit(limit)))
    last: dict[tuple[int, str], CaseEvent] = {}
    if cases:
        for event in session.scalars(select(CaseEvent).where(
                CaseEvent.case_id.in_([c.id for c in cases]), CaseEvent.action.in_((REMIND, SUPERVISE)))
                .order_by(CaseEvent.id)):
            last[(event.case_id, event.action)] = event
    groups: dict[str | None, list[Watched]] = {}
    for case in cases:
        groups.setdefault(case.department_code, []).append(Watched(
            case, standing(case.due_at, now, within) or "due_soon", last.get((case.id, REMIND)),
            last.get((case.id, SUPERVISE))))
    watches = [DepartmentWatch(code, tuple(items)) for code, items in groups.items()]
    return sorted(watches, key=lambda w: (-w.late, -len(w.cases), w.department_code or "~"))


def remind(session: Session, config: HotlineConfig, principal: Principal, number: str, now: datetime,
           note: str | None = None) -> tuple[Case, bool]:
    """Remind the department holding case ``number`` of its time limit.
    Returns the case, and whether a notification went to the department's
    system (False for a department that has none: the page says to call it)."""
    case = _watched(session, number)
    if case.department_code is None:
        raise NoDepartment(f"case {number} is with no department yet")
    earlier = [e for e in case.events if e.action == REMIND and now - e.at < REMIND_AGAIN_AFTER]
    if earlier:
        raise RemindedJustNow(f"{case.department_code} was reminded of case {number} at {earlier[-1].at}")
    event = _event(case, principal, REMIND, now, note)
    message = notify_department(session, config, case.department_code, "case.remind",
                                notification_of(case, event), now)
    event.data = {**(event.data or {}), "notified": message is not None}
    audit(session, principal, "remind_department", case.number, now, detail=case.department_code,
          data={"notified": message is not None})
    session.flush()
    return case, message is not None


def supervise(session: Session, principal: Principal, number: str, now: datetime,
              note: str | None = None) -> Case:
    """Mark case ``number`` as taken under the centre's supervision (督办)."""
    case = _watched(session, number)
    _event(case, principal, SUPERVISE, now, note)
    audit(session, principal, "supervise_case", case.number, now, detail=case.department_code)
    session.flush()
    return case


def _watched(session: Session, number: str) -> Case:
    case = load_for_update(session, number)
    if case.status not in RUNNING or case.due_at is None:
        raise NotWatched(f"case {number} is {case.status}; its time limit is not running")
    return case


def _event(case: Case, principal: Principal, action: str, now: datetime, note: str | None) -> CaseEvent:
    event = CaseEvent(at=now, actor=principal.actor, role=principal.role, action=action, from_status=case.status,
                      to_status=case.status, department_code=case.department_code,
                      note=(note or "").strip()[:2000] or None,
                      data={"due_at": case.due_at.isoformat(), "late": case.due_at < now})
    case.events.append(event)
    case.updated_at = now
    return event


# --- hotspots -------------------------------------------------------------------------

HOTSPOT_WEEKS = 8
HOTSPOT_MINIMUM = 3


def hotspots(session: Session, now: datetime, time_zone: str, *, weeks: int = HOTSPOT_WEEKS,
             minimum: int = HOTSPOT_MINIMUM) -> tuple[Weeks, list[Hotspot], list[Hotspot]]:
    """Places and categories reported at least ``minimum`` times in the last
    ``weeks`` weeks: every report that opened a case or repeated one."""
    looked_at = Weeks.ending(now, weeks, time_zone)
    rows = session.execute(
        select(Case.number, Case.category_code, Case.address_key, Case.location_text, CaseEvent.at,
               CaseEvent.action)
        .join(CaseEvent, CaseEvent.case_id == Case.id)
        .where(CaseEvent.action.in_(("intake", "repeat_report")), CaseEvent.at >= looked_at.since,
               CaseEvent.at <= now, Case.status != "voided")
        .order_by(CaseEvent.at, CaseEvent.id))
    reports = [Reported(row.number, row.category_code, row.address_key, row.location_text, row.at,
                        row.action == "repeat_report") for row in rows]
    places, categories = find_hotspots(reports, looked_at, minimum)
    return looked_at, places, categories
