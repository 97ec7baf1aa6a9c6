"""What the case pages ask of the database: a page of cases by the console's
filters, and everything about one case.  The steps themselves go through
``api.services.transition_as`` and ``dispatch.services``, as the API's do.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from accounts.services import display_names
from api.services import RUNNING, Page
from call_log.models import Call, IvrStep, Recording
from callbacks.models import Callback, SurveyAnswer
from cases.models import Case, CaseEvent, Complainant
from notifications.models import OutboxMessage

SORTS = {
    "newest": (Case.created_at.desc(), Case.id.desc()),
    "oldest": (Case.created_at, Case.id),
    "due": (Case.due_at.is_(None), Case.due_at, Case.id),
    "updated": (Case.updated_at.desc(), Case.id.desc()),
}
PER_PAGE = 25
# A q of this many digits or more may be the end of a complainant's phone number.
PHONE_DIGITS = 4


@dataclass(frozen=True)
class CaseFilter:
    q: str | None = None
    status: str | None = None
    department: str | None = None
    category: str | None = None
    line: str | None = None
    channel: str | None = None
    overdue: bool = False
    needs_person: bool = False
    created_from: date | None = None
    created_to: date | None = None        # inclusive: the whole day
    sort: str = "newest"
    page: int = 1


def search(session: Session, wanted: CaseFilter, now: datetime, time_zone: str) -> Page[Case]:
    """Cases matching every filter, in the order asked for."""
    conditions = [_words(word) for word in (wanted.q or "").split()]
    if wanted.status:
        conditions.append(Case.status == wanted.status)
    for column, value in ((Case.department_code, wanted.department), (Case.category_code, wanted.category),
                          (Case.line_id, wanted.line), (Case.channel, wanted.channel)):
        if value:
            conditions.append(column == value)
    if wanted.overdue:
        conditions += [Case.due_at < now, Case.status.in_(RUNNING)]
    if wanted.needs_person:
        conditions += [Case.needs_operator.is_(True), Case.status.in_(RUNNING)]
    zone = ZoneInfo(time_zone)
    if wanted.created_from:
        conditions.append(Case.created_at >= datetime.combine(wanted.created_from, time(), zone))
    if wanted.created_to:
        conditions.append(Case.created_at < datetime.combine(wanted.created_to + timedelta(days=1), time(), zone))
    statement = (select(Case).where(*conditions).options(selectinload(Case.complainants))
                 .order_by(*SORTS.get(wanted.sort, SORTS["newest"])))
    return _page(session, statement, max(1, wanted.page), PER_PAGE)


def _words(word: str):
    """One word of q: part of the case number, the description or the place,
    or (digits only) the last digits of a complainant's number."""
    matches = [Case.number.icontains(word, autoescape=True), Case.description.icontains(word, autoescape=True),
               Case.location_text.icontains(word, autoescape=True)]
    if word.isdigit() and len(word) >= PHONE_DIGITS:
        matches.append(exists().where(Complainant.case_id == Case.id, or_(
            Complainant.phone_e164.endswith(word, autoescape=True),
            Complainant.callback_number.endswith(word, autoescape=True))))
    return or_(*matches)


@dataclass
class CaseFile:
    """Everything the case page shows about one case."""

    case: Case
    calls: list[Call] = field(default_factory=list)
    steps: dict[int, list[IvrStep]] = field(default_factory=dict)
    recordings: list[Recording] = field(default_factory=list)
    callbacks: list[Callback] = field(default_factory=list)
    answers: list[SurveyAnswer] = field(default_factory=list)
    notifications: list[OutboxMessage] = field(default_factory=list)
    repeats: list[CaseEvent] = field(default_factory=list)
    # Who acted, by actor ("user:op1" → the user's display name); API keys keep their own.
    actors: dict[str, str] = field(default_factory=dict)

    def actor_name(self, actor: str | None) -> str:
        return self.actors.get(actor or "", actor or "")


def case_file(session: Session, case: Case) -> CaseFile:
    call_ids = {c.call_id for c in case.complainants if c.call_id} | ({case.call_id} if case.call_id else set())
    calls = list(session.scalars(select(Call).where(Call.id.in_(call_ids)).order_by(Call.started_at))) \
        if call_ids else []
    steps: dict[int, list[IvrStep]] = {}
    for step in session.scalars(select(IvrStep).where(IvrStep.call_id.in_(call_ids))
                                .order_by(IvrStep.call_id, IvrStep.sequence)) if call_ids else []:
        steps.setdefault(step.call_id, []).append(step)
    recordings = list(session.scalars(select(Recording).where(or_(
        Recording.call_id.in_(call_ids), Recording.id == case.recording_id)).order_by(Recording.id))) \
        if call_ids or case.recording_id else []
    callbacks = list(session.scalars(select(Callback).where(Callback.case_id == case.id)
                                     .options(selectinload(Callback.attempts_made)).order_by(Callback.id)))
    answers = list(session.scalars(select(SurveyAnswer).where(SurveyAnswer.case_id == case.id)
                                   .order_by(SurveyAnswer.answered_at)))
    departments = {e.department_code for e in case.events if e.department_code}
    # The outbox keeps the case in its payload; look only at the departments the case has been with.
    candidates = session.scalars(select(OutboxMessage).where(and_(
        OutboxMessage.department_code.in_(departments), OutboxMessage.created_at >= case.created_at))
        .order_by(OutboxMessage.id).limit(500)) if departments else []
    notifications = [m for m in candidates if ((m.payload or {}).get("case") or {}).get("number") == case.number]
    repeats = [e for e in case.events if e.action == "repeat_report"]
    users = {e.actor.removeprefix("user:") for e in case.events if e.actor and e.actor.startswith("user:")}
    actors = {"user:" + username: name for username, name in display_names(session, users).items()}
    return CaseFile(case, calls, steps, recordings, callbacks, answers, notifications, repeats, actors)


def _page(session: Session, statement: Select, page: int, per_page: int) -> Page:
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    items = session.scalars(statement.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items, total or 0, page, per_page)


# --- each role's start page ---------------------------------------------------------

HOME_LIMIT = 20


def dispatcher_home(session: Session) -> dict[str, list[Case]]:
    """What a dispatcher works through: reports to file, cases to dispatch,
    voicemails to listen to, and reports that asked for a person."""
    def cases(*conditions, order=(Case.created_at, Case.id)):
        return list(session.scalars(select(Case).where(*conditions).options(selectinload(Case.complainants))
                                    .order_by(*order).limit(HOME_LIMIT)))
    return {
        "to_file": cases(Case.status.in_(("intake", "verifying")), Case.needs_operator.is_(False)),
        "to_dispatch": cases(Case.status.in_(("filed", "returned")), order=SORTS["due"]),
        "voicemails": cases(Case.recording_id.is_not(None), Case.status.in_(("intake", "verifying"))),
        "needs_person": cases(Case.needs_operator.is_(True), Case.recording_id.is_(None),
                              Case.status.in_(("intake", "verifying"))),
    }


def recent_cases_of(session: Session, actor: str) -> list[Case]:
    """The cases this person last worked on (any step they took), newest first."""
    latest = (select(CaseEvent.case_id, func.max(CaseEvent.id).label("last")).where(CaseEvent.actor == actor)
              .group_by(CaseEvent.case_id).subquery())
    return list(session.scalars(select(Case).join(latest, latest.c.case_id == Case.id)
                                .order_by(latest.c.last.desc()).limit(HOME_LIMIT)))
