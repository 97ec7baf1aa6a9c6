"""Calls' conferences: the operator's leg, what Twilio reports of each
participant, and what operators and supervisors do in a call (hold,
warm transfer; listen, coach, barge in).

Every operator bridge goes through the conference ``hotline-<caller's
CallSid>`` (operators.conference holds the rules).  The caller enters it
from ``/voice/operator/connect``; there the service places the operator's
leg (``calls.create``: the whisper, then the same conference).  Supervisors
and departments are dialled in with Twilio's Participants resource.

Each use case takes a session and the Twilio client.  Twilio is never
asked anything while a transaction is open: the use case reads, ends the
read (``_between``), asks Twilio, and only then writes; the view commits.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from accounts.models import User
from accounts.services import audit, principal_for_user
from call_log.models import Call, CallParticipant
from call_log.services import FINAL_STATUSES, find_call
from config.catalog import HotlineConfig
from ivr.kit import ConferenceEvent
from operators import conference as rules
from operators import seats as seat_rules
from operators.recording import running_operator_recording, stop_operator_recording
from operators.seating import holding, move

log = logging.getLogger(__name__)

# Twilio's words for "not there any more".
NOT_FOUND = 20404             # the conference or the participant is gone
CALL_NOT_IN_PROGRESS = 21220  # the call has ended
LEG_FAILED = ("no-answer", "busy", "failed", "canceled")
# How long a supervisor's or department's phone rings.
DIAL_TIMEOUT = 30


@dataclass(frozen=True)
class ConferenceUrls:
    """The URLs Twilio is given for conference legs (built by the views)."""

    whisper: Callable[[str], str]                   # caller's CallSid -> the operator leg's TwiML
    operator_leg: Callable[[str, str], str]         # caller's CallSid, operator -> the leg's status callback
    participant_leg: Callable[[str, str, str], str]  # caller's CallSid, role, who -> a dialled-in leg's status callback
    events: str                                     # the conference status callback
    hold: str                                       # HoldUrl and waitUrl: the hold prompt
    case_summary: Callable[[str], str]              # caller's CallSid -> the summary a department is told


def conference_urls(url: Callable[..., str]) -> ConferenceUrls:
    """The conference legs' URLs, built by ``url`` (``ivr.kit.external_url``
    in a request, ``public_url`` bound to the app outside one)."""
    return ConferenceUrls(
        whisper=lambda caller: url("operator_voice.whisper", call=caller),
        operator_leg=lambda caller, operator: url("operator_voice.operator_leg", call=caller, operator=operator),
        participant_leg=lambda caller, role, who: url("operator_voice.participant_leg", call=caller, role=role,
                                                      who=who),
        events=url("operator_voice.conference_events"),
        hold=url("operator_voice.hold"),
        case_summary=lambda caller: url("operator_voice.department_whisper", call=caller),
    )


class Refused(Exception):
    """Twilio refused, or the call is not in a state for this: ``reason``
    is one of GONE (the caller hung up, the conference ended), NOT_NOW (the
    rules), NO_DEVICE, NO_NUMBER, TWILIO (any other refusal, with its code)."""

    GONE, NOT_NOW, NO_DEVICE, NO_NUMBER, NOT_YOURS, TWILIO = "gone", "not_now", "no_device", "no_number", \
        "not_yours", "twilio"

    def __init__(self, reason: str, detail: str = "", code: int | None = None) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason, self.detail, self.code = reason, detail, code


def _between(session: Session) -> None:
    """End the read before asking Twilio: no lock or snapshot is held while it answers."""
    session.commit()


def _twilio(error: TwilioRestException) -> Refused:
    if error.status == 404 or error.code in (NOT_FOUND, CALL_NOT_IN_PROGRESS):
        return Refused(Refused.GONE, str(error.msg or ""), error.code)
    return Refused(Refused.TWILIO, str(error.msg or ""), error.code)


def _from_number(config: HotlineConfig, call: Call) -> str:
    line = config.lines.get(call.line_id or "")
    return line.number if line is not None else (call.to_number or "")


# --- the operator's leg ------------------------------------------------------------------------

def ring_operator(session: Session, client: Client, config: HotlineConfig, caller_sid: str, operator: User,
                  urls: ConferenceUrls, now: datetime) -> str | None:
    """The caller is entering the conference: ring the operator's device.
    It hears the whisper, then joins the same conference.  The leg's sid,
    or None when Twilio refused (the caller is then not left waiting)."""
    call = find_call(session, caller_sid)
    if call is None:
        return None
    name = rules.conference_name(caller_sid)
    call.conference_name, call.conference_state = name, rules.TALKING
    call.transfer_department = None
    from_ = _from_number(config, call)
    _between(session)
    try:
        leg = client.calls.create(to=operator.device, from_=from_, url=urls.whisper(caller_sid), method="POST",
                                  timeout=config.seats.ring_seconds,
                                  status_callback=urls.operator_leg(caller_sid, operator.username),
                                  status_callback_method="POST", status_callback_event=["completed"])
    except TwilioRestException as error:
        log.warning("could not ring operator %s for call %s: %s", operator.username, caller_sid, error)
        return None
    except Exception:  # noqa: BLE001 - Twilio unreachable: the caller is not left waiting for no one
        log.exception("could not ring operator %s for call %s", operator.username, caller_sid)
        return None
    return leg.sid


def operator_answered(session: Session, caller_sid: str, leg_sid: str, operator: str | None,
                      now: datetime) -> None:
    """The operator's leg picked up (the whisper is asked for, before it joins the conference)."""
    call = find_call(session, caller_sid)
    if call is not None and leg_sid:
        keep_leg(session, call.id, rules.conference_name(caller_sid), leg_sid, rules.OPERATOR, operator, now)


def keep_leg(session: Session, call_id: int, name: str, leg_sid: str, role: str, who: str | None,
             now: datetime) -> CallParticipant:
    """The leg's row, written once: a conference's callback may report the
    leg at the same moment as the request that dialled it writes it down."""
    leg = _leg(session, name, leg_sid)
    if leg is None:
        try:
            with session.begin_nested():
                leg = CallParticipant(call_id=call_id, conference_name=name, call_leg_sid=leg_sid, role=role,
                                      who=who, created_at=now)
                session.add(leg)
        except IntegrityError:
            leg = _leg(session, name, leg_sid)
    leg.role, leg.who = role, who if who is not None else leg.who
    return leg


def operator_leg_ended(session: Session, config: HotlineConfig, caller_sid: str, leg_sid: str, status: str,
                       now: datetime) -> str | None:
    """The operator's leg's final status.  ``missed``: the device was not
    answered, the operator is marked away (an offer) or freed (a call they
    took by hand), and the caller must be sent back (the view redirects
    them); ``ended``: the operator hung up, wrap-up.  None: nothing to do."""
    leg = _participant(session, caller_sid, leg_sid)
    joined = leg is not None and leg.joined_at is not None
    if leg is not None:
        leg.status = "left" if joined else "failed"
        leg.left_at = leg.left_at or now
    seat = holding(session, caller_sid)
    if status in LEG_FAILED and not joined:
        if seat is not None and seat.state == seat_rules.RINGING:
            move(session, seat, config.seats.missed_state, now, reason=seat_rules.NO_ANSWER)
        elif seat is not None and seat.state == seat_rules.ON_CALL:
            move(session, seat, seat_rules.WRAP_UP, now, reason=seat_rules.NO_ANSWER)
        call = find_call(session, caller_sid)
        return "missed" if call is not None and call.status not in FINAL_STATUSES else None
    if seat is not None and seat.state == seat_rules.ON_CALL:
        move(session, seat, seat_rules.WRAP_UP, now, reason=seat_rules.CALL_ENDED)
        if not joined and leg is not None:
            # Picked up and put down during the whisper: the caller still waits in the conference.
            call = find_call(session, caller_sid)
            return "missed" if call is not None and call.status not in FINAL_STATUSES else "ended"
        return "ended"
    return None


def _participant(session: Session, caller_sid: str, leg_sid: str) -> CallParticipant | None:
    return _leg(session, rules.conference_name(caller_sid), leg_sid)


def _leg(session: Session, name: str, leg_sid: str) -> CallParticipant | None:
    return session.scalars(select(CallParticipant).where(
        CallParticipant.conference_name == name, CallParticipant.call_leg_sid == leg_sid)).first()


# --- what Twilio reports -----------------------------------------------------------------------

@dataclass(frozen=True)
class Reported:
    """What a conference status callback changed: the call (None: not ours),
    and a leg that has just joined and is to be told the case summary
    (``tell_case_summary``, after the commit)."""

    call: Call | None
    summary_for: str | None = None


def conference_event(session: Session, event: ConferenceEvent, now: datetime) -> Reported:
    """Keep what Twilio says of the conference and its participants.  The
    operator leaving puts their seat in wrap-up.  A department's leg
    joining is to hear the case summary."""
    caller_sid = rules.caller_of(event.friendly_name)
    call = find_call(session, caller_sid, lock=True) if caller_sid else None
    if call is None:
        return Reported(None)
    call.conference_name = event.friendly_name
    call.conference_sid = event.conference_sid or call.conference_sid
    if event.event == "conference-end":
        for leg in _legs(session, call, present=True):
            leg.status, leg.left_at = "left", now
        _operator_gone(session, call, now)
        return Reported(call)
    if not event.call_sid or not event.event.startswith("participant-"):
        return Reported(call)
    leg = _participant(session, caller_sid, event.call_sid)
    if leg is None:
        role = event.label if event.label in rules.ROLES else (
            rules.CALLER if event.call_sid == caller_sid else rules.SUPERVISOR)
        leg = keep_leg(session, call.id, event.friendly_name, event.call_sid, role,
                       call.operator if role == rules.OPERATOR else None, now)
    same_conference = leg.conference_sid in (None, event.conference_sid)
    if same_conference and leg.last_sequence is not None and event.sequence is not None \
            and event.sequence < leg.last_sequence:
        return Reported(call)  # an older report, arriving late (a new conference of the same name counts afresh)
    leg.last_sequence = event.sequence if event.sequence is not None else leg.last_sequence
    leg.conference_sid = event.conference_sid or leg.conference_sid
    leg.muted, leg.hold = event.muted, event.hold
    leg.mode = rules.mode_of(leg.role, event.muted, event.coaching)
    summary_for = None
    if event.event == "participant-leave":
        leg.status, leg.left_at = "left", now
        if leg.role == rules.OPERATOR:
            _operator_gone(session, call, now)
    elif event.event == "participant-join" or leg.status == "dialling":
        if leg.joined_at is None and event.event == "participant-join" and rules.hears_case_summary(leg.role):
            summary_for = leg.call_leg_sid          # once: a repeated join finds it joined already
        leg.status, leg.joined_at = "joined", leg.joined_at or now
    return Reported(call, summary_for)


def tell_case_summary(client: Client, event: ConferenceEvent, leg_sid: str, urls: ConferenceUrls) -> bool:
    """The department's leg has joined a warm transfer: it alone hears the
    case summary (a participant update with ``AnnounceUrl``), as a cold
    transfer whispers it.  Call it after the commit: no transaction is
    open while Twilio answers.  A refusal is logged and the call goes on.
    True if Twilio took it."""
    caller_sid = rules.caller_of(event.friendly_name) or ""
    try:
        client.conferences(event.conference_sid).participants(leg_sid).update(
            announce_url=urls.case_summary(caller_sid), announce_method="POST")
    except TwilioRestException as error:
        log.warning("the department on call %s was not told the case summary: Twilio answered %s (error %s: %s)",
                    caller_sid, error.status, error.code, error.msg)
        return False
    except Exception:  # noqa: BLE001 - Twilio unreachable: the operator can still tell them
        log.exception("the department on call %s was not told the case summary", caller_sid)
        return False
    return True


def _operator_gone(session: Session, call: Call, now: datetime) -> None:
    seat = holding(session, call.call_sid)
    if seat is not None and seat.state == seat_rules.ON_CALL:
        move(session, seat, seat_rules.WRAP_UP, now, reason=seat_rules.CALL_ENDED)


def dialled_leg_ended(session: Session, caller_sid: str, leg_sid: str, status: str, now: datetime,
                      role: str | None = None, who: str | None = None) -> None:
    """A supervisor's or department's leg ended; one never answered failed.
    It may end before the console's request that dialled it has written
    it down (a phone that is busy at once): it is written here then.
    ``who`` comes back from the leg's URL, cut to its column."""
    who = (who or "")[:100] or None
    # The call first, locked: the console's consult writes its state under the same lock, so
    # one of the two sees what the other wrote.
    call = find_call(session, caller_sid, lock=True)
    if call is None:
        return
    leg = _participant(session, caller_sid, leg_sid)
    if leg is None:
        if role not in (rules.SUPERVISOR, rules.DEPARTMENT):
            return
        leg = keep_leg(session, call.id, rules.conference_name(caller_sid), leg_sid, role, who, now)
    if leg.joined_at is None and status in LEG_FAILED:
        leg.status = "failed"
        if leg.role == rules.DEPARTMENT and call.conference_state == rules.CONSULTING:
            # The department did not pick up: the operator is back with the caller (still on hold).
            call.conference_state, call.transfer_department = rules.HOLDING, None
    elif leg.status != "left":
        leg.status = "left"
    leg.left_at = leg.left_at or now


def _legs(session: Session, call: Call, present: bool = False) -> list[CallParticipant]:
    query = select(CallParticipant).where(CallParticipant.call_id == call.id).order_by(CallParticipant.id)
    if present:
        query = query.where(CallParticipant.status.in_(("dialling", "joined")))
    return list(session.scalars(query))


@dataclass(frozen=True)
class InCall:
    """Someone in a call's conference, for the board."""

    role: str
    who: str | None
    mode: str
    hold: bool
    muted: bool
    status: str


def people_in(session: Session, call_sids: list[str]) -> dict[str, list[InCall]]:
    """Those dialling into or in each call's conference now, by the caller's CallSid."""
    found: dict[str, list[InCall]] = {}
    if not call_sids:
        return found
    for caller, leg in session.execute(
            select(Call.call_sid, CallParticipant).join(Call, Call.id == CallParticipant.call_id)
            .where(Call.call_sid.in_(call_sids), CallParticipant.status.in_(("dialling", "joined")))
            .order_by(CallParticipant.id)):
        found.setdefault(caller, []).append(InCall(leg.role, leg.who, leg.mode, leg.hold, leg.muted, leg.status))
    return found


# --- what people do in a call ------------------------------------------------------------------

def _live_call(session: Session, call_sid: str) -> Call:
    call = find_call(session, call_sid)
    if call is None or call.status in FINAL_STATUSES:
        raise Refused(Refused.GONE, "the call has ended")
    if not call.conference_name:
        raise Refused(Refused.NOT_NOW, "the call has no conference: no operator is on it")
    return call


def _conference_sid(client: Client, call: Call) -> str:
    if call.conference_sid:
        return call.conference_sid
    found = client.conferences.list(friendly_name=call.conference_name, status="in-progress", limit=1)
    if not found:
        raise Refused(Refused.GONE, "the conference has ended")
    return found[0].sid


def supervise(session: Session, client: Client, config: HotlineConfig, call_sid: str, supervisor: User,
              mode: str, urls: ConferenceUrls, now: datetime) -> str:
    """Dial the supervisor into the call (listen, coach or barge in), or
    switch the mode of the supervisor already in it."""
    call = _live_call(session, call_sid)
    mine = next((leg for leg in _legs(session, call, present=True)
                 if leg.role == rules.SUPERVISOR and leg.who == supervisor.username), None)
    operator = next((leg for leg in _legs(session, call, present=True) if leg.role == rules.OPERATOR), None)
    try:
        settings = rules.supervisor_settings(mode, operator.call_leg_sid if operator else None)
    except rules.ConferenceError as problem:
        raise Refused(Refused.NOT_NOW, str(problem)) from None
    if mine is None and not supervisor.device:
        raise Refused(Refused.NO_DEVICE, supervisor.username)
    call_id, name, leg_sid, from_ = call.id, call.conference_name, mine.call_leg_sid if mine else None, \
        _from_number(config, call)
    was = mine.mode if mine else None
    _between(session)
    try:
        conference = _conference_sid(client, call)
        if leg_sid is not None:
            client.conferences(conference).participants(leg_sid).update(
                muted=settings.muted, coaching=settings.coaching, call_sid_to_coach=settings.call_sid_to_coach)
        else:
            created = client.conferences(conference).participants.create(
                from_=from_, to=supervisor.device, label=rules.SUPERVISOR, muted=settings.muted,
                coaching=settings.coaching, call_sid_to_coach=settings.call_sid_to_coach, beep="false",
                timeout=DIAL_TIMEOUT, early_media=False, end_conference_on_exit=False,
                status_callback=urls.participant_leg(call_sid, rules.SUPERVISOR, supervisor.username),
                status_callback_method="POST", status_callback_event=["completed"])
            leg_sid = created.call_sid
    except TwilioRestException as error:
        raise _twilio(error) from None
    # The call first, then its leg: the order the conference's callbacks take, which may be writing
    # this leg's row at this moment (the other order deadlocked on PostgreSQL, seen once).
    find_call(session, call_sid, lock=True)
    leg = keep_leg(session, call_id, name, leg_sid, rules.SUPERVISOR, supervisor.username, now)
    leg.who, leg.conference_sid, leg.mode, leg.muted = supervisor.username, conference, mode, settings.muted
    audit(session, principal_for_user(supervisor), f"supervise_{mode}", call_sid, now,
          detail=f"{was} -> {mode}" if was else mode)
    return leg_sid


def stop_supervising(session: Session, client: Client, call_sid: str, supervisor: User, now: datetime) -> None:
    call = _live_call(session, call_sid)
    mine = next((leg for leg in _legs(session, call, present=True)
                 if leg.role == rules.SUPERVISOR and leg.who == supervisor.username), None)
    if mine is None:
        raise Refused(Refused.NOT_NOW, "you are not in this call")
    leg_sid = mine.call_leg_sid
    _between(session)
    try:
        client.conferences(_conference_sid(client, call)).participants(leg_sid).delete()
    except TwilioRestException as error:
        if error.status != 404:
            raise _twilio(error) from None
    leg = _participant(session, call_sid, leg_sid)
    if leg is not None:
        leg.status, leg.left_at = "left", leg.left_at or now
    audit(session, principal_for_user(supervisor), "supervise_leave", call_sid, now)


def operator_move(session: Session, client: Client, config: HotlineConfig, call_sid: str, user: User, move_: str,
                  urls: ConferenceUrls, now: datetime, department_code: str | None = None) -> str:
    """Hold, resume, consult a department (warm transfer), join all three,
    leave (the department keeps the caller) or cancel.  The new state."""
    call = _live_call(session, call_sid)
    if call.operator != user.username and user.role not in ("supervisor", "admin"):
        raise Refused(Refused.NOT_YOURS, call_sid)
    state = call.conference_state or rules.TALKING
    try:
        after = rules.after(state, move_)
    except rules.ConferenceError as problem:
        raise Refused(Refused.NOT_NOW, str(problem)) from None
    department = None
    if move_ == rules.CONSULT:
        department = config.departments.get(department_code or "")
        if department is None or not department.duty_number:
            raise Refused(Refused.NO_NUMBER, department_code or "")
    call_id, name, from_ = call.id, call.conference_name, _from_number(config, call)
    # Handing over ends the operator's part: their quality recording stops with it.
    recording = running_operator_recording(session, call) if rules.operator_part_over(after) else None
    _between(session)
    department_leg = None
    try:
        conference = client.conferences(_conference_sid(client, call))
        if move_ in (rules.HOLD, rules.CONSULT) and not rules.caller_held(state):
            conference.participants(rules.CALLER).update(hold=True, hold_url=urls.hold, hold_method="POST")
        if move_ == rules.CONSULT:
            department_leg = conference.participants.create(
                from_=from_, to=department.duty_number, label=rules.DEPARTMENT, beep="false",
                timeout=DIAL_TIMEOUT, early_media=True, end_conference_on_exit=False,
                status_callback=urls.participant_leg(call_sid, rules.DEPARTMENT, department.code),
                status_callback_method="POST", status_callback_event=["completed"]).call_sid
        if move_ == rules.CANCEL:
            try:
                conference.participants(rules.DEPARTMENT).delete()
            except TwilioRestException as error:
                if error.status != 404:      # the department hung up already
                    raise
        if move_ == rules.LEAVE:
            # The department now ends the call when it hangs up; the operator no longer does.
            conference.participants(rules.DEPARTMENT).update(end_conference_on_exit=True)
            conference.participants(rules.OPERATOR).update(end_conference_on_exit=False)
        if move_ in (rules.RESUME, rules.JOIN, rules.CANCEL, rules.LEAVE) and rules.caller_held(state):
            conference.participants(rules.CALLER).update(hold=False)
        if move_ == rules.LEAVE:
            conference.participants(rules.OPERATOR).delete()
    except TwilioRestException as error:
        raise _twilio(error) from None
    if recording is not None:
        stop_operator_recording(client, call_sid, recording)      # logged if refused; the hand-over stands
    session.refresh(call, with_for_update=True)      # as it is now, locked (a leg's callback may have moved it)
    call.conference_state = after
    if move_ == rules.CONSULT:
        call.transfer_department = department.code
        # Its join, or its failure, may have been reported already.
        leg = keep_leg(session, call_id, name, department_leg, rules.DEPARTMENT, department.code, now)
        if leg.status == "failed":
            # Not answered before this request wrote it down: back with the held caller.
            after, call.transfer_department = rules.HOLDING, None
            call.conference_state = after
    elif move_ == rules.CANCEL:
        call.transfer_department = None
    audit(session, principal_for_user(user), f"conference_{move_}", call_sid, now,
          detail=f"{state} -> {after}" + (f" ({department.code})" if department else ""))
    return after
