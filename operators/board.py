"""The live board: every call now in the IVR or waiting for a person, with
what the caller has said so far."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from accounts.services import display_names
from call_log.models import Call, IvrStep
from call_log.phones import mask
from call_log.services import FINAL_STATUSES
from cases.models import Case, Complainant
from cases.services import CLOSED_STATUSES
from config.catalog import HotlineConfig
from ivr.voice import CallState
from operators.models import Seat

# A call Twilio has said nothing about for this long is gone, even when its
# final status callback was lost: a caller in the IVR is heard from at every
# prompt, a queued one at every wait round.  A call an operator has joined
# says nothing while they talk, so it stays up to STALE_AFTER.
QUIET_AFTER = timedelta(minutes=5)
STALE_AFTER = timedelta(hours=2)
# What one poll shows at most: the calls waiting longest, the latest things
# each caller said, each cut to a line.
MAX_CALLS = 200
MAX_SAID = 3
MAX_SAID_CHARS = 200
MAX_OPEN_CASES = 5

STEP_LABELS = {
    "menu": "main menu", "open_case_offer": "hearing open case", "describe": "describing the problem",
    "confirm_category": "confirming category", "offer_category": "choosing category",
    "category_groups": "choosing category",
    "category_group": "choosing category", "location": "giving the location",
    "callback_confirm": "callback number", "callback_change_offer": "callback number",
    "callback_entry": "entering callback number",
    "status_entry": "case status", "status_more": "case status", "seeking_operator": "asking for a person",
    "queued": "waiting for an operator", "operator_offer": "voicemail or callback?", "voicemail": "leaving a message",
    "voicemail_saving": "leaving a message",
    "enquiry_searching": "hearing an answer", "enquiry_answered": "hearing an answer",
    "enquiry_escalating": "hearing an answer", "enquiry_sending": "hearing an answer",
    "done": "finishing",
}
# A seat holding the call says more than the IVR's last step (which, once
# the caller left the queue for an operator, is its goodbye).
SEAT_STEPS = {"ringing": "ringing an operator", "on_call": "talking to an operator"}


@dataclass(frozen=True)
class LiveCall:
    call_sid: str
    line: str
    caller: str
    caller_masked: str
    step: str
    seconds: int
    said: list[str]
    category_code: str | None
    category_name: str | None
    queue: str | None
    queue_position: int | None
    operator: str | None          # who holds the call: their user name
    operator_name: str | None     # and the name the console shows for them
    open_cases: list[str]
    conference_state: str | None = None   # the operator's side of the call (operators.conference)

    def as_dict(self, full_numbers: bool = False) -> dict:
        data = dict(self.__dict__)
        data["caller"] = self.caller if full_numbers else self.caller_masked
        data.pop("caller_masked")
        return data


@dataclass(frozen=True)
class Board:
    calls: list[LiveCall]
    more: int = 0             # live calls beyond MAX_CALLS, not shown


def live(now: datetime):
    """The condition for a call still going on, by what Twilio last told us."""
    return and_(Call.direction == "inbound", Call.status.not_in(FINAL_STATUSES),
                or_(Call.last_seen_at >= now - QUIET_AFTER,
                    and_(Call.operator_joined_at.is_not(None), Call.started_at >= now - STALE_AFTER)))


def live_calls(session: Session, config: HotlineConfig, now: datetime) -> Board:
    calls = list(session.scalars(select(Call).where(live(now)).order_by(Call.started_at, Call.id).limit(MAX_CALLS + 1)))
    more = 0
    if len(calls) > MAX_CALLS:
        calls = calls[:MAX_CALLS]
        more = (session.scalar(select(func.count()).select_from(Call).where(live(now))) or 0) - MAX_CALLS
    if not calls:
        return Board([])
    said: dict[int, list[str]] = defaultdict(list)
    for call_id, speech in session.execute(
            select(IvrStep.call_id, func.substr(IvrStep.speech, 1, MAX_SAID_CHARS + 1))
            .where(IvrStep.call_id.in_([c.id for c in calls]), IvrStep.speech.is_not(None))
            .order_by(IvrStep.call_id, IvrStep.sequence)):
        said[call_id].append(speech if len(speech) <= MAX_SAID_CHARS else speech[:MAX_SAID_CHARS - 1] + "…")
    callers = {c.caller_e164 for c in calls if c.caller_e164}
    open_cases: dict[str, list[str]] = defaultdict(list)
    if callers:
        for phone, number in session.execute(
                select(Complainant.phone_e164, Case.number).join(Case)
                .where(Complainant.phone_e164.in_(callers), Case.status.not_in(CLOSED_STATUSES))
                .order_by(Case.created_at.desc())):
            # A caller can be a complainant of one case more than once
            # (each call that joined it): list the case once.
            if number not in open_cases[phone]:
                open_cases[phone].append(number)
    positions = queue_positions(session, now)
    seated = dict(session.execute(select(Seat.call_sid, Seat.state).where(
        Seat.call_sid.in_([c.call_sid for c in calls]))).all())
    names = display_names(session, {c.operator for c in calls if c.operator})
    board = []
    for call in calls:
        state = CallState.from_json(call.ivr_state) if call.ivr_state else None
        line = config.lines.get(call.line_id or "")
        category = config.categories.get(state.category_code or "") if state else None
        board.append(LiveCall(
            call_sid=call.call_sid, line=line.name("zh-CN") if line else (call.line_id or "?"),
            caller=call.caller_e164 or call.from_raw or "", caller_masked=mask(call.caller_e164) or "anonymous",
            step=SEAT_STEPS.get(seated.get(call.call_sid, ""))
            or (STEP_LABELS.get(state.node, state.node) if state else "ringing"),
            seconds=int((now - call.started_at).total_seconds()), said=said.get(call.id, [])[-MAX_SAID:],
            category_code=category.code if category else None,
            category_name=category.name("zh-CN") if category else None,
            queue=call.queue_name if call.queued_at and not call.queue_ended_at else None,
            queue_position=positions.get(call.id) if call.queued_at and not call.queue_ended_at else None,
            operator=call.operator, operator_name=names.get(call.operator or "", call.operator),
            open_cases=open_cases.get(call.caller_e164 or "", [])[:MAX_OPEN_CASES],
            conference_state=call.conference_state if call.operator else None,
        ))
    return Board(board, more)


def queue_positions(session: Session, now: datetime) -> dict[int, int]:
    """Each live caller's place in their queue, 1 for the one waiting
    longest: by when they joined it, so no two callers share a place
    (Twilio's QueuePosition is only heard at each wait round, and not at all
    before the first)."""
    places: dict[int, int] = {}
    counted: dict[str, int] = defaultdict(int)
    for call_id, queue in session.execute(
            select(Call.id, Call.queue_name)
            .where(live(now), Call.queued_at.is_not(None), Call.queue_ended_at.is_(None))
            .order_by(Call.queued_at, Call.id)):
        counted[queue or ""] += 1
        places[call_id] = counted[queue or ""]
    return places

