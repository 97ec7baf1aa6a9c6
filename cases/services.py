"""Case use cases that the IVR and other intake channels share."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from call_log.models import Recording
from call_log.phones import mask
from cases import merging
from cases.events import AFTER_HOURS_REPORT, CASE_OPENED, publish
from cases.lifecycle import Transition, clock_starts_at_intake
from cases.merging import CaseFacts, Merge, Split
from cases.models import Case, CaseEvent, CaseNumberSequence, Complainant
from cases.repeats import EarlierCase, RepeatPolicy, Report, find_repeat
from cases.workflow import apply_to, load_for_update
from config.catalog import HotlineConfig
from database import dialect_insert
from routing.addresses import parse_address
from routing.rules import route

# How many recent cases of a category are compared with a new report.
REPEAT_CANDIDATES = 500

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
    latitude: float | None = None
    longitude: float | None = None
    media_url: str | None = None
    attributes: dict | None = None
    actor: str = "ivr"
    # The caller said it is dangerous or urgent: the case is handled as urgent
    # whatever its category, so an inspector goes at once.
    urgent: bool = False


def open_case(session: Session, config: HotlineConfig, report: NewCase, now: datetime,
              repeats: bool = True) -> Case:
    """Intake (受理): a report becomes a case, or joins the case it repeats.

    A repeat of an open case adds the complainant to it; a repeat of a
    suspended case sends it to on-site verification; a repeat of a recently
    closed case reopens it for a check.  The caller is given the number of
    the case their report is now part of.  ``repeats=False`` makes a new
    case whatever the earlier ones (a split: people chose to make it).
    """
    category = None
    if report.category_code:
        category = config.categories.get(report.category_code)
        if category is None:
            raise UnknownCategory(f"unknown category {report.category_code!r}")
    earlier = _repeated_case(session, config, report, now) if repeats else None
    if earlier is not None:
        _announce(session, config, earlier, now)
        _promise_after_hours_callback(session, config, report, earlier, now)
        return earlier
    department = None
    priority = "normal"
    if category is not None:
        department = route(category, report.location, config.routing_rules).department
        priority = "urgent" if report.urgent else category.priority
    time_zone = config.lines[report.line_id].time_zone if report.line_id in config.lines else "Asia/Shanghai"
    case = Case(
        number=next_case_number(session, now, time_zone), line_id=report.line_id, channel=report.channel,
        call_id=report.call_id, category_code=report.category_code, department_code=department,
        description=report.description, location_text=report.location, priority=priority,
        address_key=parse_address(report.location, config.places).key[:200] or None,
        latitude=report.latitude, longitude=report.longitude, media_url=report.media_url,
        attributes=report.attributes, status="intake", needs_operator=report.needs_operator,
        after_hours=report.after_hours, recording_id=report.recording_id,
        speech_confidence=report.speech_confidence, created_at=now, updated_at=now,
    )
    if category is not None and clock_starts_at_intake(priority):
        # Urgent: the time limit runs from the report itself (story 1).
        case.clock_started_at = now
        case.due_at = category.time_limit.due(now, config.calendar_of(department))
    case.complainants.append(_complainant(report, now))
    case.events.append(CaseEvent(
        at=now, actor=report.actor, role="system", action="intake", from_status=None, to_status="intake",
        department_code=department,
        note=f"{report.channel} report" + ("; the caller says it is urgent" if report.urgent else ""),
        data=({"due_at": case.due_at.isoformat()} if case.due_at else {}) | (
            {"caller_urgent": True} if report.urgent else {}) or None,
    ))
    session.add(case)
    session.flush()
    if category is not None and (category.verify_first or priority == "urgent"):
        # An inspector goes to the site at once: before filing for categories
        # that must be verified, and for urgent reports.
        reason = "urgent report" if priority == "urgent" else "category is verified on site before filing"
        apply_to(session, config, case, Transition("verify", "system", "system", now, reason=reason))
    log.info("case %s opened on %s for %s, category %s, department %s", case.number, report.channel,
             mask(report.caller_e164), report.category_code, department)
    _announce(session, config, case, now)
    _promise_after_hours_callback(session, config, report, case, now)
    return case


def merge_case(session: Session, duplicate_number: str, target_number: str, request: Merge) -> Case:
    """并单: the duplicate is voided into the target case, whose complainants
    it joins; both histories say so.  Refused (``merging.Refused``) or not
    found (``CaseNotFound``), nothing changes.  Answers the target case."""
    # Lock both rows in one order, so two merges of the same pair cannot deadlock.
    locked = {number: load_for_update(session, number) for number in sorted({duplicate_number, target_number})}
    duplicate, target = locked[duplicate_number], locked[target_number]
    plan = merging.plan_merge(facts_of(duplicate), facts_of(target), request)
    at = request.at
    duplicate.status, duplicate.status_reason, duplicate.updated_at = "voided", plan.duplicate.note, at
    duplicate.claimed_by = duplicate.claimed_at = duplicate.review_date = None
    for task in duplicate.tasks:
        if task.status == "open":
            task.status, task.result, task.completed_at = "cancelled", "merged", at
    known = {(c.phone_e164, c.callback_number) for c in target.complainants}
    joined = 0
    for complainant in duplicate.complainants:
        if (complainant.phone_e164, complainant.callback_number) in known:
            continue        # the same person is called back once
        known.add((complainant.phone_e164, complainant.callback_number))
        target.complainants.append(_copy(complainant))
        joined += 1
    target.updated_at = at
    _audit(duplicate, request.actor, request.role, at, plan.duplicate)
    _audit(target, request.actor, request.role, at, plan.target, complainants=joined)
    session.flush()
    log.info("case %s merged into %s by %s (%d complainants joined)", duplicate.number, target.number,
             request.actor, joined)
    return target


def split_case(session: Session, config: HotlineConfig, number: str, request: Split) -> Case:
    """Split a second problem off case ``number`` into a new case at intake,
    with the same complainants; both histories say so.  Answers the new case."""
    original = load_for_update(session, number)
    line_categories = frozenset(c.code for c in config.categories_of(original.line_id)) if original.line_id \
        else frozenset(config.categories)
    plan = merging.plan_split(facts_of(original), request, line_categories)
    first = original.complainants[0] if original.complainants else None
    new = open_case(session, config, NewCase(
        line_id=original.line_id, channel=original.channel, description=plan.description, location=plan.location,
        category_code=plan.category, caller_e164=first.phone_e164 if first else None,
        callback_number=first.callback_number if first else None,
        callback_declined=first.callback_declined if first else False, language=first.language if first else None,
        call_id=first.call_id if first else original.call_id, actor=request.actor), request.at, repeats=False)
    for complainant in original.complainants[1:]:
        new.complainants.append(_copy(complainant))
    original.updated_at = request.at
    _audit(original, request.actor, request.role, request.at, plan.original, new_case=new.number)
    _audit(new, request.actor, request.role, request.at, plan.new_case)
    session.flush()
    log.info("case %s split: a second problem became case %s", original.number, new.number)
    return new


def facts_of(case: Case) -> CaseFacts:
    return CaseFacts(case.number, case.status, case.line_id, case.category_code, case.location_text)


def _audit(case: Case, actor: str, role: str, at: datetime, audit: merging.Audit, **more) -> None:
    case.events.append(CaseEvent(
        at=at, actor=actor, role=role, action=audit.action,
        # A step that keeps the status keeps the one the case has now (a split-off case may be verifying).
        from_status=case.status if audit.from_status == audit.to_status else audit.from_status,
        to_status=case.status, department_code=case.department_code, note=audit.note,
        data={**audit.data, **more}))


def _copy(complainant: Complainant) -> Complainant:
    return Complainant(phone_e164=complainant.phone_e164, callback_number=complainant.callback_number,
                       callback_declined=complainant.callback_declined, call_id=complainant.call_id,
                       language=complainant.language, created_at=complainant.created_at)


def change_callback_number(session: Session, case_number: str, call_id: int, number: str) -> bool:
    """The caller on ``call_id`` wants to be called back on ``number``."""
    complainant = session.scalars(
        select(Complainant).join(Case).where(Case.number == case_number, Complainant.call_id == call_id)
    ).first()
    if complainant is None:
        return False
    complainant.callback_number, complainant.callback_declined = number, False
    return True


def _announce(session: Session, config: HotlineConfig, case: Case, now: datetime) -> None:
    """The report is now part of ``case``: tell who listens (an SMS receipt)."""
    publish(CASE_OPENED, session=session, config=config, case=case, complainant=case.complainants[-1], at=now)


def _promise_after_hours_callback(session: Session, config: HotlineConfig, report: NewCase, case: Case,
                                  now: datetime) -> None:
    """Out of hours the IVR promises a call when the line opens; owe it."""
    if report.after_hours:
        publish(AFTER_HOURS_REPORT, session=session, config=config, case=case, complainant=case.complainants[-1],
                at=now)


def _complainant(report: NewCase, now: datetime) -> Complainant:
    return Complainant(
        phone_e164=report.caller_e164, callback_number=report.callback_number,
        callback_declined=report.callback_declined, call_id=report.call_id, language=report.language,
        created_at=now,
    )


def _repeated_case(session: Session, config: HotlineConfig, report: NewCase, now: datetime) -> Case | None:
    """The earlier case this report repeats, updated; None if it is new."""
    if not report.category_code or not report.location:
        return None
    window = timedelta(days=config.repeat_window_days)
    # Only the columns the comparison needs: this runs on every report.
    candidates = session.execute(
        select(Case.number, Case.category_code, Case.location_text, Case.status, Case.created_at,
               Case.updated_at).where(
            Case.category_code == report.category_code, Case.status != "voided",
            or_(Case.status != "closed", Case.updated_at >= now - window))
        .order_by(Case.created_at.desc()).limit(REPEAT_CANDIDATES)
    ).all()
    earlier = [EarlierCase(c.number, c.category_code, c.location_text, c.status, c.created_at,
                           c.updated_at if c.status == "closed" else None) for c in candidates]
    policy = RepeatPolicy(window=window, places=config.places)
    decision = find_repeat(Report(report.category_code, report.location, now), earlier, policy)
    if not decision.is_repeat:
        return None
    case = load_for_update(session, decision.case_number)
    case.complainants.append(_complainant(report, now))
    case.events.append(CaseEvent(
        at=now, actor=report.actor, role="system", action="repeat_report", from_status=case.status,
        to_status=case.status, department_code=case.department_code,
        note=f"repeat report by {report.channel}: {report.description}"[:2000],
        data={"location": report.location, "call_id": report.call_id,
              "similarity": round(decision.similarity, 3), "decision": decision.action},
    ))
    step = decision.transition(now)
    if step is not None:
        apply_to(session, config, case, step)
    session.flush()
    log.info("report by %s joins case %s (%s)", mask(report.caller_e164), case.number, decision.action)
    return case


def next_case_number(session: Session, now: datetime, time_zone: str) -> str:
    """YYMMDD and a four-digit daily serial, e.g. 2610090001: short enough to
    read out and type on a keypad.  Issued atomically on both databases."""
    day = now.astimezone(ZoneInfo(time_zone)).date()
    statement = dialect_insert(session, CaseNumberSequence).values(day=day, last=1).on_conflict_do_update(
        index_elements=["day"], set_={"last": CaseNumberSequence.last + 1},
    ).returning(CaseNumberSequence.last)
    serial = session.execute(statement).scalar_one()
    return f"{day:%y%m%d}{serial:04d}"


def find_case(session: Session, number: str) -> Case | None:
    return session.scalars(select(Case).where(Case.number == number)).one_or_none()


def latest_case_of_call(session: Session, call_id: int) -> Case | None:
    """The newest case filed from a call (an operator's case form on it), or None."""
    return session.scalars(select(Case).where(Case.call_id == call_id).order_by(Case.id.desc()).limit(1)).first()


def open_cases_of(session: Session, phone_e164: str, limit: int = 5) -> list[tuple[str, str | None]]:
    """A caller's cases still being worked on, newest first: (number,
    category code).  Read on every incoming call, so without the ORM."""
    return [(row.number, row.category_code) for row in session.connection().execute(
        _OPEN_CASES_OF, {"phone": phone_e164, "limit": limit})]


_OPEN_CASES_OF = (
    select(Case.__table__.c.number, Case.__table__.c.category_code)
    .where(select(Complainant.__table__.c.id).where(
        Complainant.__table__.c.case_id == Case.__table__.c.id,
        Complainant.__table__.c.phone_e164 == bindparam("phone")).exists(),
        Case.__table__.c.status.not_in(CLOSED_STATUSES))
    .order_by(Case.__table__.c.created_at.desc(), Case.__table__.c.id.desc()).limit(bindparam("limit"))
)


def recording_by_sid(session: Session, recording_sid: str | None) -> Recording | None:
    if not recording_sid:
        return None
    return session.scalars(select(Recording).where(Recording.recording_sid == recording_sid)).one_or_none()
