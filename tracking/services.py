"""Looking a case up for the tracking page.

What it shows: the case number, the category, the status as a timeline in
plain words, the department and the expected time.  Never the description,
the place, a phone number, a note or who did what: those can name people.

A wrong case number and wrong digits are the same answer (``None``), reached
through the same queries and the same comparison, and both count towards
the throttle, so the page says nothing about whether a case exists.
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from cases.models import Case, CaseEvent, Complainant
from config.catalog import HotlineConfig
from config.settings import TrackingSettings
from tracking.models import TrackingFailure

LANGUAGES = ("zh-CN", "en-US")
# Compared with when the case is missing, so that both paths do the same work.
_NO_DIGITS = "----"


class TooManyTries(Exception):
    """Too many lookups found nothing from this address or for this number."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"throttled until {until.isoformat(timespec='minutes')}")
        self.until = until


@dataclass(frozen=True)
class Step:
    at: str                              # local time, in the line's zone
    words: dict[str, str]                # language -> plain words


@dataclass(frozen=True)
class Tracked:
    number: str
    category: dict[str, str]
    status: dict[str, str]
    department: dict[str, str] | None
    expected: str | None                 # when disposal falls due, local time; None once closed
    closed: bool
    steps: tuple[Step, ...]


def normalised_number(text: str | None) -> str:
    return "".join(ch for ch in (text or "") if ch.isdigit())[:32]


def track(session: Session, config: HotlineConfig, number: str, last4: str, address: str, now: datetime,
          limits: TrackingSettings) -> Tracked | None:
    """The case, if ``last4`` are the last four digits of a phone that reported
    it (the calling number or the callback number); else None.  Raises
    ``TooManyTries`` while the address or the number is throttled."""
    number, address = normalised_number(number), (address or "unknown")[:64]
    last4 = "".join(ch for ch in (last4 or "") if ch.isdigit())
    _check_throttle(session, number, address, now, limits)
    case = session.scalars(select(Case).where(Case.number == number)).one_or_none() if number else None
    # The complainants are asked for even when there is no case (of case 0), so
    # that an unknown number takes the same queries as wrong digits.
    case_id = case.id if case is not None else 0
    phones = [p for c in session.scalars(select(Complainant).where(Complainant.case_id == case_id))
              for p in (c.phone_e164, c.callback_number) if p]
    matched = False
    for phone in phones or [_NO_DIGITS]:
        matched |= hmac.compare_digest(phone[-4:].encode(), last4.encode()) and len(last4) == 4
    if case is None or not phones or not matched:
        session.add(TrackingFailure(at=now, address=address, case_number=number or "-"))
        session.flush()
        return None
    return _tracked(session, config, case)


def _check_throttle(session: Session, number: str, address: str, now: datetime,
                    limits: TrackingSettings) -> None:
    since = now - limits.window
    session.execute(delete(TrackingFailure).where(TrackingFailure.at <= since))
    for column, value, limit in ((TrackingFailure.address, address, limits.max_failures_per_address),
                                 (TrackingFailure.case_number, number or "-", limits.max_failures_per_case)):
        count, last = session.execute(select(func.count(), func.max(TrackingFailure.at))
                                      .where(column == value, TrackingFailure.at > since)).one()
        if count >= limit:
            raise TooManyTries(last + limits.window)


def _tracked(session: Session, config: HotlineConfig, case: Case) -> Tracked:
    line = config.lines.get(case.line_id or "") or next(iter(config.lines.values()))
    zone = ZoneInfo(line.time_zone)
    department = config.departments.get(case.department_code or "")
    category = config.categories.get(case.category_code or "")
    events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                             .order_by(CaseEvent.at, CaseEvent.id)).all()
    steps, last = [], None
    for event in events:
        if event.to_status == last:
            continue                 # a correction or a note: the citizen's timeline has not moved
        last = event.to_status
        event_department = config.departments.get(event.department_code or "")
        steps.append(Step(_local(event.at, zone), _status_words(config, event.to_status, event_department)))
    closed = case.status in ("closed", "voided")
    return Tracked(
        number=case.number,
        category={lang: category.name(lang) for lang in LANGUAGES} if category else {"zh-CN": "待分类",
                                                                                     "en-US": "to be classified"},
        status=_status_words(config, case.status, department),
        department={lang: department.name(lang) for lang in LANGUAGES} if department else None,
        expected=None if closed or case.due_at is None else _local(case.due_at, zone),
        closed=closed, steps=tuple(steps))


def _status_words(config: HotlineConfig, status: str, department) -> dict[str, str]:
    """The IVR's own words for a status (``status_*`` prompts), for the page."""
    words = {}
    for language in LANGUAGES:
        prompts = config.prompts[language]
        name = department.name(language) if department else ("相关部门" if language == "zh-CN" else "the department")
        try:
            text = prompts.text(f"status_{status}").format(department=name)
        except KeyError:
            text = status
        words[language] = f"The case {text}" if language == "en-US" else text
    return words


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")
