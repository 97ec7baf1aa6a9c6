"""Case use cases that the IVR and other intake channels share."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from call_log.models import Call, Recording
from call_log.phones import mask
from cases.models import Case, CaseEvent, CaseNumberSequence, Complainant
from config.catalog import HotlineConfig
from routing.rules import route

log = logging.getLogger(__name__)

CLOSED_STATUSES = ("closed", "voided")


class UnknownCategory(ValueError):
    pass


@dataclass(frozen=True)
class NewCase:
    """A report from any channel, ready to become a case."""

    line_id: str | None
    channel: str
    description: str
    location: str | None
    category_code: str | None
    caller_e164: str | None
    callback_number: str | None
    callback_declined: bool = False
    language: str | None = None
    needs_operator: bool = False
    after_hours: bool = False
    speech_confidence: float | None = None
    call_id: int | None = None
    recording_id: int | None = None
    actor: str = "ivr"


def open_case(session: Session, config: HotlineConfig, report: NewCase, now: datetime) -> Case:
    """Intake (受理): the report becomes a case with a number, a department and a due time.

    The due time is counted from intake on the department's calendar; filing
    may recount it for categories whose clock starts at filing.
    """
    category = None
    if report.category_code:
        category = config.categories.get(report.category_code)
        if category is None:
            raise UnknownCategory(f"unknown category {report.category_code!r}")
    department = due = None
    priority = "normal"
    if category is not None:
        department = route(category, report.location, config.routing_rules).department
        priority = category.priority
        due = category.time_limit.due(now, config.calendar_of(department))
    time_zone = config.lines[report.line_id].time_zone if report.line_id in config.lines else "Asia/Shanghai"
    case = Case(
        number=next_case_number(session, now, time_zone), line_id=report.line_id, channel=report.channel,
        call_id=report.call_id, category_code=report.category_code, department_code=department,
        description=report.description, location_text=report.location, priority=priority,
        status="intake", due_at=due, needs_operator=report.needs_operator, after_hours=report.after_hours,
        recording_id=report.recording_id, speech_confidence=report.speech_confidence,
        created_at=now, updated_at=now,
    )
    case.complainants.append(Complainant(
        phone_e164=report.caller_e164, callback_number=report.callback_number,
        callback_declined=report.callback_declined, call_id=report.call_id, language=report.language,
        created_at=now,
    ))
    case.events.append(CaseEvent(
        at=now, actor=report.actor, action="intake", from_status=None, to_status="intake",
        note=f"{report.channel} report", data={"department": department, "due_at": due.isoformat() if due else None},
    ))
    session.add(case)
    session.flush()
    log.info("case %s opened on %s for %s, category %s, department %s", case.number, report.channel,
             mask(report.caller_e164), report.category_code, department)
    return case


def next_case_number(session: Session, now: datetime, time_zone: str) -> str:
    """YYMMDD and a four-digit daily serial, e.g. 2610090001: short enough to
    read out and type on a keypad.  Issued atomically on both databases."""
    day = now.astimezone(ZoneInfo(time_zone)).date()
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(CaseNumberSequence).values(day=day, last=1).on_conflict_do_update(
        index_elements=["day"], set_={"last": CaseNumberSequence.last + 1},
    ).returning(CaseNumberSequence.last)
    serial = session.execute(statement).scalar_one()
    return f"{day:%y%m%d}{serial:04d}"


def find_case(session: Session, number: str) -> Case | None:
    return session.scalars(select(Case).where(Case.number == number)).one_or_none()


def open_cases_of(session: Session, phone_e164: str, limit: int = 5) -> list[Case]:
    """A caller's cases still being worked on, newest first."""
    query = (
        select(Case).join(Complainant).where(
            Complainant.phone_e164 == phone_e164, Case.status.not_in(CLOSED_STATUSES))
        .order_by(Case.created_at.desc(), Case.id.desc()).limit(limit)
    )
    return list(session.scalars(query).unique())


def recording_by_sid(session: Session, recording_sid: str | None) -> Recording | None:
    if not recording_sid:
        return None
    return session.scalars(select(Recording).where(Recording.recording_sid == recording_sid)).one_or_none()


def call_by_id(session: Session, call_id: int) -> Call | None:
    return session.get(Call, call_id)
